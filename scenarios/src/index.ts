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
