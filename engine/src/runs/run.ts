import type { ClusterState } from "@clustersim/hardware-models";
import type { Decision, Pod } from "@clustersim/schedulers";
import { type EventKind, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { ArrivalPump, type TaskSource } from "../arrivals/arrival-pump.js";
import { RunBus, type RunListener } from "../bus/run-events.js";
import type { Controller, ControllerContext } from "../controllers/controller.js";
import { controllerContext } from "../controllers/controller-context.js";
import type { ServiceView } from "../services/service-api.js";
import { wholeRequest } from "../tasks/whole-request.js";
import type { JobChoice, NodeGroups, SchedulingLoop } from "./scheduling-loop.js";

export type { JobChoice, NodeGroups, ResizeOutcome, RunServices, SchedulingLoop } from "./scheduling-loop.js";

export interface RunOptions {
  cluster: ClusterState;
  tasks: TaskSource;
  loop: SchedulingLoop;
  seed?: number;
  /** The run ends at this simulated time (default: when nothing is left to happen). */
  untilS?: number;
  /** Publish a `sample` event at 0 and every `sampleEveryS` up to `untilS`. */
  sampleEveryS?: number;
  listeners?: readonly RunListener[];
  controllers?: readonly Controller[];
  groups?: NodeGroups;
  /** The services controllers see through their context (`ctx.services`). */
  services?: readonly ServiceView[];
}

/**
 * Why `advance` returned: it reached the time asked for, the run ended, a decision is awaited from
 * outside (`decide`), the asynchronous task source must be refilled (`runUntil` does it), or the
 * event budget of the call ran out.
 */
export type AdvanceStatus = "until" | "ended" | "decision" | "input" | "max-events";

/**
 * One run, steppable from outside: `advance` runs events up to a time or an event budget and returns
 * why it stopped; `runUntil` and `runToEnd` refill asynchronous task sources as they go. The same run
 * stepped in any increments gives the same events in the same order as run to its end at once.
 *
 * Order of what happens at one simulated time (an instant), independent of how arrivals are buffered:
 * 1. events in the event queue at that time (finishes, failures and repairs, controllers' timers,
 *    samples, queue timers) in the order they were scheduled;
 * 2. then the arrivals due at that time, in workload order;
 * 3. then one scheduling pass, which sees everything the instant changed.
 */
export class Run {
  readonly sim: Simulation;
  readonly bus = new RunBus();
  readonly cluster: ClusterState;
  private readonly pump: ArrivalPump;
  private readonly loop: SchedulingLoop;
  private readonly untilS: number;
  private readonly arrivalTick: EventKind;
  private readonly timerKind: EventKind;
  private readonly timers: ((() => void) | undefined)[] = [];
  private readonly freeTimers: number[] = [];
  private tickAtS = Number.NaN;
  private needInput = false;
  private awaitingDecision = false;
  private ended = false;
  private wallS = 0;
  private readonly groups: NodeGroups;
  private readonly services: readonly ServiceView[];

  constructor(o: RunOptions) {
    this.sim = new Simulation({ seed: o.seed ?? 0 });
    this.cluster = o.cluster;
    this.loop = o.loop;
    this.untilS = o.untilS ?? Number.POSITIVE_INFINITY;
    this.pump = ArrivalPump.of(o.tasks);
    this.groups = o.groups ?? { names: ["all"], nodeGroup: new Int32Array(o.cluster.nodeCount) };
    this.services = o.services ?? [];
    const sim = this.sim;
    sim.onInstantEnd(() => this.endInstant());
    this.arrivalTick = sim.on("arrival", () => {
      this.tickAtS = Number.NaN;
      sim.requestInstantEnd();
    });
    this.timerKind = sim.on("controller-timer", (slot) => {
      const fn = this.timers[slot]!;
      this.timers[slot] = undefined;
      this.freeTimers.push(slot);
      fn();
    });
    this.loop.attach({ sim, bus: this.bus, cluster: o.cluster, requestPass: () => sim.requestInstantEnd() });
    for (const l of o.listeners ?? []) this.bus.subscribe(l);
    const every = o.sampleEveryS;
    if (every !== undefined && every > 0 && Number.isFinite(this.untilS)) {
      const until = this.untilS;
      const SAMPLE = sim.on("sample", () => {
        this.bus.sample(sim.now);
        if (sim.now + every <= until) sim.after(every, SAMPLE);
      });
      sim.at(0, SAMPLE);
    }
    for (const c of o.controllers ?? []) c.start(this.context(c.name));
    // The first instant reads the first arrivals (and finds out whether the source must be refilled).
    sim.requestInstantEnd();
  }

  get nowS(): number {
    return this.sim.now;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Wall-clock seconds spent in the event loop so far: a timing figure, never a result. */
  get wallSeconds(): number {
    return this.wallS;
  }

  /** The task a decision is awaited for (after `advance` returned "decision"). */
  get pendingDecision(): { task: Task; pod: Pod } | undefined {
    return this.awaitingDecision ? this.loop.pendingDecision : undefined;
  }

  /** Supply the awaited decision: a node (and a share's GPU), or null for "does not fit now". */
  decide(d: Decision | null): void {
    if (!this.awaitingDecision || !this.loop.supplyDecision) throw new Error("decide(): no decision is awaited");
    this.loop.supplyDecision(d);
    this.awaitingDecision = false;
  }

  /** The job choice a batch queue awaits (after `advance` returned "decision"). */
  get pendingJobChoice(): JobChoice | undefined {
    return this.awaitingDecision ? this.loop.pendingJobChoice : undefined;
  }

  /** Supply the awaited job choice: one of the waiting jobs (anything else is refused). */
  chooseJob(task: Task): void {
    if (!this.awaitingDecision || !this.loop.chooseJob || !this.loop.pendingJobChoice)
      throw new Error("chooseJob(): no job choice is awaited");
    this.loop.chooseJob(task);
    this.awaitingDecision = false;
  }

  /** Run events until `untilS` (at most the run's end), at most `maxEvents` of them; say why it stopped. */
  advance(o: { untilS?: number; maxEvents?: number } = {}): AdvanceStatus {
    if (this.ended) return "ended";
    if (this.needInput) return "input";
    if (this.awaitingDecision) return "decision";
    const until = Math.min(o.untilS ?? Number.POSITIVE_INFINITY, this.untilS);
    let s: ReturnType<Simulation["run"]>;
    try {
      s = this.sim.run({ until, maxEvents: o.maxEvents });
    } catch (err) {
      // A refused external decision: the task is still pending, and the pass resumes with the next one.
      if (this.loop.pendingDecision) {
        this.awaitingDecision = true;
        this.sim.requestInstantEnd();
      }
      throw err;
    }
    this.wallS += s.wallS;
    if (this.needInput) return "input";
    if (this.awaitingDecision) return "decision";
    if (s.stoppedBy === "max-events" || s.stoppedBy === "stopped") return "max-events";
    if (s.stoppedBy === "until" && until < this.untilS) return "until";
    // Nothing is left to happen: the run ends where a run to the end would, at its own end time if it
    // has one, else at its last event (not where this slice would have stopped).
    if (s.stoppedBy === "empty") this.sim.now = Number.isFinite(this.untilS) ? this.untilS : this.sim.lastEventTime;
    this.end();
    return "ended";
  }

  /** Advance to `untilS` (default: the end), refilling an asynchronous source as needed. */
  async runUntil(untilS?: number): Promise<AdvanceStatus> {
    for (;;) {
      const status = this.advance({ untilS });
      if (status !== "input") return status;
      await this.refill();
    }
  }

  /** After `advance` returned "input": read the asynchronous task source's next arrivals. */
  async refill(): Promise<void> {
    if (!this.needInput) return;
    this.needInput = false;
    await this.pump.refill();
  }

  /** Run to the end; the scheduling loop must decide by itself (no external decisions). */
  async runToEnd(): Promise<void> {
    const status = await this.runUntil();
    if (status === "decision")
      throw new Error("the run awaits an external decision: step it with advance() and decide()");
  }

  /** Run to the end from a synchronous task source. */
  runToEndSync(): void {
    const status = this.advance();
    if (status === "input") throw new TypeError("the task source is asynchronous: use runToEnd()");
    if (status === "decision")
      throw new Error("the run awaits an external decision: step it with advance() and decide()");
  }

  private end(): void {
    this.ended = true;
    this.bus.end(this.sim.now);
  }

  /** Arrivals due now, then one scheduling pass (see the class comment for the order within an instant). */
  private endInstant(): void {
    const sim = this.sim;
    const now = sim.now;
    for (;;) {
      const next = this.pump.peek();
      if (next === undefined) {
        this.pause("input");
        return;
      }
      if (next === null) break;
      if (next.arrivalS > now) {
        if (this.tickAtS !== next.arrivalS) {
          this.tickAtS = next.arrivalS;
          sim.at(next.arrivalS, this.arrivalTick);
        }
        break;
      }
      this.pump.take();
      this.admit(next);
    }
    if (!this.loop.schedule()) this.pause("decision");
  }

  private pause(why: "input" | "decision"): void {
    if (why === "input") this.needInput = true;
    else this.awaitingDecision = true;
    this.sim.stop();
    this.sim.requestInstantEnd();
  }

  private admit(given: Task): Task {
    const task = wholeRequest(given);
    this.bus.arrive(task, this.sim.now);
    this.loop.admit(task);
    return task;
  }

  private timer(timeS: number, fn: () => void): void {
    const slot = this.freeTimers.length > 0 ? this.freeTimers.pop()! : this.timers.length;
    this.timers[slot] = fn;
    this.sim.at(timeS, this.timerKind, slot);
  }

  private context(name: string): ControllerContext {
    return controllerContext(name, {
      sim: this.sim,
      cluster: this.cluster,
      bus: this.bus,
      loop: this.loop,
      groups: this.groups,
      admit: (t) => this.admit(t),
      timer: (t, fn) => this.timer(t, fn),
      endS: this.untilS,
      services: this.services,
    });
  }
}
