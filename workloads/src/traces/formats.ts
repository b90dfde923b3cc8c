import { loadAlibabaDlrm } from "./formats/alibaba-dlrm.js";
import { type AlibabaTask, loadAlibabaV2017Jobs } from "./formats/alibaba-v2017.js";
import { loadAzureFunctions } from "./formats/azure-functions.js";
import { loadAzureLlm } from "./formats/azure-llm.js";
import { loadGoogleTaskEvents } from "./formats/google-2011.js";
import { type K8sObject, loadK8sManifests } from "./formats/k8s.js";
import { loadOpenbNodes, loadOpenbPods } from "./formats/openb.js";
import { loadSwf } from "./formats/swf.js";
import type { LoadOptions } from "./trace-error.js";

/**
 * Every trace format by the name used on the command line and in scenario files, with what
 * `trace-stats` reports for it: the time of a record (seconds, NaN if none) and its resource requests
 * (units in the names). A format may count more (`extra`), e.g. jobs and instances.
 */
// biome-ignore lint/suspicious/noExplicitAny: formats of every record type live in one table
export interface TraceFormat<R = any> {
  name: string;
  description: string;
  load(path: string, options?: LoadOptions): AsyncGenerator<R>;
  timeS?(record: R): number;
  resources: Record<string, (record: R) => number>;
  extra?(): { add(record: R): void; result(): Record<string, number> };
}

function define<R>(format: TraceFormat<R>): TraceFormat<R> {
  return format;
}

const ifKind =
  <K extends K8sObject["kind"]>(kind: K, f: (o: Extract<K8sObject, { kind: K }>) => number) =>
  (o: K8sObject) =>
    o.kind === kind ? f(o as Extract<K8sObject, { kind: K }>) : NaN;

export const TRACE_FORMATS: Record<string, TraceFormat> = {
  swf: define({
    name: "swf",
    description: "Standard Workload Format (.swf, .swf.gz): parallel jobs",
    load: loadSwf,
    timeS: (j) => j.submitS,
    resources: {
      procs: (j) => (Number.isNaN(j.procs) ? j.reqProcs : j.procs),
      runS: (j) => j.runS,
      reqTimeS: (j) => j.reqTimeS,
    },
  }),
  "openb-nodes": define({
    name: "openb-nodes",
    description: "Alibaba GPU v2023 (openb) node list",
    load: loadOpenbNodes,
    resources: { cpuMilli: (n) => n.cpuMilli, memoryMiB: (n) => n.memoryMiB, gpus: (n) => n.gpus },
  }),
  "openb-pods": define({
    name: "openb-pods",
    description: "Alibaba GPU v2023 (openb) pod list",
    load: loadOpenbPods,
    timeS: (p) => p.creationS,
    resources: {
      cpuMilli: (p) => p.cpuMilli,
      memoryMiB: (p) => p.memoryMiB,
      numGpu: (p) => p.numGpu,
      gpuMilli: (p) => p.numGpu * p.gpuMilli,
    },
  }),
  "alibaba-v2017-jobs": define<AlibabaTask>({
    name: "alibaba-v2017-jobs",
    description: "Alibaba v2017 batch jobs (CloudSimPy jobs.csv): one line per task",
    load: loadAlibabaV2017Jobs,
    timeS: (t) => t.submitS,
    resources: {
      cpu: (t) => t.cpu * t.instances,
      memory: (t) => t.memory * t.instances,
      disk: (t) => t.disk * t.instances,
      durationS: (t) => t.durationS,
    },
    extra: () => {
      const jobs = new Set<number>();
      let tasks = 0;
      let instances = 0;
      return {
        add: (t) => {
          jobs.add(t.jobId);
          tasks++;
          instances += t.instances;
        },
        result: () => ({ jobs: jobs.size, tasks, instances }),
      };
    },
  }),
  "alibaba-dlrm": define({
    name: "alibaba-dlrm",
    description: "Alibaba GPU v2025 disaggregated DLRM serving instances",
    load: loadAlibabaDlrm,
    timeS: (i) => i.creationS,
    resources: {
      cpu: (i) => i.cpuRequest,
      gpu: (i) => i.gpuRequest,
      rdmaPct: (i) => i.rdmaRequest,
      memoryGiB: (i) => i.memoryRequest,
      diskGiB: (i) => i.diskRequest,
    },
  }),
  "azure-functions": define({
    name: "azure-functions",
    description: "Azure Functions 2019: a directory (or invocations file) with durations and memory",
    load: loadAzureFunctions,
    resources: {
      invocations: (f) => f.perMinute.reduce((a, b) => a + b, 0),
      durationAvgMs: (f) => f.duration?.averageMs ?? NaN,
      memoryAvgMiB: (f) => f.memory?.averageMiB ?? NaN,
    },
    extra: () => {
      let first = Infinity;
      let last = -Infinity;
      return {
        add: (f) => {
          const i = f.perMinute.findIndex((n) => n > 0);
          if (i >= 0) first = Math.min(first, i);
          const j = f.perMinute.findLastIndex((n) => n > 0);
          if (j >= 0) last = Math.max(last, j);
        },
        // Minute m covers [60·m, 60·(m+1)) seconds of the day.
        result: (): Record<string, number> => (first === Infinity ? {} : { firstS: first * 60, lastS: last * 60 + 60 }),
      };
    },
  }),
  "azure-llm": define({
    name: "azure-llm",
    description: "Azure LLM inference 2023 requests",
    load: loadAzureLlm,
    timeS: (r) => r.arrivalS,
    resources: { contextTokens: (r) => r.contextTokens, generatedTokens: (r) => r.generatedTokens },
  }),
  "google-2011-task-events": define({
    name: "google-2011-task-events",
    description: "Google cluster-data 2011 task events (CSV, no header)",
    load: loadGoogleTaskEvents,
    timeS: (e) => e.timeS,
    resources: {
      cpuRequest: (e) => e.cpuRequest,
      memoryRequest: (e) => e.memoryRequest,
      diskRequest: (e) => e.diskRequest,
    },
  }),
  k8s: define<K8sObject>({
    name: "k8s",
    description: "Kubernetes manifests (Node, Pod, Deployment, ReplicaSet, StatefulSet, Job, List)",
    load: loadK8sManifests,
    resources: {
      podCpuMilli: ifKind("Pod", (p) => p.requests.cpuMilli),
      podMemoryMiB: ifKind("Pod", (p) => p.requests.memoryMiB),
      podGpus: ifKind("Pod", (p) => p.requests.gpus),
      nodeCpuMilli: ifKind("Node", (n) => n.allocatable.cpuMilli),
      nodeMemoryMiB: ifKind("Node", (n) => n.allocatable.memoryMiB),
      nodeGpus: ifKind("Node", (n) => n.allocatable.gpus),
    },
    extra: () => {
      const n = { pods: 0, nodes: 0 };
      return { add: (o) => void (o.kind === "Pod" ? n.pods++ : n.nodes++), result: () => n };
    },
  }),
};

export const TRACE_FORMAT_NAMES = Object.keys(TRACE_FORMATS);
