/**
 * @clustersim/engine: a run. The online and batch run loops on the event core, the arrival pump,
 * and the metrics they report.
 */

export { Sample, TimeIntegral } from "./metrics/metrics.js";
export { quantileSorted } from "./metrics/quantile.js";
export { type BatchRunOptions, type BatchRunResult, runBatch, runBatchAsync } from "./runs/batch-run.js";
export {
  type ClusterRunOptions,
  type ClusterRunResult,
  type RunEffects,
  runCluster,
  runClusterAsync,
} from "./runs/cluster-run.js";
