/**
 * @clustersim/experiments: sweeps (expansion, reports with confidence intervals), the reproductions
 * of published results, and the built-in M/M/c scenario checked against queueing theory.
 */
export {
  DEFAULT_MMC_CLUSTER,
  type MmcClusterParams,
  type MmcClusterResult,
  runMmcCluster,
  validateMmcClusterParams,
} from "./builtin/mmc-cluster.js";
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
export { batchMeansInterval, type MeanInterval } from "./stats/batch-means.js";
export { type MmcTheory, mmcTheory } from "./stats/erlang-c.js";
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
