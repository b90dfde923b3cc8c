import { createContext, Script } from "node:vm";
import type { Controller, ControllerContext, CustomAutoscaler } from "@clustersim/engine";
import type { ClusterView } from "@clustersim/hardware-models";
import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";
import { thrownText } from "@clustersim/sim-core";
import { readOnlyContext } from "./controller-views.js";
import { PluginViews } from "./plugin-views.js";

/** How long one plug-in call (or one load) may take unless the command line says otherwise, seconds. */
export const DEFAULT_PLUGIN_TIME_LIMIT_S = 10;

/** How a refused write ends its message. */
const READ_ONLY = "plug-ins see a read-only view";

/** A plug-in call or load that outlasted the time limit; the message names the plug-in and the task. */
export class PluginTimeout extends Error {
  override readonly name = "PluginTimeout";
}

/**
 * A plug-in's code threw during the run: the message names the plug-in, the hook it was in, the
 * simulated time and what it threw. The run stops; the plug-in failed, not the simulator.
 */
export class PluginFailure extends Error {
  override readonly name = "PluginFailure";
}

/**
 * Stops user code (strategy and controller plug-ins) that does not return. JavaScript cannot interrupt
 * a function from inside the thread running it, but V8 can: `vm`'s `timeout` ends a script that runs
 * too long, whatever it calls. Arming that watchdog costs about 50 µs (it starts a thread), far too much
 * per decision, so the run is driven in slices of events (`within` around `Run.advance`), each slice
 * armed once; the slices shrink to one event when events are slow, so the limit holds per event, and a
 * plug-in call is part of one event. The plug-in wrappers below only mark what user code is running, so
 * that the message can name the plug-in, what it was doing and for which task.
 */
export class PluginWatchdog {
  private readonly script = new Script("call()");
  private readonly context = createContext({ call: undefined as unknown });
  private readonly limitMs: number;
  /** The plug-in running now, what it does, and for which task (-1: none); undefined outside user code. */
  private who: string | undefined;
  private doing = "";
  private taskId = -1;
  /**
   * A failure noticed outside a plug-in call: a promise it returned was rejected, or one it left was
   * (unhandledRejection), or code it scheduled on the real clock threw. The driver checks it between
   * slices (run-guard.ts); the first one stops the run.
   */
  private pending: PluginFailure | undefined;
  /** The last call's plug-in, hook and task, kept after it returned. */
  private last: string | undefined;
  private lastDoing = "";
  private lastTask = -1;

  constructor(readonly limitS: number = DEFAULT_PLUGIN_TIME_LIMIT_S) {
    if (!(limitS > 0 && limitS * 1000 <= 2 ** 31 - 1))
      throw new RangeError(`plug-in time limit: expected seconds > 0 (at most 24 days), found ${limitS}`);
    this.limitMs = Math.max(1, Math.round(limitS * 1000));
  }

  /** Run `fn` (synchronous) under the limit; `whenS` gives the simulated time for the message. */
  within<T>(fn: () => T, whenS?: () => number): T {
    this.context.call = fn;
    try {
      return this.script.runInContext(this.context, { timeout: this.limitMs }) as T;
    } catch (err) {
      if ((err as { code?: string }).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw err;
      const at = whenS ? ` (simulated time ${whenS()} s)` : "";
      // The plug-in wrappers' `finally` did not run: termination skips them. Read the mark, then clear it.
      const { who, doing, taskId } = this;
      this.leave();
      throw new PluginTimeout(
        who === undefined
          ? `one event took longer than ${this.limitS} s${at}, the limit on plug-in calls (--plugin-time-limit)`
          : `${who} did not return within ${this.limitS} s from ${doing}${taskId >= 0 ? ` for task ${taskId}` : ""}${at}: stopped (--plugin-time-limit sets the limit)`,
      );
    } finally {
      this.context.call = undefined;
    }
  }

  /** Record a failure noticed outside a call (the first one is kept). */
  fail(failure: PluginFailure): void {
    this.pending ??= failure;
  }

  /** Throw the failure recorded, if any. */
  check(): void {
    if (this.pending) throw this.pending;
  }

  /**
   * A plug-in call's result: a promise it returned is watched, so that its rejection stops the run
   * naming the plug-in and the hook rather than surfacing as an unhandled rejection.
   */
  private settled(result: unknown, who: string, doing: string, nowS: number): unknown {
    if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
      try {
        (result as PromiseLike<unknown>).then(undefined, (err: unknown) =>
          this.fail(
            new PluginFailure(
              `${who}: ${doing} returned a promise that was rejected (at simulated time ${nowS} s): ${thrownText(err)}`,
            ),
          ),
        );
      } catch (err) {
        throw new PluginFailure(`${who}: ${doing} returned a promise whose then() threw: ${thrownText(err)}`);
      }
    }
    return result;
  }

  private enter(who: string, doing: string, taskId: number): void {
    this.who = who;
    this.doing = doing;
    this.taskId = taskId;
    this.last = who;
    this.lastDoing = doing;
    this.lastTask = taskId;
  }

  /** The last plug-in call made (for --check's message when the cluster changed behind the run). */
  lastCall(): string | undefined {
    if (this.last === undefined) return undefined;
    return `${this.last}, ${this.lastDoing}${this.lastTask >= 0 ? ` for task ${this.lastTask}` : ""}`;
  }

  private leave(): void {
    this.who = undefined;
    this.taskId = -1;
  }

