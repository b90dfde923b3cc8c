/**
 * @clustersim/workloads: task streams. Streaming loaders for the public trace formats, workload
 * generators (Poisson, rate curves, MMPP, serverless functions), transforms, merging, and the units
 * researchers write (durations, Kubernetes quantities).
 */

export { type DistSpec, type Sampler, sampler } from "./generators/distributions.js";
export {
  AZURE_2019_FIT,
  type FunctionsSpec,
  functionsWorkload,
  type MmppState,
  mmppWorkload,
  poissonWorkload,
  rateCurveWorkload,
  type TaskTemplate,
  type Window,
} from "./generators/generators.js";
export { inverseCdf, normalQuantile } from "./generators/inverse-cdf.js";
export { RateCurve, type RateSpec, rateFromArrivals, thinnedArrivals } from "./generators/rate-curves.js";
export {
  TASK_FORMATS,
  type TaskFormat,
  type TaskSource,
  type TraceTaskOptions,
  traceTasks,
} from "./tasks/from-trace.js";
export { mergeByArrival } from "./tasks/merge.js";
export { gpuDemand, TASK_NUMERIC_FIELDS, type Task, type TaskNumericField, task } from "./tasks/task.js";
export { applyTransforms, type Transform } from "./tasks/transforms.js";
export { type DlrmInstance, loadAlibabaDlrm } from "./traces/formats/alibaba-dlrm.js";
export { type AlibabaTask, loadAlibabaV2017Jobs } from "./traces/formats/alibaba-v2017.js";
export {
  type AzureFunction,
  type DurationStats,
  loadAzureFunctions,
  locateAzureFunctionFiles,
  type MemoryStats,
} from "./traces/formats/azure-functions.js";
export { type LlmRequest, loadAzureLlm, parseTimestamp } from "./traces/formats/azure-llm.js";
export { type GoogleTaskEvent, loadGoogleTaskEvents } from "./traces/formats/google-2011.js";
export {
  type K8sNode,
  type K8sObject,
  type K8sPod,
  type K8sResources,
  loadK8sManifests,
} from "./traces/formats/k8s.js";
export { loadOpenbNodes, loadOpenbPods, type OpenbNode, type OpenbPod } from "./traces/formats/openb.js";
export { loadServiceHistory, type ServiceHistory } from "./traces/formats/services-history.js";
export { headerInt, loadSwf, readSwfHeader, type SwfHeader, type SwfJob } from "./traces/formats/swf.js";
export { TRACE_FORMAT_NAMES, TRACE_FORMATS, type TraceFormat } from "./traces/formats.js";
export { readLines } from "./traces/read-lines.js";
export { type ResourceStats, type TraceStats, traceStats, UnknownFormatError } from "./traces/stats.js";
export {
  type BadLinePolicy,
  type LoadOptions,
  type LoadReport,
  newLoadReport,
  TraceError,
} from "./traces/trace-error.js";
export { parseDuration } from "./units/duration.js";
export { cpuMilli, memoryMiB, parseQuantity } from "./units/quantity.js";
