/**
 * @clustersim/scenarios: what turns a description of an experiment into a runnable simulation.
 * For now: the built-in default scenario and the statistics it reports.
 */
export {
  DEFAULT_MMC_CLUSTER,
  runMmcCluster,
  validateMmcClusterParams,
  type MmcClusterParams,
  type MmcClusterResult,
} from "./builtin/mmc-cluster.js";
export { mmcTheory, type MmcTheory } from "./stats/erlang-c.js";
export { quantileSorted } from "./stats/quantile.js";
export { batchMeansInterval, type MeanInterval } from "./stats/batch-means.js";
export { parseQuantity, cpuMilli, memoryMiB } from "./units/quantity.js";
export { parseDuration } from "./units/duration.js";
export { TraceError, newLoadReport, type BadLinePolicy, type LoadOptions, type LoadReport } from "./traces/trace-error.js";
export { readLines } from "./traces/read-lines.js";
export { loadSwf, readSwfHeader, headerInt, type SwfJob, type SwfHeader } from "./traces/formats/swf.js";
export { loadOpenbNodes, loadOpenbPods, type OpenbNode, type OpenbPod } from "./traces/formats/openb.js";
export { loadAlibabaV2017Jobs, type AlibabaTask } from "./traces/formats/alibaba-v2017.js";
export { loadAlibabaDlrm, type DlrmInstance } from "./traces/formats/alibaba-dlrm.js";
export { loadAzureFunctions, locateAzureFunctionFiles, type AzureFunction, type DurationStats, type MemoryStats } from "./traces/formats/azure-functions.js";
export { loadAzureLlm, parseTimestamp, type LlmRequest } from "./traces/formats/azure-llm.js";
export { loadGoogleTaskEvents, type GoogleTaskEvent } from "./traces/formats/google-2011.js";
export { loadK8sManifests, type K8sObject, type K8sPod, type K8sNode, type K8sResources } from "./traces/formats/k8s.js";
export { TRACE_FORMATS, TRACE_FORMAT_NAMES, type TraceFormat } from "./traces/formats.js";
export { traceStats, UnknownFormatError, type TraceStats, type ResourceStats } from "./traces/stats.js";
export { task, gpuDemand, TASK_NUMERIC_FIELDS, type Task, type TaskNumericField } from "./workload/task.js";
export { sampler, type DistSpec, type Sampler } from "./workload/distributions.js";
export { RateCurve, thinnedArrivals, type RateSpec } from "./workload/rate-curves.js";
export { rateCurveWorkload, poissonWorkload, mmppWorkload, functionsWorkload, AZURE_2019_FIT, type TaskTemplate, type MmppState, type FunctionsSpec, type Window } from "./workload/generators.js";
export { applyTransforms, type Transform } from "./workload/transforms.js";
export { mergeByArrival } from "./workload/merge.js";
export { traceTasks, TASK_FORMATS, type TaskFormat, type TaskSource, type TraceTaskOptions } from "./workload/from-trace.js";
export { Scenario, scenarioJsonSchema, type ScenarioSpec, type WorkloadSpec } from "./spec/schema.js";
export { loadScenarioFile, validateScenario, SpecError } from "./spec/load-spec.js";
export { composeWorkload, missingFiles, workloadName, type ComposeOptions } from "./compose/workload.js";
export { composeCluster, type ComposedCluster } from "./compose/cluster.js";
export { reproFgd, runFgdOnce, sampleArrivals, readOpenbNodes, podFromOpenb, FGD_POLICIES, type FgdReproOptions, type FgdReproResult, type Checkpoint, type PolicySummary, type Stat } from "./repro/fgd.js";
export { reproRlScheduler, readCompatJobs, PUBLISHED_STARTS, WINDOW_JOBS, type RlReproOptions, type RlReproResult, type RlPolicyResult } from "./repro/rlscheduler.js";
export { RLSCHEDULER_PUBLISHED, FGD_PUBLISHED } from "./repro/published.js";
export { runCluster, runClusterAsync, type ClusterRunOptions, type ClusterRunResult, type RunEffects } from "./run/cluster-run.js";
export { runBatch, runBatchAsync, type BatchRunOptions, type BatchRunResult } from "./run/batch-run.js";
export { loadUserStrategy, checkUserParams } from "./compose/user-strategy.js";
export { runScenario, TASK_CSV_HEADER, TIMESERIES_CSV_HEADER, REPLAY_FORMAT, type ScenarioRunOptions, type ScenarioRunResult } from "./run/scenario-run.js";
export { Sample, TimeIntegral } from "./run/metrics.js";
export { Sweep, loadSweepFile, expandSweep, type SweepSpec, type SweepRun } from "./sweep/sweep-spec.js";
export { buildReport, resultsCsv, interval, metricNames, higherIsBetter, type RunOutcome, type SweepReport, type GroupReport, type Interval } from "./sweep/report.js";
export { reportMarkdown } from "./sweep/report-markdown.js";
export { loadYamlFile, validateWith } from "./spec/load-spec.js";
