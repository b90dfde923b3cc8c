import type { ClusterView } from "@clustersim/hardware-models";
import type { CycleContext, Pod, ScoreKernel, ScorePlugin } from "../framework/types.js";
import {
  hasPreferredTerms,
  intolerablePreferNoSchedule,
  nodeAffinity,
  preferredAffinityScore,
  taintToleration,
} from "./kubernetes-preferences.js";

/**
 * Kubernetes' resource scorers (pkg/scheduler/framework/plugins/noderesources), CPU and memory with
 * weight 1 each, integer arithmetic as upstream, following Kubernetes v1.33:
 * - LeastAllocated and MostAllocated (NodeResourcesFit's scoring strategies) count a pod without a
 *   request as asking for 100 millicores and 200 MiB (schedutil.DefaultMilliCPURequest,
 *   DefaultMemoryRequest), on the pod being placed and on every pod already on the node (the node's
 *   NonZeroRequested), so that empty pods still spread.
 * - BalancedAllocation uses the requests as they are (since v1.23), and skips a pod that requests
 *   neither CPU nor memory (a best-effort pod: PreScore returns Skip since v1.33, kubernetes#129138),
 *   which then scores 0 on every node.
 * - A resource the node has none of is left out of the score (upstream skips allocatable 0).
 * A request of 0 here stands for a request that is not set: upstream defaults only missing requests,
 * and the simulator's tasks cannot tell an explicit 0 from none.
 * Hot path: called for every sampled node of every pod, so nothing is allocated per call.
 */
const DEFAULT_CPU_MILLI = 100;
const DEFAULT_MEMORY_MIB = 200; // 200 × 1024 × 1024 bytes upstream
const MAX_NODE_SCORE = 100;

const nonZeroCpu = (p: Pod) => (p.cpuMilli > 0 ? p.cpuMilli : DEFAULT_CPU_MILLI);
const nonZeroMem = (p: Pod) => (p.memoryMiB > 0 ? p.memoryMiB : DEFAULT_MEMORY_MIB);
const isBestEffort = (p: Pod) => !(p.cpuMilli > 0) && !(p.memoryMiB > 0);

/** leastRequestedScore; 0 for a resource the node has none of, which the average then leaves out. */
const leastRequested = (req: number, cap: number) =>
  cap <= 0 || req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap);
/** mostRequestedScore (requests beyond the capacity count as the capacity); 0 likewise. */
const mostRequested = (req: number, cap: number) =>
  cap <= 0 ? 0 : Math.trunc((Math.min(req, cap) * MAX_NODE_SCORE) / cap);

/**
 * LeastAllocated from what the node would have requested with the pod (`cpu`, `mem`): Σ weight · score
 * ÷ Σ weight over the resources the node has, weight 1 each (integer division, as upstream): the two
 * scores' mean, or the one score of a node that lacks the other resource.
 */
function leastScore(cpu: number, cpuCap: number, mem: number, memCap: number): number {
  const sum = leastRequested(cpu, cpuCap) + leastRequested(mem, memCap);
  return cpuCap > 0 && memCap > 0 ? Math.trunc(sum / 2) : sum;
}

/** MostAllocated likewise. */
function mostScore(cpu: number, cpuCap: number, mem: number, memCap: number): number {
  const sum = mostRequested(cpu, cpuCap) + mostRequested(mem, memCap);
  return cpuCap > 0 && memCap > 0 ? Math.trunc(sum / 2) : sum;
}

/**
 * BalancedAllocation: (1 − std of the used fractions) · 100; std = |f_cpu − f_mem| / 2 for two
 * resources, 0 for one or none (a node without CPU or memory scores 100).
 */
function balancedScore(cpu: number, cpuCap: number, mem: number, memCap: number): number {
  if (!(cpuCap > 0 && memCap > 0)) return MAX_NODE_SCORE;
  const c = Math.min(1, cpu / cpuCap);
  const m = Math.min(1, mem / memCap);
  return Math.trunc((1 - Math.abs((c - m) / 2)) * MAX_NODE_SCORE);
}

/** The node's CPU and memory requests counting each pod without one at the default (NonZeroRequested). */
const nonZeroRequestedCpu = (view: ClusterView, node: number) =>
  view.allocatableCpuMilli(node) - view.freeCpuMilli(node) + DEFAULT_CPU_MILLI * view.resources.podsWithoutCpu[node];
const nonZeroRequestedMem = (view: ClusterView, node: number) =>
  view.allocatableMemoryMiB(node) -
  view.freeMemoryMiB(node) +
  DEFAULT_MEMORY_MIB * view.resources.podsWithoutMemory[node];

