import { dirname } from "node:path";
import { createPlacement, strategy as registered, type Pod } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { composeCluster } from "../compose/cluster.js";
import { checkUserParams, loadUserStrategy } from "../compose/user-strategy.js";
import { composeWorkload } from "../compose/workload.js";
import type { ScenarioSpec } from "../spec/schema.js";
import type { Task } from "../workload/task.js";
import { runBatchAsync } from "./batch-run.js";
import { runClusterAsync } from "./cluster-run.js";
import { Sample, TimeIntegral } from "./metrics.js";

/**
 * A scenario file run end to end: its cluster, its workload (streamed), its scheduler (a placement
 * strategy in the online run, or a queue policy in the batch run), until its duration. Every headline
 * metric carries its unit in its key. Per-task rows and decision records go to callbacks as they
 * happen, so the caller can stream them to files.
 *
 * Not yet modelled in scenario runs: the hardware section's effects (CXL slowdown, sandbox start
 * latency and memory overhead, DPU saturation), autoscalers and faults; the summary says so.
 */
export interface ScenarioRunOptions {
  seed?: number;
  /** One CSV line per task that finished (TASK_CSV_HEADER). */
  onTaskRow?(line: string): void;
  /** One JSON line per scheduling decision, when the scenario asks for decision records. */
  onDecision?(line: string): void;
}

export const TASK_CSV_HEADER = "id,app,arrivalS,startS,endS,waitS,node,cpuMilli,memoryMiB,gpus,gpuMilli,procs";

export interface ScenarioRunResult {
  summary: Record<string, unknown>;
  events: number;
  wallS: number;
}

/** How many leading tasks a strategy that learns the workload's shape (FGD) may look at. */
const WORKLOAD_SAMPLE = 100_000;

export async function runScenario(spec: ScenarioSpec, file: string, o: ScenarioRunOptions = {}): Promise<ScenarioRunResult> {
  const baseDir = dirname(file);
  const seed = o.seed ?? spec.seed;
  const sched = spec.scheduler;
  if (sched.plugin !== undefined) checkUserParams(await loadUserStrategy(sched.plugin, baseDir, file, sched.name), sched.params, file);
  const entry = registered(sched.name)!;
  const cluster = await composeCluster(spec, baseDir);
  const state = cluster.state;
  const streams = new RandomStreams(seed);
  const tasks = () => composeWorkload(spec, { baseDir, seed });

  let capCpu = 0;
  let capMem = 0;
  let capGpu = 0;
  for (let n = 0; n < state.nodeCount; n++) {
    capCpu += state.allocatableCpuMilli(n);
    capMem += state.allocatableMemoryMiB(n);
    capGpu += state.gpuCount(n) * 1000;
  }
  const waits = new Sample();
  const completions = new Sample();
  let bsldSum = 0;
  let completed = 0;
  const cpu = new TimeIntegral();
  const mem = new TimeIntegral();
  const gpu = new TimeIntegral();
  const started = (t: Task, nowS: number) => {
    waits.add(nowS - t.arrivalS);
    cpu.add(t.cpuMilli, nowS);
    mem.add(t.memoryMiB, nowS);
    gpu.add(t.gpus * t.gpuMilli, nowS);
  };
  const finished = (t: Task, node: number, nowS: number) => {
    cpu.add(-t.cpuMilli, nowS);
    mem.add(-t.memoryMiB, nowS);
    gpu.add(-t.gpus * t.gpuMilli, nowS);
    const startS = nowS - t.runS;
    const wait = startS - t.arrivalS;
    completions.add(nowS - t.arrivalS);
    bsldSum += Math.max(1, (wait + t.runS) / Math.max(t.runS, 10));
    completed++;
    o.onTaskRow?.(`${t.id},${csvText(t.app)},${num(t.arrivalS)},${num(startS)},${num(nowS)},${num(wait)},${node},${num(t.cpuMilli)},${num(t.memoryMiB)},${t.gpus},${t.gpuMilli},${t.procs}`);
  };

  let counts: { submitted: number; preempted: number; neverScheduled: number };
  let events: number;
  let wallS: number;
  let simTimeS: number;
  if (entry.kind === "queue") {
    const params = entry.params.parse(sched.params) as { backfill: "none" | "easy"; placement: string };
    const placement = createPlacement(params.placement, {}, { rng: streams.get("scheduler") });
    const r = await runBatchAsync({
      cluster: state, placement, policy: sched.name as never, backfill: params.backfill === "easy", jobs: tasks(), seed, untilS: spec.duration,
      onStart: (t, now) => started(t, now), onFinish: (t, now) => finished(t, -1, now),
    });
    counts = { submitted: r.submitted, preempted: r.preempted, neverScheduled: r.neverScheduled };
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
    const r = await runClusterAsync({
      cluster: state, strategy: placement, tasks: tasks(), seed, untilS: spec.duration,
      onStart: (t, _n, now) => started(t, now), onFinish: (t, n, now) => finished(t, n, now),
      onDecision: o.onDecision ? (t, rec, now) => o.onDecision!(JSON.stringify({ timeS: now, task: t.id, ...rec })) : undefined,
    });
    counts = { submitted: r.submitted, preempted: 0, neverScheduled: r.neverScheduled };
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
    tasksRunningAtEnd: waits.count - completed,
    tasksFailed: 0,
    tasksPreempted: counts.preempted,
    tasksNeverScheduled: counts.neverScheduled,
    waitMeanS: w.mean, waitP50S: w.p50, waitP95S: w.p95, waitP99S: w.p99,
    completionMeanS: c.mean, completionP50S: c.p50, completionP95S: c.p95, completionP99S: c.p99,
    boundedSlowdownMean: completed > 0 ? bsldSum / completed : NaN,
    cpuAllocatedFraction: capCpu > 0 ? cpu.average(end) / capCpu : 0,
    memoryAllocatedFraction: capMem > 0 ? mem.average(end) / capMem : 0,
    gpuAllocatedFraction: capGpu > 0 ? gpu.average(end) / capGpu : 0,
    notModelled: ["hardware effects (CXL slowdown, sandbox start latency and memory overhead, DPU saturation)", "autoscalers", "faults"],
  };
  return { summary, events, wallS };
}

/** Numbers in CSV: shortest round-trip form, fixed for the same value. */
const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : "");
const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
