import { ClusterState, type NodeSpec } from "@clustersim/hardware-models";
import {
  clusterFragmentation,
  createPlacement,
  type PlacementStrategy,
  type Pod,
  type StrategyContext,
  type TypicalPod,
} from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";

/**
 * FGD's headline experiment (Weng et al., ATC'23, Fig. 7 and 9; artifact:
 * hkust-adsl/kubernetes-scheduler-simulator, experiments/run_scripts), one seed of one policy: an empty
 * openb cluster receives pods sampled with replacement from a pod list until the GPUs they request reach
 * `load` (130%) of the cluster's GPUs, in shuffled order (./fgd-data.ts); each is placed once, none
 * leaves, a pod that fits nowhere fails. Measured as arrived GPU requests pass each checkpoint: GPU
 * allocation (allocated ÷ capacity) and fragmentation (expected fragment ÷ capacity, and ÷ idle GPUs).
 *
 * The policies and their settings follow the artifact's run scripts: every node scored, a share's GPU
 * chosen best-fit except for Random (random GPU) and FGD (its own choice). Ties between equally scored
 * nodes go to the first in node order, as the artifact's scheduler settles them, and that order is a
 * seeded shuffle of the node list (the artifact names nodes with a random prefix per seed and lists
 * them by name). Tie-breaking matters: the coarse integer scores of GpuPacking, GpuClustering and FGD
 * tie often, and a sticky choice packs where a uniformly random one spreads (see docs/guide/reproductions.md).
 */
export const FGD_POLICIES = [
  { label: "Random", strategy: "random" },
  { label: "DotProd", strategy: "dot-product" },
  { label: "GpuClustering", strategy: "gpu-clustering" },
  { label: "GpuPacking", strategy: "gpu-packing" },
  { label: "BestFit", strategy: "gpu-best-fit" },
  { label: "FGD", strategy: "fgd" },
] as const;

/** The measures at one checkpoint of arrived load. */
export interface FgdCheckpoint {
  /** Arrived GPU requests ÷ cluster GPUs. */
  load: number;
  allocationPct: number;
  /** Expected GPU fragment ÷ cluster GPUs. */
  fragmentationPct: number;
  /** Expected GPU fragment ÷ idle GPUs. */
  fragmentationOfIdlePct: number;
  failedPods: number;
}

/**
 * Place `arrivals` once each with one strategy (a registered name, or a builder such as a trained
 * agent's), sampling the metrics at each checkpoint.
 */
export function runFgdOnce(
  nodeList: readonly NodeSpec[],
  arrivals: readonly Pod[],
  typical: readonly TypicalPod[],
  strategyName: string | ((ctx: StrategyContext) => PlacementStrategy),
  seed: number,
  checkpoints: readonly number[],
  tieBreak: "first" | "random" = "first",
): FgdCheckpoint[] {
  const streams = new RandomStreams(seed);
  const nodes = streams.get("node-order").shuffle([...nodeList]);
  const cluster = new ClusterState(nodes);
  const capacity = nodes.reduce((s, n) => s + (n.gpus ?? 0), 0) * 1000;
  const ctx = { rng: streams.get("scheduler"), typicalPods: typical };
  const strategy =
    typeof strategyName === "string" ? createPlacement(strategyName, { tieBreak }, ctx) : strategyName(ctx);
  const out: FgdCheckpoint[] = [];
  let arrived = 0;
  let allocated = 0;
  let failed = 0;
  let next = 0;
  for (const pod of arrivals) {
    const milli = (pod.gpus ?? 0) * (pod.gpuMilli ?? 0);
    arrived += milli;
    const d = strategy.decide(cluster, pod);
    if (d) {
      cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex });
      strategy.bound?.(cluster, pod, d);
      allocated += milli;
    } else failed++;
    const last = pod === arrivals[arrivals.length - 1];
    // A checkpoint is taken once arrivals pass it; arrivals stop just short of the last, so it is taken at the end.
    while (next < checkpoints.length && (arrived >= checkpoints[next] * capacity || last)) {
      const f = clusterFragmentation(cluster, typical);
      out.push({
        load: checkpoints[next++],
        allocationPct: (100 * allocated) / capacity,
        fragmentationPct: (100 * f.fragMilli) / capacity,
        fragmentationOfIdlePct: f.idleMilli > 0 ? (100 * f.fragMilli) / f.idleMilli : 0,
        failedPods: failed,
      });
    }
  }
  return out;
}
