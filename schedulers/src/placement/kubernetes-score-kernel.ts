import type { ClusterView } from "@clustersim/hardware-models";
import type { CycleContext, Pod, ScoreKernel, ScorePlugin } from "../framework/types.js";
import { type Reciprocals, reciprocals, selectBounded } from "./kubernetes-bounded-selection.js";
import {
  hasPreferredTerms,
  intolerablePreferNoSchedule,
  nodeAffinity,
  preferredAffinityScore,
  taintToleration,
} from "./kubernetes-preferences.js";
import {
  balancedAllocation,
  balancedScore,
  DEFAULT_CPU_MILLI,
  DEFAULT_MEMORY_MIB,
  isBestEffort,
  leastAllocated,
  leastScore,
  MAX_NODE_SCORE,
  nonZeroCpu,
  nonZeroMem,
} from "./kubernetes-resources.js";

/**
 * The fused kernel: TaintToleration and NodeAffinity (normalised over the scored nodes, as upstream
 * normalises them, so computed in a first pass, and only when the pod or the cluster gives them
 * something to score), then LeastAllocated and BalancedAllocation and the selection in one pass over
 * the view's live arrays. Without PreferNoSchedule taints TaintToleration is 100 on every node and
 * without preferred terms NodeAffinity is 0 (skipped upstream): constants, which cost nothing here.
 */
function fusedKernel(
  plugins: readonly ScorePlugin[],
  weights: readonly number[],
  taintWeight: number,
  affinityWeight: number,
  leastWeight: number,
  balancedWeight: number,
): ScoreKernel {
  let raw = new Float64Array(0);
  let extra = new Float64Array(0);
  let checked: ClusterView | null = null;
  let allHeld = false;
  let caps: Reciprocals | null = null;
  return {
    plugins,
    weights,
    selectBest(ctx: CycleContext, nodes: Int32Array, count: number, ties: Int32Array): number {
      const { view, pod } = ctx;
      if (raw.length < count) {
        raw = new Float64Array(view.nodeCount);
        extra = new Float64Array(view.nodeCount);
      }
      let base = 0;
      let useExtra = false;
      if (taintWeight !== 0) {
        let max = 0;
        if (view.hasPreferNoScheduleTaints) {
          for (let i = 0; i < count; i++) {
            raw[i] = intolerablePreferNoSchedule(ctx, nodes[i]);
            if (raw[i] > max) max = raw[i];
          }
        }
        if (max === 0) base += taintWeight * MAX_NODE_SCORE;
        else {
          for (let i = 0; i < count; i++)
            extra[i] = taintWeight * (MAX_NODE_SCORE - Math.trunc((MAX_NODE_SCORE * raw[i]) / max));
          useExtra = true;
        }
      }
      if (affinityWeight !== 0 && hasPreferredTerms(pod)) {
        let max = 0;
        for (let i = 0; i < count; i++) {
          raw[i] = preferredAffinityScore(pod.preferredAffinity, view.labels(nodes[i]));
          if (raw[i] > max) max = raw[i];
        }
        if (max > 0) {
          for (let i = 0; i < count; i++) {
            const s = affinityWeight * Math.trunc((MAX_NODE_SCORE * raw[i]) / max);
            extra[i] = useExtra ? extra[i] + s : s;
          }
          useExtra = true;
        }
      }

      const bw = isBestEffort(pod) ? 0 : balancedWeight;
      // Request-less pods already placed anywhere: only then does a node's NonZeroRequested differ from
      // its requests. Without them, extra scores, a request-less pod or a node lacking CPU or memory,
      // both scores read the same sums with the two-resource formulas.
      if (view !== checked) {
        checked = view;
        allHeld = everyNodeHolds(view);
        caps = allHeld ? reciprocals(view) : null;
      }
      // selectBounded's bound holds for weights ≥ 0 only; the general loop scores every node.
      const plain = allHeld && !useExtra && view.podsMissingRequests === 0 && pod.cpuMilli > 0 && pod.memoryMiB > 0;
      if (plain && leastWeight >= 0 && bw >= 0)
        return selectBounded(view, nodes, count, ties, pod.cpuMilli, pod.memoryMiB, base, leastWeight, bw, raw, caps!);
      return selectGeneral(view, pod, nodes, count, ties, base, useExtra ? extra : null, leastWeight, bw);
    },
  };
}

