import { mmcTheory, quantileSorted } from "@clustersim/engine";
import { type Seed, Simulation } from "@clustersim/sim-core";
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

export function runMmcCluster(params: MmcClusterParams, seed: Seed): MmcClusterResult {
  validateMmcClusterParams(params);
  const { nodes, meanRunS, durationS, warmupS } = params;
  const lambda = (params.utilisation * nodes) / meanRunS;
  const sim = new Simulation({ seed });
  const arrivals = sim.rng("arrivals");
  const runTimes = sim.rng("run-times");

  // FIFO of waiting tasks (arrival time, run time) in a growable ring of typed arrays.
  let cap = 1024;
  let waitArrival = new Float64Array(cap);
  let waitRun = new Float64Array(cap);
  let head = 0;
  let length = 0;
  const enqueue = (arrival: number, run: number) => {
    if (length === cap) {
      const a = new Float64Array(cap * 2);
      const r = new Float64Array(cap * 2);
      for (let i = 0; i < length; i++) {
        a[i] = waitArrival[(head + i) % cap];
        r[i] = waitRun[(head + i) % cap];
      }
      waitArrival = a;
      waitRun = r;
      head = 0;
      cap *= 2;
    }
    const at = (head + length++) % cap;
    waitArrival[at] = arrival;
    waitRun[at] = run;
  };

  let waits = new Float64Array(1 << 16);
  let measured = 0;
  let submitted = 0;
  let started = 0;
  let completed = 0;
  let waited = 0;
  let busy = 0;
  // Idle nodes, as a stack: a task starts on the node that went idle last.
  const idle = Int32Array.from({ length: nodes }, (_, i) => nodes - 1 - i);
  // Time integrals of busy nodes and queue length over [warmupS, now].
  let busyArea = 0;
  let queueArea = 0;
  let lastChange = warmupS;
  const account = () => {
    const now = sim.now;
    if (now > lastChange) {
      busyArea += busy * (now - lastChange);
      queueArea += length * (now - lastChange);
      lastChange = now;
    }
  };

  const start = (node: number, arrival: number, run: number) => {
    started++;
    const wait = sim.now - arrival;
    if (arrival >= warmupS) {
      if (measured === waits.length) {
        const w = new Float64Array(waits.length * 2);
        w.set(waits);
        waits = w;
      }
      waits[measured++] = wait;
      if (wait > 0) waited++;
    }
    sim.after(run, departure, node);
  };

  const arrival = sim.on("arrival", () => {
    account();
    submitted++;
    const run = runTimes.exponential(1 / meanRunS);
    const next = sim.now + arrivals.exponential(lambda);
    if (next <= durationS) sim.at(next, arrival);
    if (busy < nodes) start(idle[nodes - 1 - busy++], sim.now, run);
    else enqueue(sim.now, run);
  });

  const departure = sim.on("departure", (node) => {
    account();
    completed++;
    if (length > 0) {
      const arrivedAt = waitArrival[head];
      const run = waitRun[head];
      head = (head + 1) % cap;
      length--;
      start(node, arrivedAt, run);
    } else {
      idle[nodes - busy--] = node;
    }
  });

  const first = arrivals.exponential(lambda);
  if (first <= durationS) sim.at(first, arrival);
  const summary = sim.run({ until: durationS });
  account();

  const inOrder = waits.subarray(0, measured);
  const ci = batchMeansInterval(inOrder, 20);
  const sorted = inOrder.slice().sort();
  let sum = 0;
  for (let i = 0; i < measured; i++) sum += sorted[i];
  const window = durationS - warmupS;
  const theory = mmcTheory(lambda, 1 / meanRunS, nodes);
  return {
    simTimeS: summary.simTime,
    events: summary.events,
    wallS: summary.wallS,
    metrics: {
      tasksSubmitted: submitted,
      tasksStarted: started,
      tasksCompleted: completed,
      tasksMeasured: measured,
      waitMeanS: measured > 0 ? sum / measured : NaN,
      waitMeanCi95LowS: ci.low,
      waitMeanCi95HighS: ci.high,
      waitP50S: quantileSorted(sorted, 0.5),
      waitP95S: quantileSorted(sorted, 0.95),
      waitP99S: quantileSorted(sorted, 0.99),
      probWait: measured > 0 ? waited / measured : NaN,
      utilisation: busyArea / window / nodes,
      queueLengthMean: queueArea / window,
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