function least(view: ClusterView, node: number, cpuR: number, memR: number): number {
  return leastScore(
    nonZeroRequestedCpu(view, node) + cpuR,
    view.allocatableCpuMilli(node),
    nonZeroRequestedMem(view, node) + memR,
    view.allocatableMemoryMiB(node),
  );
}

function most(view: ClusterView, node: number, cpuR: number, memR: number): number {
  return mostScore(
    nonZeroRequestedCpu(view, node) + cpuR,
    view.allocatableCpuMilli(node),
    nonZeroRequestedMem(view, node) + memR,
    view.allocatableMemoryMiB(node),
  );
}

function balanced(view: ClusterView, node: number, cpuR: number, memR: number): number {
  const cpuCap = view.allocatableCpuMilli(node);
  const memCap = view.allocatableMemoryMiB(node);
  return balancedScore(
    cpuCap - view.freeCpuMilli(node) + cpuR,
    cpuCap,
    memCap - view.freeMemoryMiB(node) + memR,
    memCap,
  );
}

/** Each plugin loops itself in `scoreAll` so that the engine sees one call site per scorer. */
/** LeastAllocated: favour nodes with the most free CPU and memory after placement (spreading). */
export const leastAllocated: ScorePlugin = {
  name: "NodeResourcesLeastAllocated",
  score: ({ view, pod }: CycleContext, node: number) => least(view, node, nonZeroCpu(pod), nonZeroMem(pod)),
  scoreAll({ view, pod }: CycleContext, nodes: Int32Array, count: number, out: Float64Array) {
    const cpuR = nonZeroCpu(pod);
    const memR = nonZeroMem(pod);
    for (let i = 0; i < count; i++) out[i] = least(view, nodes[i], cpuR, memR);
  },
};

/** MostAllocated: favour the fullest nodes (packing). */
export const mostAllocated: ScorePlugin = {
  name: "NodeResourcesMostAllocated",
  score: ({ view, pod }: CycleContext, node: number) => most(view, node, nonZeroCpu(pod), nonZeroMem(pod)),
  scoreAll({ view, pod }: CycleContext, nodes: Int32Array, count: number, out: Float64Array) {
    const cpuR = nonZeroCpu(pod);
    const memR = nonZeroMem(pod);
    for (let i = 0; i < count; i++) out[i] = most(view, nodes[i], cpuR, memR);
  },
};

/** BalancedAllocation: favour nodes whose CPU and memory shares stay close (1 − their std. deviation). */
export const balancedAllocation: ScorePlugin = {
  name: "NodeResourcesBalancedAllocation",
  score: ({ view, pod }: CycleContext, node: number) =>
    isBestEffort(pod) ? 0 : balanced(view, node, pod.cpuMilli, pod.memoryMiB),
  scoreAll({ view, pod }: CycleContext, nodes: Int32Array, count: number, out: Float64Array) {
    if (isBestEffort(pod)) {
      out.fill(0, 0, count);
      return;
    }
    for (let i = 0; i < count; i++) out[i] = balanced(view, nodes[i], pod.cpuMilli, pod.memoryMiB);
  },
};

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
      if (allHeld && !useExtra && view.podsMissingRequests === 0 && pod.cpuMilli > 0 && pod.memoryMiB > 0) {
        if (leastWeight < 0 || bw < 0)
          return selectEvery(view, nodes, count, ties, pod.cpuMilli, pod.memoryMiB, base, leastWeight, bw);
        return selectBounded(view, nodes, count, ties, pod.cpuMilli, pod.memoryMiB, base, leastWeight, bw, raw, caps!);
      }
      return selectGeneral(view, pod, nodes, count, ties, base, useExtra ? extra : null, leastWeight, bw);
    },
  };
}

/**
 * The fused selection when both scores see the same requests and every node has CPU and memory (the
 * common case): leastScore and balancedScore, evaluated only where they could reach the best total.
 *
 * Most of a node's exact total is spent in four divisions. A bound needs none: with a = (free CPU −
 * request) / capacity and b likewise for memory (the shares left free, 0 if negative; the reciprocals
 * of the fixed capacities are kept per node), LeastAllocated ≤ 50 (a + b), because each of its floors
 * only lowers the mean, and BalancedAllocation ≤ 100 − 50 |a − b| (the used shares are 1 − a and 1 − b,
 * and truncation only lowers it). So a first pass bounds every node's total and the node with the best
 * bound is scored exactly; its total is a score some node reaches, so no node whose bound falls below it
 * can be best or tie, and the second pass scores exactly only the nodes whose bound reaches the best
 * total so far. The ties are the same nodes in the same order as `selectEvery`'s (property-tested on
 * nodes built to tie and to sit on rounding boundaries). On bench:scale's cluster 23.7 of 500 nodes
 * are scored exactly, on average. The margin covers the bound's own rounding (a few ulps of totals below 10^4). Valid for
 * weights ≥ 0; the kernel scores every node otherwise.
 */
