import { mmcTheory, quantileSorted, type RunListener, runCluster } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams, type Seed } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { batchMeansInterval } from "../stats/batch-means.js";

/**
 * The built-in default scenario: a cluster of identical nodes, each running one task at a time, fed by
 * Poisson arrivals with exponential run times and a first-come-first-served queue (M/M/c).
 *
 * It is the smallest complete simulation the tool runs, and it has an exact answer (Erlang C), so its
 * summary prints the simulated and the theoretical figures side by side. Defaults are illustrative, not
 * calibrated: one-minute tasks on 32 nodes at 80% load.
 */
export interface MmcClusterParams {
  /** Number of nodes (servers). */
  nodes: number;
  /** Offered load per node, in (0, 1): arrival rate × mean run time ÷ nodes. */
  utilisation: number;
  /** Mean task run time, seconds. */
  meanRunS: number;
  /** Arrivals stop, and the run ends, at this simulated time, seconds. */
  durationS: number;
  /** Tasks arriving before this time are left out of the statistics (warm-up), seconds. */
  warmupS: number;
}

export const DEFAULT_MMC_CLUSTER: Readonly<MmcClusterParams> = Object.freeze({
  nodes: 32,
  utilisation: 0.8,
  meanRunS: 60,
  durationS: 7 * 24 * 3600,
  warmupS: 3600,
});

export interface MmcClusterResult {
  simTimeS: number;
  events: number;
  wallS: number;
  metrics: {
    tasksSubmitted: number;
    tasksStarted: number;
    tasksCompleted: number;
    tasksMeasured: number;
    waitMeanS: number;
    /** 95% confidence interval of the mean wait, by 20 batch means in arrival order. */
    waitMeanCi95LowS: number;
    waitMeanCi95HighS: number;
    waitP50S: number;
    waitP95S: number;
    waitP99S: number;
    probWait: number;
    utilisation: number;
    queueLengthMean: number;
  };
  theory: {
    waitMeanS: number;
    waitP50S: number;
    waitP95S: number;
    waitP99S: number;
    probWait: number;
    utilisation: number;
  };
}

export function validateMmcClusterParams(p: MmcClusterParams): void {
  const bad = (field: string, expected: string, found: unknown) => {
    throw new RangeError(`${field}: expected ${expected}, found ${JSON.stringify(found)}`);
  };
  if (!(Number.isInteger(p.nodes) && p.nodes >= 1)) bad("nodes", "an integer >= 1", p.nodes);
  if (!(p.utilisation > 0 && p.utilisation < 1)) bad("utilisation", "a number in (0, 1)", p.utilisation);
  if (!(p.meanRunS > 0 && Number.isFinite(p.meanRunS))) bad("meanRunS", "a positive number of seconds", p.meanRunS);
  if (!(p.durationS > 0 && Number.isFinite(p.durationS))) bad("durationS", "a positive number of seconds", p.durationS);
  if (!(p.warmupS >= 0 && p.warmupS < p.durationS)) bad("warmupS", "a number of seconds in [0, durationS)", p.warmupS);
}

/**
 * The built-in M/M/c through the generic run (engine's Run and online loop, as every scenario runs):
 * `nodes` one-core nodes, one-core tasks, first fit with a strict first-come-first-served queue, so
 * that a task waits exactly when every node is busy. Arrivals and run times draw from their own named
 * streams. A listener collects each measured task's wait (in arrival order, for the batch means) and
 * the time integrals of busy nodes and queue length after the warm-up.
 */
