/**
 * @clustersim/experiments: sweeps (expansion, the runner on worker threads, reports with confidence
 * intervals), the reproductions of published results, the built-in M/M/c scenario checked against
 * queueing theory, and the writing of result files.
 */

export { type MmcTheory, mmcTheory } from "@clustersim/engine";
export { type FcfsReferenceRow, fcfsReferenceStream, fcfsSteady } from "./builtin/fcfs-reference.js";
export {
  burst,
  type Figures,
  fluidSteady,
  type Measured,
  perRequestSteady,
  serviceTimeWithCv,
} from "./builtin/latency-agreement.js";
export {
  DEFAULT_MMC_CLUSTER,
  type MmcClusterParams,
  type MmcClusterResult,
  runMmcCluster,
  validateMmcClusterParams,
} from "./builtin/mmc-cluster.js";
export { csvToParquet } from "./outputs/parquet.js";
export { type ParquetColumn, ParquetTable } from "./outputs/parquet-table.js";
export {
  type FgdReproOptions,
  type FgdReproResult,
  type PolicySummary,
  reproFgd,
  type Stat,
} from "./repro/fgd.js";
export { FGD_PUBLISHED, RLSCHEDULER_PUBLISHED } from "./repro/published.js";
export {
  type RlPolicyResult,
  type RlReproOptions,
  type RlReproResult,
  reproRlScheduler,
} from "./repro/rlscheduler.js";
export { bisect } from "./search/bisect.js";
export { type MonotonicityNote, monotonicityNotes } from "./search/monotonicity-notes.js";
export {
  type Comparison,
  checkMetrics,
  judgeMetric,
  type MetricJudgement,
  margin,
  metricsAt,
  type Objective,
  ObjectiveError,
  objectiveText,
  parseObjective,
} from "./search/objective.js";
export { runSearch, SearchRunFailed } from "./search/search.js";
export { figure } from "./search/search-figure.js";
export type { SearchOptions, SearchStart } from "./search/search-options.js";
export type { SearchResult } from "./search/search-result.js";
export type { Evaluation } from "./search/value-judgement.js";
export { batchMeansInterval, type MeanInterval } from "./stats/batch-means.js";
export { type CrossedInterval, crossedInterval } from "./stats/crossed-interval.js";
export { InputCache, type RunFingerprint, runFingerprint, scenarioFiles, specHash } from "./sweep/fingerprint.js";
export { type MergeResult, mergeSweeps } from "./sweep/merge-sweeps.js";
export { type RunRecord, readRunRecords } from "./sweep/records.js";
export {
  buildReport,
  type GroupReport,
  higherIsBetter,
  type Interval,
  interval,
  metricNames,
  type ResultsTable,
  type RunOutcome,
  resultsCsv,
  resultsTable,
  type SweepReport,
} from "./sweep/report.js";
export { reportMarkdown } from "./sweep/report-markdown.js";
export {
  parseShard,
  type RunSweepOptions,
  runSweep,
  type SweepProgress,
  type SweepResult,
  type SweepStart,
} from "./sweep/run-sweep.js";
export { expandSweep, loadSweepFile, Sweep, type SweepRun, type SweepSpec } from "./sweep/sweep-spec.js";
