import type { ClusterState } from "@clustersim/hardware-models";
import type { BatchPolicyName, PlacementStrategy, RuntimeEstimate } from "@clustersim/schedulers";
import type { RunSummary } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { TaskSource } from "../arrivals/arrival-pump.js";
import type { RunListener } from "../bus/run-events.js";
import { type BatchCounts, BatchLoop } from "./batch/batch-loop.js";
import { Run } from "./run.js";

/** The batch run to its end in one call, with callbacks: the run-to-end API over `Run` and `BatchLoop`. */
export interface BatchRunOptions {
  cluster: ClusterState;
  placement: PlacementStrategy;
  policy: BatchPolicyName;
  backfill: boolean;
  preemption?: boolean;
  /** Order and backfill by requested (default) or predicted run times. */
  runtime?: RuntimeEstimate;
  /** The order backfilling tries jobs in: arrival (default) or shortest estimate first. */
  backfillOrder?: "arrival" | "shortest";
  /** Jobs in submit order; `procs` tasks each of the task's size. Asynchronous sources need runBatchAsync. */
  jobs: TaskSource;
  seed?: number;
  untilS?: number;
  listeners?: readonly RunListener[];
  onStart?(job: Task, nowS: number): void;
  onFinish?(job: Task, nowS: number): void;
  onArrive?(job: Task, nowS: number): void;
  /** With `untilS`: call `onSample` at 0 and every `sampleEveryS` of simulated time (time series). */
  sampleEveryS?: number;
  onSample?(nowS: number, waiting: number, events: number): void;
}

export interface BatchRunResult extends BatchCounts {
  /** Still queued at the end, or rejected at arrival. */
  neverScheduled: number;
  /** At the end: jobs still running (with their start), and jobs still queued or never placed. */
  unfinished: { task: Task; nodes: number[]; startS: number }[];
  unplaced: Task[];
  run: RunSummary;
}

function build(o: BatchRunOptions): { run: Run; loop: BatchLoop } {
  const loop = new BatchLoop({
    placement: o.placement,
    policy: o.policy,
    backfill: o.backfill,
    preemption: o.preemption,
    runtime: o.runtime,
    backfillOrder: o.backfillOrder,
  });
  let run: Run | undefined;
  const callbacks: RunListener = {
    arrive: o.onArrive,
    start: o.onStart && ((t, _nodes, now) => o.onStart!(t, now)),
    finish: o.onFinish && ((t, _nodes, _startS, now) => o.onFinish!(t, now)),
    sample: o.onSample && ((now) => o.onSample!(now, loop.waiting, run!.sim.eventsProcessed)),
  };
  run = new Run({
    cluster: o.cluster,
    tasks: o.jobs,
    loop,
    seed: o.seed,
    untilS: o.untilS,
    sampleEveryS: o.onSample ? o.sampleEveryS : undefined,
    listeners: [callbacks, ...(o.listeners ?? [])],
  });
  return { run, loop };
}

function result(run: Run, loop: BatchLoop): BatchRunResult {
  const { running, unplaced, waiting } = loop.leftovers();
  return {
    ...loop.counts,
    neverScheduled: waiting + loop.counts.rejected,
    unfinished: running,
    unplaced,
    run: { events: run.sim.eventsProcessed, simTime: run.nowS, stoppedBy: "empty", wallS: run.wallSeconds },
  };
}

/** Run with a synchronous job source (an array, a generator). */
export function runBatch(o: BatchRunOptions): BatchRunResult {
  const { run, loop } = build(o);
  run.runToEndSync();
  return result(run, loop);
}

/** Run with any job source, synchronous or asynchronous (trace files, composed workloads). */
export async function runBatchAsync(o: BatchRunOptions): Promise<BatchRunResult> {
  const { run, loop } = build(o);
  await run.runToEnd();
  return result(run, loop);
}
