import { createContext, Script } from "node:vm";
import type { Controller, ControllerContext, CustomAutoscaler, RunListener } from "@clustersim/engine";
import type { ClusterView } from "@clustersim/hardware-models";
import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";

/** How long one plug-in call (or one load) may take unless the command line says otherwise, seconds. */
export const DEFAULT_PLUGIN_TIME_LIMIT_S = 10;

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

/** What a plug-in threw, as text, whatever it threw (null, an object whose toString throws, ...). */
export function thrownText(err: unknown): string {
  try {
    if (err instanceof Error) return err.message;
    return typeof err === "string" ? err : `${String(err)} (not an Error)`;
  } catch {
    return `a value that cannot be shown (${typeof err})`;
  }
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

  private enter(who: string, doing: string, taskId: number): void {
    this.who = who;
    this.doing = doing;
    this.taskId = taskId;
  }

  private leave(): void {
    this.who = undefined;
    this.taskId = -1;
  }

  /** A strategy whose calls are marked as the plug-in `label`'s. */
  strategy(s: PlacementStrategy, label: string): PlacementStrategy {
    const who = `plug-in strategy ${label}`;
    const wrapped: PlacementStrategy = {
      name: s.name,
      decide: (view: ClusterView, pod: Pod): Decision | null => {
        this.enter(who, "decide()", pod.id);
        try {
          return s.decide(view, pod);
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
          s.bound!(view, pod, d);
        } finally {
          this.leave();
        }
      };
    }
    if (s.released) {
      wrapped.released = (view, pod, node) => {
        this.enter(who, "released()", pod.id);
        try {
          s.released!(view, pod, node);
        } finally {
          this.leave();
        }
      };
    }
    return wrapped;
  }

  /**
   * A controller whose start, timers and listeners are marked as the plug-in `label`'s; an exception
   * in any of them stops the run with a PluginFailure naming the plug-in, the hook and the time.
   */
  controller(c: Controller, label: string): Controller {
    const who = `plug-in controller ${label}`;
    return {
      name: c.name,
      start: (ctx: ControllerContext) => {
        const mark =
          <A extends unknown[]>(doing: string, fn: (...args: A) => unknown) =>
          (...args: A) => {
            this.enter(who, doing, -1);
            try {
              return fn(...args);
            } catch (err) {
              if (err instanceof PluginTimeout || err instanceof PluginFailure) throw err;
              const name = (err as { name?: unknown } | null)?.name;
              if (name === "StrategyError" || name === "InvariantViolation") throw err;
              throw new PluginFailure(`${who}: ${doing} threw at simulated time ${ctx.nowS} s: ${thrownText(err)}`);
            } finally {
              this.leave();
            }
          };
        const marked = Object.create(ctx) as ControllerContext;
        marked.at = (t, fn) => ctx.at(t, mark("a timer", fn));
        marked.after = (d, fn) => ctx.after(d, mark("a timer", fn));
        marked.every = (p, fn, first) => ctx.every(p, mark("a timer", fn), first);
        marked.forEachWaiting = (fn) => ctx.forEachWaiting(mark("forEachWaiting()", fn));
        marked.on = (l: RunListener) => {
          const listener: Record<string, unknown> = {};
          for (const [event, fn] of Object.entries(l)) {
            if (typeof fn !== "function") continue;
            listener[event] = mark(`its ${event} listener`, (fn as (...a: unknown[]) => unknown).bind(l));
          }
          ctx.on(listener as RunListener);
        };
        mark("start()", (x: ControllerContext) => c.start(x))(marked);
      },
    };
  }

  /**
   * An autoscaler whose calls are marked as the plug-in `label`'s; an exception, or a count that is not
   * a whole number ≥ 0, stops the run with a PluginFailure naming the plug-in, the service and the time.
   */
  autoscaler(a: CustomAutoscaler, label: string): CustomAutoscaler {
    const who = `plug-in autoscaler ${label}`;
    return {
      name: a.name,
      syncPeriodS: a.syncPeriodS,
      desired: (service, nowS) => {
        const doing = `desired() for service ${service.name}`;
        this.enter(who, doing, -1);
        let n: unknown;
        try {
          n = a.desired(service, nowS);
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
