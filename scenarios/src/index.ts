/**
 * @clustersim/scenarios: what turns a description of an experiment into a runnable simulation.
 * For now: the built-in default scenario and the statistics it reports.
 */
export {
  DEFAULT_MMC_CLUSTER,
  type MmcClusterParams,
  type MmcClusterResult,
  runMmcCluster,
  validateMmcClusterParams,
} from "./builtin/mmc-cluster.js";
export { type ComposedCluster, composeCluster } from "./compose/cluster.js";
export { checkUserParams, loadUserStrategy } from "./compose/user-strategy.js";
export { type ComposeOptions, composeWorkload, missingFiles, workloadName } from "./compose/workload.js";
export {
  type Checkpoint,
  FGD_POLICIES,
  type FgdReproOptions,
  type FgdReproResult,
  type PolicySummary,
  podFromOpenb,
  readOpenbNodes,
  reproFgd,
  runFgdOnce,
  type Stat,
  sampleArrivals,
} from "./repro/fgd.js";
export { FGD_PUBLISHED, RLSCHEDULER_PUBLISHED } from "./repro/published.js";
export {
  PUBLISHED_STARTS,
  type RlPolicyResult,
  type RlReproOptions,
  type RlReproResult,
  readCompatJobs,
  reproRlScheduler,
  WINDOW_JOBS,
} from "./repro/rlscheduler.js";
export { type BatchRunOptions, type BatchRunResult, runBatch, runBatchAsync } from "./run/batch-run.js";
export {
  type ClusterRunOptions,
  type ClusterRunResult,
  type RunEffects,
  runCluster,
  runClusterAsync,
} from "./run/cluster-run.js";
export { Sample, TimeIntegral } from "./run/metrics.js";
export {
  REPLAY_FORMAT,
  runScenario,
  type ScenarioRunOptions,
  type ScenarioRunResult,
  TASK_CSV_HEADER,
  TIMESERIES_CSV_HEADER,
} from "./run/scenario-run.js";
export { loadScenarioFile, loadYamlFile, SpecError, validateScenario, validateWith } from "./spec/load-spec.js";
export { Scenario, type ScenarioSpec, scenarioJsonSchema, type WorkloadSpec } from "./spec/schema.js";
export { batchMeansInterval, type MeanInterval } from "./stats/batch-means.js";
export { type MmcTheory, mmcTheory } from "./stats/erlang-c.js";
export { quantileSorted } from "./stats/quantile.js";
export {
  buildReport,
  type GroupReport,
  higherIsBetter,
  type Interval,
  interval,
  metricNames,
  type RunOutcome,
  resultsCsv,
  type SweepReport,
} from "./sweep/report.js";
export { reportMarkdown } from "./sweep/report-markdown.js";
export { expandSweep, loadSweepFile, Sweep, type SweepRun, type SweepSpec } from "./sweep/sweep-spec.js";
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
export { type DistSpec, type Sampler, sampler } from "./workload/distributions.js";
export {
  TASK_FORMATS,
  type TaskFormat,
  type TaskSource,
  type TraceTaskOptions,
  traceTasks,
} from "./workload/from-trace.js";
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
} from "./workload/generators.js";
export { mergeByArrival } from "./workload/merge.js";
export { RateCurve, type RateSpec, thinnedArrivals } from "./workload/rate-curves.js";
export { gpuDemand, TASK_NUMERIC_FIELDS, type Task, type TaskNumericField, task } from "./workload/task.js";
export { applyTransforms, type Transform } from "./workload/transforms.js";