export function runMmcCluster(params: MmcClusterParams, seed: Seed): MmcClusterResult {
  validateMmcClusterParams(params);
  const { nodes, meanRunS, durationS, warmupS } = params;
  const lambda = (params.utilisation * nodes) / meanRunS;
  const streams = new RandomStreams(seed);
  const stats = new MmcStats(warmupS);
  const result = runCluster({
    cluster: new ClusterState(Array.from({ length: nodes }, () => ({ cpuMilli: 1000, memoryMiB: 1 }))),
    strategy: createPlacement("first-fit", {}, { rng: streams.get("scheduler") }),
    queue: "fifo",
    tasks: poissonTasks(lambda, meanRunS, durationS, streams),
    seed: typeof seed === "number" ? seed : 0,
    untilS: durationS,
    listeners: [stats],
  });
  stats.advance(durationS);
  const waits = stats.waitsInArrivalOrder();
  const ci = batchMeansInterval(waits, 20);
  const sorted = waits.slice().sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  const measured = sorted.length;
  const window = durationS - warmupS;
  const theory = mmcTheory(lambda, 1 / meanRunS, nodes);
  return {
    simTimeS: result.run.simTime,
    events: result.run.events,
    wallS: result.run.wallS,
    metrics: {
      tasksSubmitted: result.submitted,
      tasksStarted: result.started,
      tasksCompleted: result.completed,
      tasksMeasured: measured,
      waitMeanS: measured > 0 ? sum / measured : NaN,
      waitMeanCi95LowS: ci.low,
      waitMeanCi95HighS: ci.high,
      waitP50S: quantileSorted(sorted, 0.5),
      waitP95S: quantileSorted(sorted, 0.95),
      waitP99S: quantileSorted(sorted, 0.99),
      probWait: measured > 0 ? stats.waited / measured : NaN,
      utilisation: stats.busyArea / window / nodes,
      queueLengthMean: stats.queueArea / window,
    },
    theory: {
      waitMeanS: theory.waitMean,
      waitP50S: theory.waitQuantile(0.5),
      waitP95S: theory.waitQuantile(0.95),
      waitP99S: theory.waitQuantile(0.99),
      probWait: theory.probWait,
      utilisation: theory.utilisation,
    },
  };
}

/** Poisson arrivals at `lambda` until `durationS`, exponential run times of mean `meanRunS`, one core each. */
function* poissonTasks(lambda: number, meanRunS: number, durationS: number, streams: RandomStreams): Generator<Task> {
  const arrivals = streams.get("arrivals");
  const runTimes = streams.get("run-times");
  let id = 0;
  for (let t = arrivals.exponential(lambda); t <= durationS; t += arrivals.exponential(lambda)) {
    yield task({ id: id++, arrivalS: t, runS: runTimes.exponential(1 / meanRunS), cpuMilli: 1000, memoryMiB: 1 });
  }
}

/** What the M/M/c check measures of a run: waits of tasks arriving after the warm-up, busy nodes, queue length. */
class MmcStats implements RunListener {
  private readonly arrivedAt = new Map<Task, number>();
  private waits: { arrivalS: number; waitS: number }[] = [];
  waited = 0;
  busyArea = 0;
  queueArea = 0;
  private busy = 0;
  private queued = 0;
  private lastS: number;

  constructor(private readonly warmupS: number) {
    this.lastS = warmupS;
  }

  /** Integrate busy nodes and queue length up to `nowS` (from the end of the warm-up). */
  advance(nowS: number): void {
    if (nowS <= this.lastS) return;
    this.busyArea += this.busy * (nowS - this.lastS);
    this.queueArea += this.queued * (nowS - this.lastS);
    this.lastS = nowS;
  }

  arrive(t: Task, nowS: number): void {
    this.advance(nowS);
    this.queued++;
    this.arrivedAt.set(t, nowS);
  }

  start(t: Task, _nodes: readonly number[], nowS: number): void {
    this.advance(nowS);
    this.queued--;
    this.busy++;
    const arrival = this.arrivedAt.get(t)!;
    this.arrivedAt.delete(t);
    if (arrival < this.warmupS) return;
    const wait = nowS - arrival;
    this.waits.push({ arrivalS: arrival, waitS: wait });
    if (wait > 0) this.waited++;
  }

  finish(_t: Task, _nodes: readonly number[], _startS: number, nowS: number): void {
    this.advance(nowS);
    this.busy--;
  }

  waitsInArrivalOrder(): Float64Array {
    this.waits.sort((a, b) => a.arrivalS - b.arrivalS);
    return Float64Array.from(this.waits, (w) => w.waitS);
  }
}
