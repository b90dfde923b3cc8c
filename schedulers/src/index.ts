/**
 * @clustersim/schedulers: the scheduling framework and its strategies.
 */

export {
  type Demand,
  mayBackfill,
  orderQueue,
  type QueuedJob,
  type QueueScore,
  type Reservation,
  type RunningJob,
  reserve,
  takeExtra,
} from "./batch/easy-backfill.js";
export { type PreemptibleJob, preemptionVictims } from "./batch/priority-preemption.js";
export {
  type CompatJob,
  type CompatMachine,
  type CompatOptions,
  CompatWindow,
  runCompatWindow,
  type WindowResult,
} from "./batch/rlscheduler-compat.js";
export {
  CORRECTION_STEPS_S,
  correctedPrediction,
  RUNTIME_ESTIMATES,
  type RuntimeEstimate,
  UserRunTimes,
} from "./batch/runtime-prediction.js";
export {
  BATCH_POLICIES,
  type BatchPolicyName,
  isBatchPolicy,
  SCORES,
  type ScoredJob,
  type ScoreFn,
} from "./batch/scores.js";
export { feasibleNodesToFind, Profile, type ProfileConfig, type WeightedScore } from "./framework/profile.js";
export {
  CODE_NAMES,
  Code,
  type CycleContext,
  CycleState,
  type Decision,
  type DecisionRecord,
  type FilterPlugin,
  type NodeSelectorRequirement,
  type PermitPlugin,
  type PlacementStrategy,
  type Plugin,
  type Pod,
  type PreFilterPlugin,
  type PreferredSchedulingTerm,
  type PreScorePlugin,
  type ReservePlugin,
  type ScoreKernel,
  type ScorePlugin,
} from "./framework/types.js";
export { bestFit, firstFit, worstFit } from "./placement/direct-strategies.js";
export { fgd } from "./placement/fgd.js";
export { fitsFilter } from "./placement/fits-filter.js";
export { clusterFragmentation, nodeFragMilli, type TypicalPod, typicalPods } from "./placement/gpu-fragmentation.js";
export {
  GPU_MILLI,
  isGpuShare,
  MAX_SPEC_CPU_MILLI,
  MAX_SPEC_GPU_MILLI,
  podGpuMilli,
  podGpus,
  podTotalGpuMilli,
} from "./placement/gpu-resources.js";
export {
  dotProduct,
  gpuBestFit,
  gpuClustering,
  gpuPacking,
  normalizeMinMax,
  randomGpu,
  randomScore,
} from "./placement/gpu-scorers.js";
export {
  defaultNormalizeScore,
  hasPreferredTerms,
  nodeAffinity,
  preferredAffinityScore,
  taintToleration,
} from "./placement/kubernetes-preferences.js";
export { balancedAllocation, leastAllocated, mostAllocated } from "./placement/kubernetes-resources.js";
export { defaultProfileKernel, leastBalancedKernel } from "./placement/kubernetes-score-kernel.js";
export {
  expectedLifetimeS,
  LOAD_PREDICTORS,
  type LoadAwareOptions,
  type LoadPredictor,
  loadAware,
  NODE_METRIC_REPORT_S,
  type NodeLoad,
  type NodeLoadOptions,
  nodeLoadOptions,
  PREDICTION_SETTINGS,
  trendSettingsOnlyForTrend,
} from "./placement/load-aware.js";
export {
  createLearnedPlacement,
  createPlacement,
  type StrategyContext,
  type StrategyEntry,
  strategy,
  strategyNames,
} from "./registry.js";
