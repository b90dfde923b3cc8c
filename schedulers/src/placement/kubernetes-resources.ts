import type { ClusterView } from "@clustersim/hardware-models";
import type { CycleContext, Pod, ScorePlugin } from "../framework/types.js";

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
 * Hot path: called for every sampled node of every pod, so nothing is allocated per call. The fused
 * selection that the default profile runs instead of the plugins is ./kubernetes-score-kernel.ts.
 */
export const DEFAULT_CPU_MILLI = 100;
export const DEFAULT_MEMORY_MIB = 200; // 200 × 1024 × 1024 bytes upstream
export const MAX_NODE_SCORE = 100;

export const nonZeroCpu = (p: Pod) => (p.cpuMilli > 0 ? p.cpuMilli : DEFAULT_CPU_MILLI);
export const nonZeroMem = (p: Pod) => (p.memoryMiB > 0 ? p.memoryMiB : DEFAULT_MEMORY_MIB);
export const isBestEffort = (p: Pod) => !(p.cpuMilli > 0) && !(p.memoryMiB > 0);

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
export function leastScore(cpu: number, cpuCap: number, mem: number, memCap: number): number {
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
export function balancedScore(cpu: number, cpuCap: number, mem: number, memCap: number): number {
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