/** Whether every node of the view has CPU and memory (allocatable capacities are fixed with the cluster). */
function everyNodeHolds(view: ClusterView): boolean {
  const { allocatableCpuMilli: cpu, allocatableMemoryMiB: mem } = view.resources;
  for (let i = 0; i < view.nodeCount; i++) if (!(cpu[i] > 0 && mem[i] > 0)) return false;
  return true;
}

/** The fused loop in general: request-less pods counted at the defaults for LeastAllocated, extra scores added. */
function selectGeneral(
  view: ClusterView,
  pod: Pod,
  nodes: Int32Array,
  count: number,
  ties: Int32Array,
  base: number,
  extra: Float64Array | null,
  leastWeight: number,
  balancedWeight: number,
): number {
  const cpuNZ = nonZeroCpu(pod);
  const memNZ = nonZeroMem(pod);
  const cpuR = pod.cpuMilli;
  const memR = pod.memoryMiB;
  const {
    allocatableCpuMilli: cpuCaps,
    allocatableMemoryMiB: memCaps,
    freeCpuMilli: freeCpu,
    freeMemoryMiB: freeMem,
    podsWithoutCpu: noCpu,
    podsWithoutMemory: noMem,
  } = view.resources;
  let top = -Infinity;
  let nTies = 0;
  for (let i = 0; i < count; i++) {
    const node = nodes[i];
    const cpuCap = cpuCaps[node];
    const memCap = memCaps[node];
    const cpuUsed = cpuCap - freeCpu[node];
    const memUsed = memCap - freeMem[node];
    let t =
      base +
      leastWeight *
        leastScore(
          cpuUsed + DEFAULT_CPU_MILLI * noCpu[node] + cpuNZ,
          cpuCap,
          memUsed + DEFAULT_MEMORY_MIB * noMem[node] + memNZ,
          memCap,
        );
    if (balancedWeight !== 0) t += balancedWeight * balancedScore(cpuUsed + cpuR, cpuCap, memUsed + memR, memCap);
    if (extra !== null) t += extra[i];
    if (t > top) {
      top = t;
      nTies = 0;
    }
    if (t === top) ties[nTies++] = i;
  }
  return nTies;
}

/**
 * LeastAllocated and BalancedAllocation, weighted and summed, and the best nodes picked, in one pass.
 * Picks the nodes the two plugins would (same score functions; tested); the profile falls back to the
 * plugins when it records decisions, to show each score.
 */
export function leastBalancedKernel(leastWeight: number, balancedWeight: number): ScoreKernel {
  return fusedKernel(
    [leastAllocated, balancedAllocation],
    [leastWeight, balancedWeight],
    0,
    0,
    leastWeight,
    balancedWeight,
  );
}

/**
 * The Kubernetes default profile's scoring as modelled here: TaintToleration, NodeAffinity,
 * LeastAllocated and BalancedAllocation (upstream weights 3, 2, 1, 1), in that order, in one kernel that
 * picks what the four plugins one by one pick (tested).
 */
export function defaultProfileKernel(
  taintWeight: number,
  affinityWeight: number,
  leastWeight: number,
  balancedWeight: number,
): ScoreKernel {
  return fusedKernel(
    [taintToleration, nodeAffinity, leastAllocated, balancedAllocation],
    [taintWeight, affinityWeight, leastWeight, balancedWeight],
    taintWeight,
    affinityWeight,
    leastWeight,
    balancedWeight,
  );
}
