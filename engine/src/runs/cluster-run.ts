import type { ClusterState } from "@clustersim/hardware-models";
import type { DecisionRecord, PlacementStrategy } from "@clustersim/schedulers";
import type { RunSummary } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { TaskSource } from "../arrivals/arrival-pump.js";
import type { RunListener } from "../bus/run-events.js";
import type { Controller } from "../controllers/controller.js";
import type { RunEffects } from "../effects/run-effects.js";
import { type OnlineCounts, OnlineLoop } from "./online/online-loop.js";
import { Run } from "./run.js";

/**
 * The online cluster run to its end in one call, with callbacks: the run-to-end API over `Run` and
 * `OnlineLoop` (./run.ts, ./online-loop.ts), for callers that need no stepping.
 */
export interface ClusterRunOptions {
  cluster: ClusterState;
  strategy: PlacementStrategy;
  /** In arrival order; an asynchronous source needs runClusterAsync. */
  tasks: TaskSource;
  seed?: number;
  /** Stop at this simulated time (default: when every task has left). */
  untilS?: number;
  queue?: "kubernetes" | "fifo";
  /** Hardware effects: what the scheduler sees of a task, and how long it runs where it was placed. */
  effects?: RunEffects;
  controllers?: readonly Controller[];
  listeners?: readonly RunListener[];
  /** Resubmissions of a killed task before it counts as failed (default 3). */
  maxRetries?: number;
  /** With `untilS`: call `onSample` at 0 and every `sampleEveryS` of simulated time (time series). */
  sampleEveryS?: number;
  onSample?(nowS: number, waiting: number, events: number): void;
  /** Called when a task starts on a node, and when it leaves. */
  onStart?(task: Task, node: number, nowS: number): void;
  onFinish?(task: Task, node: number, nowS: number, startS: number): void;
  /** A running task was killed by a node failure (it may start again). */
  onKill?(task: Task, node: number, nowS: number): void;
  onArrive?(task: Task, nowS: number): void;
  onNodeState?(node: number, up: boolean, nowS: number): void;
  /** With `strategy.record` on: each decision's record. */
  onDecision?(task: Task, record: DecisionRecord, nowS: number): void;
}

export interface ClusterRunResult extends OnlineCounts {
  /** Still waiting when the run ended, or larger than every node. */
  neverScheduled: number;
  /** At the end: tasks still running (with their node and start), and tasks still waiting or never placed. */
  unfinished: { task: Task; node: number; startS: number }[];
  unplaced: Task[];
  run: RunSummary;
}

function build(o: ClusterRunOptions): { run: Run; loop: OnlineLoop } {
  const loop = new OnlineLoop({ strategy: o.strategy, queue: o.queue, effects: o.effects, maxRetries: o.maxRetries });
  let run: Run | undefined;
  const callbacks: RunListener = {
    arrive: o.onArrive,
    start: o.onStart && ((t, nodes, now) => o.onStart!(t, nodes[0], now)),
    finish: o.onFinish && ((t, nodes, startS, now) => o.onFinish!(t, nodes[0], now, startS)),
    kill: o.onKill && ((t, nodes, now) => o.onKill!(t, nodes[0], now)),
    nodeDown: o.onNodeState && ((n, now) => o.onNodeState!(n, false, now)),
    nodeUp: o.onNodeState && ((n, now) => o.onNodeState!(n, true, now)),
    decision: o.onDecision,
    sample: o.onSample && ((now) => o.onSample!(now, loop.waiting, run!.sim.eventsProcessed)),
  };
  run = new Run({
    cluster: o.cluster,
    tasks: o.tasks,
    loop,
    seed: o.seed,
    untilS: o.untilS,
    sampleEveryS: o.onSample ? o.sampleEveryS : undefined,
    listeners: [callbacks, ...(o.listeners ?? [])],
    controllers: o.controllers,
  });
  return { run, loop };
}

function result(run: Run, loop: OnlineLoop): ClusterRunResult {
  const { running, unplaced, waiting } = loop.leftovers();
  return {
    ...loop.counts,
    neverScheduled: waiting + loop.counts.tooLarge,
    unfinished: running,
    unplaced,
    run: { events: run.sim.eventsProcessed, simTime: run.nowS, stoppedBy: "empty", wallS: run.wallSeconds },
  };
}

/** Run with a synchronous task source (an array, a generator). */
export function runCluster(o: ClusterRunOptions): ClusterRunResult {
  const { run, loop } = build(o);
  run.runToEndSync();
  return result(run, loop);
}

/** Run with any task source, synchronous or asynchronous (trace files, composed workloads). */
export async function runClusterAsync(o: ClusterRunOptions): Promise<ClusterRunResult> {
  const { run, loop } = build(o);
  await run.runToEnd();
  return result(run, loop);
}