function selectBounded(
  view: ClusterView,
  nodes: Int32Array,
  count: number,
  ties: Int32Array,
  cpuR: number,
  memR: number,
  base: number,
  leastWeight: number,
  balancedWeight: number,
  bounds: Float64Array,
  caps: Reciprocals,
): number {
  const { freeCpuMilli: freeCpu, freeMemoryMiB: freeMem } = view.resources;
  const { cpu: perCpu, mem: perMem } = caps;
  const lw = 50 * leastWeight;
  const bw = 50 * balancedWeight;
  let best = -Infinity;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const node = nodes[i];
    const x = freeCpu[node] - cpuR;
    const y = freeMem[node] - memR;
    const a = (x > 0 ? x : 0) * perCpu[node];
    const b = (y > 0 ? y : 0) * perMem[node];
    const d = a - b;
    const u = lw * (a + b) - bw * (d < 0 ? -d : d);
    bounds[i] = u;
    if (u > best) {
      best = u;
      at = i;
    }
  }
  // The bounds above leave out the constant base + 100 · balancedWeight.
  const offset = base + 2 * bw + BOUND_MARGIN * (1 + Math.abs(base) + lw + bw);
  let top = plainTotal(view, nodes[at], cpuR, memR, base, leastWeight, balancedWeight);
  let nTies = 0;
  // Nodes alike in what they have free and hold score alike: the last exact total is reused for the
  // next such node (on a cluster of equal nodes running equal replicas most candidates are alike).
  const { allocatableCpuMilli: cpuCaps, allocatableMemoryMiB: memCaps } = view.resources;
  let lastCpu = Number.NaN;
  let lastMem = Number.NaN;
  let lastCpuCap = Number.NaN;
  let lastMemCap = Number.NaN;
  let lastTotal = 0;
  for (let i = 0; i < count; i++) {
    if (bounds[i] + offset < top) continue;
    const node = nodes[i];
    let t: number;
    if (
      freeCpu[node] === lastCpu &&
      freeMem[node] === lastMem &&
      cpuCaps[node] === lastCpuCap &&
      memCaps[node] === lastMemCap
    )
      t = lastTotal;
    else {
      t = plainTotal(view, node, cpuR, memR, base, leastWeight, balancedWeight);
      lastCpu = freeCpu[node];
      lastMem = freeMem[node];
      lastCpuCap = cpuCaps[node];
      lastMemCap = memCaps[node];
      lastTotal = t;
    }
    if (t > top) {
      top = t;
      nTies = 0;
    }
    if (t === top) ties[nTies++] = i;
  }
  return nTies;
}

/** Relative slack for the bound's rounding: far above a few ulps, far below a score's unit of 1. */
const BOUND_MARGIN = 1e-9;

/** 1 / allocatable CPU and 1 / allocatable memory per node. */
interface Reciprocals {
  cpu: Float64Array;
  mem: Float64Array;
}

function reciprocals(view: ClusterView): Reciprocals {
  const { allocatableCpuMilli: cpu, allocatableMemoryMiB: mem } = view.resources;
  return { cpu: cpu.map((c) => 1 / c), mem: mem.map((m) => 1 / m) };
}

/** One node's total in selectBounded and selectEvery: the plugins' own score functions, on its requests with the pod's. */
function plainTotal(
  view: ClusterView,
  node: number,
  cpuR: number,
  memR: number,
  base: number,
  leastWeight: number,
  balancedWeight: number,
): number {
  const { allocatableCpuMilli: cpuCaps, allocatableMemoryMiB: memCaps } = view.resources;
  const cpuCap = cpuCaps[node];
  const memCap = memCaps[node];
  const cpu = cpuCap - view.resources.freeCpuMilli[node] + cpuR;
  const mem = memCap - view.resources.freeMemoryMiB[node] + memR;
  return (
    base + leastWeight * leastScore(cpu, cpuCap, mem, memCap) + balancedWeight * balancedScore(cpu, cpuCap, mem, memCap)
  );
}

/** The same selection by scoring every node (for negative weights, where selectBounded's bound fails). */
function selectEvery(
  view: ClusterView,
  nodes: Int32Array,
  count: number,
  ties: Int32Array,
  cpuR: number,
  memR: number,
  base: number,
  leastWeight: number,
  balancedWeight: number,
): number {
  let top = -Infinity;
  let nTies = 0;
  for (let i = 0; i < count; i++) {
    const t = plainTotal(view, nodes[i], cpuR, memR, base, leastWeight, balancedWeight);
    if (t > top) {
      top = t;
      nTies = 0;
    }
    if (t === top) ties[nTies++] = i;
  }
  return nTies;
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
