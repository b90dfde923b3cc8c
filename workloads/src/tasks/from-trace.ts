import { Empirical, RandomStreams, type Rng } from "@clustersim/sim-core";
import { loadAlibabaDlrm } from "../traces/formats/alibaba-dlrm.js";
import { type AlibabaTask, loadAlibabaV2017Jobs } from "../traces/formats/alibaba-v2017.js";
import { type AzureFunction, loadAzureFunctions } from "../traces/formats/azure-functions.js";
import { loadAzureLlm } from "../traces/formats/azure-llm.js";
import { loadGoogleTaskEvents } from "../traces/formats/google-2011.js";
import { loadK8sManifests } from "../traces/formats/k8s.js";
import { loadOpenbPods } from "../traces/formats/openb.js";
import { loadSwf } from "../traces/formats/swf.js";
import type { LoadOptions } from "../traces/trace-error.js";
import { type Task, task } from "./task.js";

/**
 * Traces as task streams, in arrival order. How each format's fields become a Task is stated per
 * format; where a trace lacks a value the task carries NaN (or the neutral value) rather than a guess.
 * Ids are assigned later, by the workload composer.
 */
export type TaskSource = AsyncGenerator<Task>;

const orNaN = (x: number) => (Number.isFinite(x) ? x : NaN);

/** SWF: one task per job; `procs` processors at once (a processor counts as one core); memory per processor × procs. */
async function* swfTasks(path: string, options: LoadOptions): TaskSource {
  for await (const j of loadSwf(path, options)) {
    const procs = Number.isNaN(j.procs) ? j.reqProcs : j.procs;
    const memPerProc = Number.isNaN(j.reqMemKiB) ? j.usedMemKiB : j.reqMemKiB;
    yield task({
      arrivalS: j.submitS,
      runS: j.runS,
      reqTimeS: j.reqTimeS,
      procs: Number.isNaN(procs) ? 1 : procs,
      cpuMilli: (Number.isNaN(procs) ? 1 : procs) * 1000,
      memoryMiB: Number.isNaN(memPerProc) ? 0 : (memPerProc * (Number.isNaN(procs) ? 1 : procs)) / 1024,
      app: j.user >= 0 ? String(j.user) : "",
    });
  }
}

/**
 * openb pods, in file order (the FGD experiments sample them by index; creation times are kept as
 * arrivals). Several published lists are not in creation order (cpu037 to cpu300, gpushare*): run as
 * they are, those need a transform that times arrivals anew (`sample` with `spacing`); without one the
 * merge refuses them, naming the workload.
 */
async function* openbTasks(path: string, options: LoadOptions): TaskSource {
  for await (const p of loadOpenbPods(path, options)) {
    yield task({
      arrivalS: orNaN(p.creationS),
      runS: p.deletionS - (Number.isNaN(p.scheduledS) ? p.creationS : p.scheduledS),
      cpuMilli: p.cpuMilli,
      memoryMiB: p.memoryMiB,
      gpus: p.numGpu,
      gpuMilli: p.numGpu > 0 ? p.gpuMilli : 0,
      app: p.qos,
    });
  }
}

/**
 * Alibaba v2017: one task per task instance. CPU in cores becomes millicores; memory in the trace is a
 * fraction of a machine, so `memoryMiB` is that fraction times `machineMemoryMiB` (an assumption the
 * scenario states; NaN if it gives none).
 */
async function* alibabaV2017Tasks(path: string, options: LoadOptions, machineMemoryMiB = NaN): TaskSource {
  // The file is nearly, not wholly, in submit order (a row at 51,177 s follows one at 51,179 s): sort its
  // rows (31,756 in the full trace; a stable sort keeps file order on ties), then expand their instances.
  const rows: AlibabaTask[] = [];
  for await (const t of loadAlibabaV2017Jobs(path, options)) rows.push(t);
  rows.sort((a, b) => a.submitS - b.submitS);
  for (const t of rows) {
    for (let i = 0; i < t.instances; i++) {
      yield task({
        arrivalS: t.submitS,
        runS: t.durationS,
        cpuMilli: t.cpu * 1000,
        memoryMiB: t.memory * machineMemoryMiB,
        app: String(t.jobId),
      });
    }
  }
}

/** DLRM instances: those created before the trace start arrive at 0; those never deleted are services (runS NaN). */
async function* dlrmTasks(path: string, options: LoadOptions): TaskSource {
  const rows: Task[] = [];
  for await (const i of loadAlibabaDlrm(path, options)) {
    const arrivalS = Number.isNaN(i.creationS) ? 0 : i.creationS;
    rows.push(
      task({
        arrivalS,
        runS: i.deletionS - arrivalS,
        cpuMilli: i.cpuRequest * 1000,
        memoryMiB: i.memoryRequest * 1024,
        gpus: i.gpuRequest,
        gpuMilli: i.gpuRequest > 0 ? 1000 : 0,
        app: i.app,
      }),
    );
  }
  // The file is ordered by instance, not by time: sort (23,871 rows; a stable sort keeps file order on ties).
  rows.sort((a, b) => a.arrivalS - b.arrivalS);
  yield* rows;
}

/**
 * Azure Functions: each minute's invocations of each function arrive uniformly at random within the
 * minute (seeded); run times are drawn from the function's duration percentiles by linear
 * interpolation between them (as the trace publishes no more), memory is the function's (or app's)
 * average. All functions' per-minute counts are read first (1,440 counts a function), then invocations
 * are emitted minute by minute in time order.
 */
