/**
 * @clustersim/experiments: sweeps (expansion, the runner on worker threads, reports with confidence
 * intervals), the reproductions of published results, the built-in M/M/c scenario checked against
 * queueing theory, and the writing of result files.
 */

export { type MmcTheory, mmcTheory } from "@clustersim/engine";
export {
  DEFAULT_MMC_CLUSTER,
  type MmcClusterParams,
  type MmcClusterResult,
  runMmcCluster,
  validateMmcClusterParams,
} from "./builtin/mmc-cluster.js";
export { InputError } from "./errors.js";
export {
  commitAll,
  commitFiles,
  PROCESS_TAG,
  prepareOutputDir,
  recoverOutputDir,
  StreamingFile,
  stableJson,
  stageFiles,
  TEMP_SUFFIX,
  writeFilesAtomically,
} from "./outputs/atomic-files.js";
export { csvToParquet } from "./outputs/parquet.js";
export { type ParquetColumn, ParquetTable } from "./outputs/parquet-table.js";
export {
  type Checkpoint,
  FGD_POLICIES,
  type FgdData,
  type FgdReproOptions,
  type FgdReproResult,
  type PolicySummary,
  podFromOpenb,
  readFgdData,
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
export { type AdamState, adamState, adamStep } from "./rl/adam.js";
export { curveSvg } from "./rl/curve-svg.js";
export { evaluatePlacement, type PlacementEvalRow } from "./rl/eval-placement.js";
export { type EvalRow, evaluateQueue, type QueueWindows } from "./rl/eval-queue.js";
export { type LoadedPackingConfig, loadPackingEnvConfig, PackingEnvConfig } from "./rl/packing-config.js";
export { fgdEpisode, fgdPackingEnv } from "./rl/packing-episodes.js";
export { playPackingEpisode } from "./rl/packing-rollout.js";
export { type DecisionBatch, policyGradient, valueGradient } from "./rl/ppo-loss.js";
export {
  CURVE_COLUMNS,
  type CurveRow,
  checkpointOf,
  decisionBatch,
  episodeSeeds,
  type RlCheckpoint,
  rollouts,
  type TrainState,
  trainState,
} from "./rl/ppo-trainer.js";
export {
  type EpisodeJob,
  GRADIENT_PARTS,
  localCompute,
  type RlCompute,
  type RlTask,
  workerCompute,
} from "./rl/rl-compute.js";
export {
  isEnvConfigFile,
  loadQueueEnvConfig,
  PpoConfig,
  QueueEnvConfig,
  queueEnvOf,
} from "./rl/rl-config.js";
export { loadRlEnvConfig, packingChoices, type RlEnvConfig, rlTaskOf } from "./rl/rl-tasks.js";
export { type ActionChoice, playEpisode, type Trajectory } from "./rl/rollout.js";
export type { PlacementCheckpoint, PlacementCurveRow, TrainPlacementResult } from "./rl/train-placement.js";
export { readCheckpoint, type TrainRlResult } from "./rl/train-queue.js";
export { trainRl } from "./rl/train-rl.js";
export { readCheckpointFile, type TrainRlOptions } from "./rl/training-run.js";
export { batchMeansInterval, type MeanInterval } from "./stats/batch-means.js";
export { type RunFingerprint, runFingerprint, scenarioFiles, specHash } from "./sweep/fingerprint.js";
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
  type MergeResult,
  mergeSweeps,
  parseShard,
  type RunSweepOptions,
  runSweep,
  type SweepProgress,
  type SweepResult,
  type SweepStart,
} from "./sweep/run-sweep.js";
export { expandSweep, loadSweepFile, Sweep, type SweepRun, type SweepSpec } from "./sweep/sweep-spec.js";