  /**
   * A strategy whose calls are marked as the plug-in `label`'s. It sees the cluster, the pod and the
   * decision read only (./plugin-views.ts): a write stops the run with a PluginFailure naming it.
   * Each call gets a copy of its pod (ReadOnlyObjects.copy: its writes found after the call).
   */
  strategy(s: PlacementStrategy, label: string): PlacementStrategy {
    const who = `plug-in strategy ${label}`;
    const views = new PluginViews();
    const { objects } = views;
    const refused = (doing: string, taskId: number) => (what: string) =>
      new PluginFailure(`${who}: ${doing} ${what} for task ${taskId}: ${READ_ONLY}`);
    const wrapped: PlacementStrategy = {
      name: s.name,
      decide: (view: ClusterView, pod: Pod): Decision | null => {
        this.enter(who, "decide()", pod.id);
        try {
          // A copy of the pod, not a proxy: decide() may read it once per node (ReadOnlyObjects.copy).
          const mine = objects.copy(pod, "pod");
          const d = views.call(
            () => s.decide(views.of(view), mine),
            refused("decide()", pod.id),
            () => objects.compare(mine, pod, "pod"),
          );
          // The guard reads the decision: a proxy of the plug-in's own object would only slow it.
          return objects.unwrap(d);
        } finally {
          this.leave();
        }
      },
      get record() {
        return s.record;
      },
      set record(on) {
        s.record = on;
      },
      get lastRecord() {
        return s.lastRecord;
      },
    };
    if (s.bound) {
      wrapped.bound = (view, pod, d) => {
        this.enter(who, "bound()", pod.id);
        try {
          const mine = objects.copy(pod, "pod");
          // Its own decision, echoed: a frozen copy (writing it changes nothing, and throws in strict code).
          const decision = Object.freeze({ node: d.node, gpuIndex: d.gpuIndex });
          views.call(
            () => s.bound!(views.of(view), mine, decision),
            refused("bound()", pod.id),
            () => objects.compare(mine, pod, "pod"),
          );
        } finally {
          this.leave();
        }
      };
    }
    if (s.released) {
      wrapped.released = (view, pod, node) => {
        this.enter(who, "released()", pod.id);
        try {
          const mine = objects.copy(pod, "pod");
          views.call(
            () => s.released!(views.of(view), mine, node),
            refused("released()", pod.id),
            () => objects.compare(mine, pod, "pod"),
          );
        } finally {
          this.leave();
        }
      };
    }
    return wrapped;
  }

  /**
   * A controller whose start, timers and listeners are marked as the plug-in `label`'s; an exception
   * in any of them stops the run with a PluginFailure naming the plug-in, the hook and the time. Its
   * context is read only where it holds the run's state (./controller-views.ts): the cluster, the tasks
   * and pods it is handed, the services' figures; it acts through the context's methods alone.
   */
  controller(c: Controller, label: string): Controller {
    const who = `plug-in controller ${label}`;
    return {
      name: c.name,
      start: (ctx: ControllerContext) => {
        const views = new PluginViews();
        const mark =
          <A extends unknown[]>(doing: string, fn: (...args: A) => unknown) =>
          (...args: A) => {
            this.enter(who, doing, -1);
            try {
              const result = views.call(
                () => fn(...args),
                (what) => new PluginFailure(`${who}: ${doing} ${what} at simulated time ${ctx.nowS} s: ${READ_ONLY}`),
              );
              return this.settled(result, who, doing, ctx.nowS);
            } catch (err) {
              if (err instanceof PluginTimeout || err instanceof PluginFailure) throw err;
              const name = (err as { name?: unknown } | null)?.name;
              if (name === "StrategyError" || name === "InvariantViolation") throw err;
              throw new PluginFailure(`${who}: ${doing} threw at simulated time ${ctx.nowS} s: ${thrownText(err)}`);
            } finally {
              this.leave();
            }
          };
        mark("start()", (x: ControllerContext) => c.start(x))(readOnlyContext(ctx, views, mark));
      },
    };
  }

  /**
   * An autoscaler whose calls are marked as the plug-in `label`'s; an exception, or a count that is not
   * a whole number ≥ 0, stops the run with a PluginFailure naming the plug-in, the service and the time.
   */
  autoscaler(a: CustomAutoscaler, label: string): CustomAutoscaler {
    const who = `plug-in autoscaler ${label}`;
    const views = new PluginViews();
    return {
      name: a.name,
      syncPeriodS: a.syncPeriodS,
      desired: (service, nowS) => {
        const doing = `desired() for service ${service.name}`;
        this.enter(who, doing, -1);
        let n: unknown;
        try {
          n = views.call(
            () => a.desired(views.objects.wrap(service, "service"), nowS),
            (what) => new PluginFailure(`${who}: ${doing} ${what} at simulated time ${nowS} s: ${READ_ONLY}`),
          );
        } catch (err) {
          if (err instanceof PluginTimeout || err instanceof PluginFailure) throw err;
          throw new PluginFailure(`${who}: ${doing} threw at simulated time ${nowS} s: ${thrownText(err)}`);
        } finally {
          this.leave();
        }
        if (typeof n === "number" && Number.isInteger(n) && n >= 0) return n;
        const found =
          n !== null && typeof n === "object" && typeof (n as { then?: unknown }).then === "function"
            ? "a promise"
            : typeof n === "number"
              ? String(n)
              : `a ${n === null ? "null" : typeof n}`;
        throw new PluginFailure(
          `${who}: ${doing} returned ${found} at simulated time ${nowS} s: expected a whole number of replicas ≥ 0 at once`,
        );
      },
    };
  }
}