async function* azureFunctionTasks(path: string, options: LoadOptions, rng: Rng): TaskSource {
  const fns: AzureFunction[] = [];
  const durations: Array<Empirical | undefined> = [];
  for await (const f of loadAzureFunctions(path, options)) {
    fns.push(f);
    const p = f.duration?.percentilesMs;
    // Percentile points 0,1,25,50,75,99,100 as a piecewise-linear inverse CDF: 100 equally likely
    // samples at the percentiles 0.5, 1.5, …, 99.5.
    durations.push(
      p
        ? new Empirical(
            Array.from({ length: 100 }, (_, k) => interpolatePercentile(p, k + 0.5)),
            "interpolate",
          )
        : undefined,
    );
  }
  const minutes = fns.reduce((m, f) => Math.max(m, f.perMinute.length), 0);
  for (let m = 0; m < minutes; m++) {
    const batch: Task[] = [];
    fns.forEach((f, i) => {
      for (let k = 0; k < f.perMinute[m]; k++) {
        const d = durations[i];
        batch.push(
          task({
            arrivalS: 60 * (m + rng.next()),
            runS: d ? d.sample(rng) / 1000 : NaN,
            memoryMiB: f.memory?.averageMiB ?? 0,
            app: f.function,
          }),
        );
      }
    });
    batch.sort((a, b) => a.arrivalS - b.arrivalS);
    yield* batch;
  }
}

function interpolatePercentile(
  p: Record<"p0" | "p1" | "p25" | "p50" | "p75" | "p99" | "p100", number>,
  q: number,
): number {
  const pts: Array<[number, number]> = [
    [0, p.p0],
    [1, p.p1],
    [25, p.p25],
    [50, p.p50],
    [75, p.p75],
    [99, p.p99],
    [100, p.p100],
  ];
  for (let i = 1; i < pts.length; i++) {
    const [q0, v0] = pts[i - 1];
    const [q1, v1] = pts[i];
    if (q <= q1) return v0 + ((q - q0) / (q1 - q0)) * (v1 - v0);
  }
  return p.p100;
}

/** Azure LLM requests: arrival and token counts; the run time depends on the serving model, so it is NaN. */
async function* azureLlmTasks(path: string, options: LoadOptions): TaskSource {
  for await (const r of loadAzureLlm(path, options)) {
    yield task({ arrivalS: r.arrivalS, inputTokens: r.contextTokens, outputTokens: r.generatedTokens, app: "llm" });
  }
}

/** Google 2011: SUBMIT events become tasks; requests are fractions of the largest machine, scaled by the given machine size. */
async function* googleTasks(
  path: string,
  options: LoadOptions,
  machine: { cpuMilli: number; memoryMiB: number },
): TaskSource {
  for await (const e of loadGoogleTaskEvents(path, options)) {
    if (e.eventType !== 0) continue;
    yield task({
      arrivalS: e.timeS,
      cpuMilli: e.cpuRequest * machine.cpuMilli,
      memoryMiB: e.memoryRequest * machine.memoryMiB,
      priority: e.priority,
      app: String(e.jobId),
    });
  }
}

/** Kubernetes manifests: every pod arrives at time 0 and runs as a service; Nodes are ignored here (they describe a cluster). */
async function* k8sTasks(path: string, options: LoadOptions): TaskSource {
  for await (const o of loadK8sManifests(path, options)) {
    if (o.kind !== "Pod") continue;
    yield task({
      arrivalS: 0,
      cpuMilli: o.requests.cpuMilli,
      memoryMiB: o.requests.memoryMiB,
      gpus: o.requests.gpus,
      gpuMilli: o.requests.gpus > 0 ? 1000 : 0,
      runtime: o.runtimeClassName,
      app: o.owner || o.name,
    });
  }
}

export interface TraceTaskOptions extends LoadOptions {
  /** Seed and stream for formats that need random draws (azure-functions). */
  streams?: RandomStreams;
  /**
   * Name of the random stream those draws come from (default "trace:azure-functions"). Callers name it
   * after the workload, never after the file's path, so that results do not depend on where it lies.
   */
  streamName?: string;
  /** Machine size for traces whose requests are fractions of a machine (alibaba-v2017-jobs, google-2011-task-events). */
  machine?: { cpuMilli: number; memoryMiB: number };
}

export const TASK_FORMATS = [
  "swf",
  "openb-pods",
  "alibaba-v2017-jobs",
  "alibaba-dlrm",
  "azure-functions",
  "azure-llm",
  "google-2011-task-events",
  "k8s",
] as const;
export type TaskFormat = (typeof TASK_FORMATS)[number];

export function traceTasks(format: TaskFormat, path: string, options: TraceTaskOptions = {}): TaskSource {
  const machine = options.machine ?? { cpuMilli: NaN, memoryMiB: NaN };
  switch (format) {
    case "swf":
      return swfTasks(path, options);
    case "openb-pods":
      return openbTasks(path, options);
    case "alibaba-v2017-jobs":
      return alibabaV2017Tasks(path, options, machine.memoryMiB);
    case "alibaba-dlrm":
      return dlrmTasks(path, options);
    case "azure-functions":
      return azureFunctionTasks(
        path,
        options,
        (options.streams ?? new RandomStreams(0)).get(options.streamName ?? "trace:azure-functions"),
      );
    case "azure-llm":
      return azureLlmTasks(path, options);
    case "google-2011-task-events":
      return googleTasks(path, options, machine);
    case "k8s":
      return k8sTasks(path, options);
  }
}
