import type { ClusterView } from "@clustersim/hardware-models";
import type { Decision, PlacementStrategy, Pod } from "../framework/types.js";

/**
 * Strategies with their own search instead of scoring every node: classic bin-packing over CPU (then
 * memory), deterministic, lowest node index on ties.
 */

/** First fit: the lowest-numbered node that fits. O(nodes) worst case. */
export function firstFit(): PlacementStrategy {
  return {
    name: "first-fit",
    withoutEffects: true,
    decide(view: ClusterView, pod: Pod): Decision | null {
      for (let node = 0; node < view.nodeCount; node++) if (view.fits(node, pod)) return { node };
      return null;
    },
  };
}

/**
 * Best fit: the node left with the least free CPU, then memory, that fits; through hardware-models'
 * placement index, O(log capacity) when the index's candidate also fits GPUs, network and taints.
 */
export function bestFit(): PlacementStrategy {
  return {
    name: "best-fit",
    decide(view: ClusterView, pod: Pod): Decision | null {
      const node = view.bestFitNode(pod);
      return node < 0 ? null : { node };
    },
  };
}

/** Worst fit: the node with the most free CPU (then memory) that fits; spreads load. O(nodes). */
export function worstFit(): PlacementStrategy {
  return {
    name: "worst-fit",
    withoutEffects: true,
    decide(view: ClusterView, pod: Pod): Decision | null {
      let best = -1;
      for (let node = 0; node < view.nodeCount; node++) {
        if (!view.fits(node, pod)) continue;
        if (
          best < 0 ||
          view.freeCpuMilli(node) > view.freeCpuMilli(best) ||
          (view.freeCpuMilli(node) === view.freeCpuMilli(best) && view.freeMemoryMiB(node) > view.freeMemoryMiB(best))
        )
          best = node;
      }
      return best < 0 ? null : { node: best };
    },
  };
}
