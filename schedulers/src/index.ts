/**
 * @clustersim/schedulers: the scheduling framework and its strategies.
 */
export { SCORES, BATCH_POLICIES, isBatchPolicy, type BatchPolicyName, type ScoreFn, type ScoredJob } from "./batch/scores.js";
export { runCompatWindow, type CompatJob, type CompatOptions, type WindowResult } from "./batch/rlscheduler-compat.js";
export { Code, CODE_NAMES, CycleState, type CycleContext, type Decision, type DecisionRecord, type FilterPlugin, type PermitPlugin, type PlacementStrategy, type Plugin, type Pod, type PreFilterPlugin, type PreScorePlugin, type ReservePlugin, type ScoreKernel, type ScorePlugin } from "./framework/types.js";
export { Profile, feasibleNodesToFind, type ProfileConfig, type WeightedScore } from "./framework/profile.js";
export { fitsFilter } from "./placement/fits-filter.js";
export { leastAllocated, mostAllocated, balancedAllocation, leastBalancedKernel } from "./placement/kubernetes-resources.js";
export { gpuBestFit, dotProduct, gpuPacking, gpuClustering, randomScore, randomGpu, normalizeMinMax } from "./placement/gpu-scorers.js";
export { fgd } from "./placement/fgd.js";
export { typicalPods, nodeFragMilli, clusterFragmentation, type TypicalPod } from "./placement/gpu-fragmentation.js";
export { firstFit, bestFit, worstFit } from "./placement/direct-strategies.js";
export { strategy, strategyNames, registerStrategy, createPlacement, type StrategyEntry, type StrategyContext } from "./registry.js";
export { orderQueue, reserve, mayBackfill, type QueuedJob, type RunningJob, type Reservation } from "./batch/easy-backfill.js";
