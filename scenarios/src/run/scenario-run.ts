import { dirname } from "node:path";
import { runBatchAsync, runClusterAsync, Sample, TimeIntegral } from "@clustersim/engine";
import { FailureProcess, nodeCost } from "@clustersim/hardware-models";
import { createPlacement, type Pod, strategy as registered } from "@clustersim/schedulers";
import { RandomStreams, type Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { type ComposedCluster, composeCluster } from "../compose/cluster.js";
import { checkUserParams, loadUserStrategy } from "../compose/user-strategy.js";
import { composeWorkload } from "../compose/workload.js";
import { SpecError } from "../spec/load-spec.js";
import type { ScenarioSpec } from "../spec/schema.js";
import { HardwareEffects } from "./hardware-effects.js";

/**
 * A scenario file run end to end: its cluster, its workload (streamed), its scheduler (a placement
 * strategy in the online run, or a queue policy in the batch run), until its duration. Every headline
 * metric carries its unit in its key. Per-task rows and decision records go to callbacks as they
 * happen, so the caller can stream them to files.
 *
 * Online runs apply the hardware models (./hardware-effects.ts: sandbox runtimes, CXL pools, NIC and
 * DPU). Not yet modelled in scenario runs: the hardware effects in batch runs, autoscalers and faults;
 * the summary says so.
 */
export interface ScenarioRunOptions {
  seed?: number;
  /** One CSV line per task that finished (TASK_CSV_HEADER). */
  onTaskRow?(line: string): void;
  /** One JSON line per scheduling decision, when the scenario asks for decision records. */
  onDecision?(line: string): void;
  /** One CSV line per time-series sample (TIMESERIES_CSV_HEADER): the cluster, then each node group. */
  onTimeseriesRow?(line: string): void;
  /** With `outputs.replay`: the replay file's lines (REPLAY_FORMAT), header first, then events in time order. */
  onReplayLine?(line: string): void;
  /** Called at each sample with simulated time and events so far: for a progress display only. */
  onProgress?(simTimeS: number, durationS: number, events: number): void;
}

/**
 * The replay file (replay.jsonl), version 1, what the viewer reads: a JSON header line
 * `{ format, version, scenario, seed, scheduler, durationS, groups, nodes: [[group, cpuMilli, memoryMiB, gpus], ...] }`,
 * then one JSON array per event in time order: `[t, "a", task, cpuMilli, memoryMiB, gpuMilli]` arrival,
 * `[t, "s", task, node]` start, `[t, "f", task, node]` finish, `[t, "k", task, node]` killed,
 * `[t, "d", node]` node down, `[t, "u", node]` node up (node -1: a batch job over several nodes).
 */
export const REPLAY_FORMAT = { format: "clustersim-replay", version: 1 } as const;

export const TIMESERIES_CSV_HEADER =
  "timeS,group,running,waiting,cpuAllocatedFraction,memoryAllocatedFraction,gpuAllocatedFraction";

/** One row per task: finished, still running at the end (no endS), or never started (no startS); `state` says which. */
export const TASK_CSV_HEADER = "id,app,state,arrivalS,startS,endS,waitS,node,cpuMilli,memoryMiB,gpus,gpuMilli,procs";

export interface ScenarioRunResult {
  summary: Record<string, unknown>;
  events: number;
  wallS: number;
}

/** How many leading tasks a strategy that learns the workload's shape (FGD) may look at. */
const WORKLOAD_SAMPLE = 100_000;

export async function runScenario(
  spec: ScenarioSpec,
  file: string,
  o: ScenarioRunOptions = {},
): Promise<ScenarioRunResult> {
  const baseDir = dirname(file);
  const seed = o.seed ?? spec.seed;
  const sched = spec.scheduler;
  if (sched.plugin !== undefined)
    checkUserParams(await loadUserStrategy(sched.plugin, baseDir, file, sched.name), sched.params, file);
  const entry = registered(sched.name)!;
  const cluster = await composeCluster(spec, baseDir);
  const state = cluster.state;
  const streams = new RandomStreams(seed);
  const tasks = () => composeWorkload(spec, { baseDir, seed });

  let capCpu = 0;
  let capMem = 0;
  let capGpu = 0;
  const pools = new Set<number>();
  for (let n = 0; n < state.nodeCount; n++) {
    capCpu += state.allocatableCpuMilli(n);
    capMem += state.allocatableMemoryMiB(n);
    capGpu += state.gpuCount(n) * 1000;
    if (state.poolOf(n) >= 0) pools.add(state.poolOf(n));
  }
  // Memory capacity includes the CXL pools tasks may spill into.
  for (const p of pools) capMem += state.poolFreeMiB(p);
  let effects: HardwareEffects | undefined;
  const replay = spec.outputs.replay ? o.onReplayLine : undefined;
  if (replay) {
    const nodes = Array.from({ length: state.nodeCount }, (_, n) => [
      cluster.nodeGroup[n],
      state.allocatableCpuMilli(n),
      state.allocatableMemoryMiB(n),
      state.gpuCount(n),
    ]);
    replay(
      JSON.stringify({
        ...REPLAY_FORMAT,
        scenario: spec.name ?? file,
        seed,
        scheduler: sched.name,
        durationS: spec.duration,
        groups: cluster.groups,
        nodes,
      }),
    );
  }
  const ev = (...e: (number | string)[]) => replay?.(JSON.stringify(e));
  // Power is linear in CPU utilisation per node (hardware-models powerW): idle watts while up, plus
  // (peak − idle) × allocated/capacity, integrated as one sum over nodes.
  const dynamicW = new TimeIntegral();
  const slopeW = new Float64Array(state.nodeCount);
  let idleW = 0;
  for (let n = 0; n < state.nodeCount; n++) {
    const pm = cluster.powerOf(n);
    idleW += pm.idleW;
    const cap = state.allocatableCpuMilli(n);
    slopeW[n] = cap > 0 ? (pm.peakW - pm.idleW) / cap : 0;
  }
  // Per node group (index groups.length = the whole cluster): allocated CPU, memory, GPU and tasks.
  const G = cluster.groups.length;
  const gAlloc = new Float64Array((G + 1) * 4);
  const gCap = new Float64Array((G + 1) * 3);
  for (let n = 0; n < state.nodeCount; n++) {
    for (const g of [cluster.nodeGroup[n], G]) {
      gCap[g * 3] += state.allocatableCpuMilli(n);
      gCap[g * 3 + 1] += state.allocatableMemoryMiB(n);
      gCap[g * 3 + 2] += state.gpuCount(n) * 1000;
    }
  }
  const account = (t: Task, node: number, sign: number) => {
    // Batch runs place a job's tasks on several nodes: they are counted for the cluster only (node -1).
    for (const g of node < 0 ? [G] : [cluster.nodeGroup[node], G]) {
      gAlloc[g * 4] += sign * t.cpuMilli;
      gAlloc[g * 4 + 1] += sign * memOf(t);
      gAlloc[g * 4 + 2] += sign * t.gpus * t.gpuMilli;
      gAlloc[g * 4 + 3] += sign;
    }
  };
  const frac = (a: number, c: number) => (c > 0 ? num(a / c) : "");
  const sample = (nowS: number, waiting: number, events: number) => {
    o.onProgress?.(nowS, spec.duration, events);
    if (!o.onTimeseriesRow) return;
    for (let g = G; g >= (entry.kind === "queue" ? G : 0); g--) {
      const name = g === G ? "cluster" : cluster.groups[g];
      o.onTimeseriesRow(
        `${num(nowS)},${csvText(name)},${gAlloc[g * 4 + 3]},${g === G ? waiting : ""},${frac(gAlloc[g * 4], gCap[g * 3])},${frac(gAlloc[g * 4 + 1], gCap[g * 3 + 1])},${frac(gAlloc[g * 4 + 2], gCap[g * 3 + 2])}`,
      );
    }
  };
  const waits = new Sample();
  const completions = new Sample();
  let bsldSum = 0;
  let completed = 0;
  const cpu = new TimeIntegral();
  const mem = new TimeIntegral();
  const gpu = new TimeIntegral();
  // Memory as placed: with a sandbox runtime, its per-instance overhead too.
  const memOf = (t: Task) => (effects && t.runtime !== "" ? effects.request(t).memoryMiB : t.memoryMiB);
  const started = (t: Task, nowS: number) => {
    waits.add(nowS - t.arrivalS);
    cpu.add(t.cpuMilli, nowS);
    mem.add(memOf(t), nowS);
    gpu.add(t.gpus * t.gpuMilli, nowS);
  };
  const stopped = (t: Task, nowS: number) => {
    cpu.add(-t.cpuMilli, nowS);
    mem.add(-memOf(t), nowS);
    gpu.add(-t.gpus * t.gpuMilli, nowS);
  };
  const taskRow = (t: Task, state: string, startS: number, endS: number, node: number) =>
    o.onTaskRow?.(
      `${t.id},${csvText(t.app)},${state},${num(t.arrivalS)},${num(startS)},${num(endS)},${num(startS - t.arrivalS)},${node < 0 ? "" : node},${num(t.cpuMilli)},${num(t.memoryMiB)},${t.gpus},${t.gpuMilli},${t.procs}`,
    );
  const finished = (t: Task, node: number, nowS: number, startS: number) => {
    stopped(t, nowS);
    completions.add(nowS - t.arrivalS);
    // Bounded slowdown against the task's nominal run time: stretching by the hardware counts too.
    bsldSum += Math.max(1, (nowS - t.arrivalS) / Math.max(t.runS, 10));
    completed++;
    taskRow(t, "finished", startS, nowS, node);
  };

  let counts: {
    submitted: number;
    preempted: number;
    neverScheduled: number;
    tooLarge: number;
    killed: number;
    failed: number;
    runningAtEnd: number;
  };
  let events: number;
  let wallS: number;
  let simTimeS: number;
  if (entry.kind === "queue") {
    const params = entry.params.parse(sched.params) as { backfill: "none" | "easy"; placement: string };
    const placement = createPlacement(params.placement, {}, { rng: streams.get("scheduler") });
    const r = await runBatchAsync({
      cluster: state,
      placement,
      policy: sched.name as never,
      backfill: params.backfill === "easy",
      jobs: tasks(),
      seed,
      untilS: spec.duration,
      onStart: (t, now) => {
        started(t, now);
        account(t, -1, 1);
        ev(now, "s", t.id, -1);
      },
      onFinish: (t, now) => {
        finished(t, -1, now, now - t.runS);
        account(t, -1, -1);
        ev(now, "f", t.id, -1);
      },
      onArrive: (t, now) => ev(now, "a", t.id, t.cpuMilli, t.memoryMiB, t.gpus * t.gpuMilli),
      sampleEveryS: spec.outputs.timeseriesInterval,
      onSample: sample,
    });
    counts = {
      submitted: r.submitted,
      preempted: r.preempted,
      neverScheduled: r.neverScheduled,
      tooLarge: 0,
      killed: 0,
      failed: 0,
      runningAtEnd: r.unfinished.length,
    };
    for (const u of r.unfinished) taskRow(u.task, "running", u.startS, NaN, -1);
    for (const t of r.unplaced) taskRow(t, "unplaced", NaN, NaN, -1);
    ({ events, wallS, simTime: simTimeS } = r.run);
  } else {
    const workload: Pod[] = [];
    if (sched.name === "fgd") {
      for await (const t of tasks()) {
        workload.push(t as Pod);
        if (workload.length >= WORKLOAD_SAMPLE) break;
      }
    }
    const placement = createPlacement(sched.name, sched.params, { rng: streams.get("scheduler"), workload });
    placement.record = spec.outputs.decisions;
    effects = new HardwareEffects(spec, cluster, streams);
    const r = await runClusterAsync({
      cluster: state,
      strategy: placement,
      tasks: tasks(),
      seed,
      untilS: spec.duration,
      effects,
      faults:
        spec.faults.length > 0 ? (sim, down, up) => installFaults(spec, cluster, sim, streams, down, up) : undefined,
      onStart: (t, n, now) => {
        started(t, now);
        dynamicW.add(slopeW[n] * t.cpuMilli, now);
        account(t, n, 1);
        ev(now, "s", t.id, n);
      },
      onFinish: (t, n, now, startS) => {
        finished(t, n, now, startS);
        dynamicW.add(-slopeW[n] * t.cpuMilli, now);
        account(t, n, -1);
        ev(now, "f", t.id, n);
      },
      onKill: (t, n, now) => {
        stopped(t, now);
        dynamicW.add(-slopeW[n] * t.cpuMilli, now);
        account(t, n, -1);
        ev(now, "k", t.id, n);
      },
      onArrive: (t, now) => ev(now, "a", t.id, t.cpuMilli, t.memoryMiB, t.gpus * t.gpuMilli),
      onNodeState: (n, up, now) => ev(now, up ? "u" : "d", n),
      sampleEveryS: spec.outputs.timeseriesInterval,
      onSample: sample,
      onDecision: o.onDecision
        ? (t, rec, now) => o.onDecision!(JSON.stringify({ timeS: now, task: t.id, ...rec }))
        : undefined,
    });
    counts = {
      submitted: r.submitted,
      preempted: 0,
      neverScheduled: r.neverScheduled,
      tooLarge: r.tooLarge,
      killed: r.killed,
      failed: r.failed,
      runningAtEnd: r.unfinished.length,
    };
    for (const u of r.unfinished) taskRow(u.task, "running", u.startS, NaN, u.node);
    for (const t of r.unplaced) taskRow(t, "unplaced", NaN, NaN, -1);
    ({ events, wallS, simTime: simTimeS } = r.run);
  }

  const w = waits.summary();
  const c = completions.summary();
  const end = Math.max(simTimeS, 1e-9);
  const summary = {
    scheduler: sched.name,
    simTimeS,
    events,
    tasksSubmitted: counts.submitted,
    tasksStarted: waits.count,
    tasksCompleted: completed,
    tasksRunningAtEnd: counts.runningAtEnd,
    tasksFailed: counts.failed,
    taskRunsKilled: counts.killed,
    tasksPreempted: counts.preempted,
    tasksNeverScheduled: counts.neverScheduled,
    tasksLargerThanAnyNode: counts.tooLarge,
    waitMeanS: w.mean,
    waitP50S: w.p50,
    waitP95S: w.p95,
    waitP99S: w.p99,
    completionMeanS: c.mean,
    completionP50S: c.p50,
    completionP95S: c.p95,
    completionP99S: c.p99,
    boundedSlowdownMean: completed > 0 ? bsldSum / completed : NaN,
    cpuAllocatedFraction: capCpu > 0 ? cpu.average(end) / capCpu : 0,
    memoryAllocatedFraction: capMem > 0 ? mem.average(end) / capMem : 0,
    gpuAllocatedFraction: capGpu > 0 ? gpu.average(end) / capGpu : 0,
    ...hardwareMetrics(effects, state, end),
    ...(entry.kind === "queue" ? {} : energyAndCost(cluster, idleW, dynamicW.average(end), end)),
    notModelled:
      entry.kind === "queue"
        ? ["hardware effects in batch runs", "autoscalers", "faults in batch runs"]
        : ["autoscalers"],
  };
  return { summary, events, wallS };
}

/**
 * The scenario's faults on the run's simulation: independent node failures (per node group or all
 * nodes) and scheduled outages of racks, CXL pools or DPUs (`index` counts the domains of that kind).
 */
function installFaults(
  spec: ScenarioSpec,
  cluster: ComposedCluster,
  sim: Simulation,
  streams: RandomStreams,
  down: (n: number) => void,
  up: (n: number) => void,
): void {
  const fp = new FailureProcess(sim, cluster.state.nodeCount, { onDown: down, onUp: up }, cluster.domains);
  spec.faults.forEach((f, i) => {
    if (f.type === "node-failures") {
      const g = f.nodeGroup === undefined ? -1 : cluster.groups.indexOf(f.nodeGroup);
      if (f.nodeGroup !== undefined && g < 0)
        throw new SpecError([
          `faults[${i}].nodeGroup: expected one of ${cluster.groups.join(", ")}, found "${f.nodeGroup}"`,
        ]);
      const only =
        g < 0
          ? undefined
          : Array.from({ length: cluster.state.nodeCount }, (_, n) => n).filter((n) => cluster.nodeGroup[n] === g);
      fp.startNodeFailures(
        { mtbfS: f.mtbf, mttrS: f.mttr, distribution: f.distribution, shape: f.weibullShape },
        streams.get(`faults/${i}`),
        only,
      );
    } else {
      const ofKind = cluster.domains.map((d, k) => [d, k] as const).filter(([d]) => d.kind === f.domain);
      if (ofKind.length === 0)
        throw new SpecError([
          `faults[${i}].domain: the cluster has no ${f.domain} domains (racks come from nodesPerRack, pools from cxlPool)`,
        ]);
      if (f.index >= ofKind.length)
        throw new SpecError([
          `faults[${i}].index: expected a ${f.domain} index in 0..${ofKind.length - 1}, found ${f.index}`,
        ]);
      fp.scheduleOutage({ domain: ofKind[f.index][1], atS: f.at, repairS: f.repair });
    }
  });
}

/**
 * Energy over the run (idle power of every node the whole time, an upper bound while nodes fail;
 * dynamic power from allocated CPU) and, where node groups have prices, their cost for the run's span.
 */
function energyAndCost(
  cluster: ComposedCluster,
  idleW: number,
  meanDynamicW: number,
  endS: number,
): Record<string, number> {
  const out: Record<string, number> = { energyKWh: ((idleW + meanDynamicW) * endS) / 3.6e6 };
  let cost = 0;
  let priced = false;
  for (let n = 0; n < cluster.state.nodeCount; n++) {
    const price = cluster.priceOf(n);
    if (!price) continue;
    priced = true;
    cost += nodeCost(price, endS);
  }
  if (priced) out.cost = cost;
  return out;
}

/** What the hardware models did, where they did anything. */
function hardwareMetrics(
  e: HardwareEffects | undefined,
  state: ComposedCluster["state"],
  endS: number,
): Record<string, number> {
  if (!e) return {};
  const c = e.counters;
  const out: Record<string, number> = { runTimeStretchMean: c.placed > 0 ? c.stretchSum / c.placed : 1 };
  const starts = c.coldStarts + c.warmStarts;
  if (starts > 0) {
    out.coldStarts = c.coldStarts;
    out.coldStartRate = c.coldStarts / starts;
    out.startLatencyMeanS = c.startLatencySumS / starts;
  }
  let pools = 0;
  for (let n = 0; n < state.nodeCount; n++) pools = Math.max(pools, state.poolOf(n) + 1);
  if (pools > 0) {
    let capacity = 0;
    for (let p = 0; p < pools; p++) capacity += state.poolFreeMiB(p) + state.poolUsedMiB(p);
    out.cxlPoolAllocatedFraction = capacity > 0 ? e.pooledMiB.average(endS) / capacity : 0;
    out.cxlPooledTasks = c.pooledTasks;
    out.cxlSlowdownMean = c.pooledTasks > 0 ? c.cxlSlowdownSum / c.pooledTasks : 0;
  }
  return out;
}

/** Numbers in CSV: shortest round-trip form, fixed for the same value. */
const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : "");
const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
