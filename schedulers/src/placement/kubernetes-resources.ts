import type { ClusterView } from "@clustersim/hardware-models";
import type { CycleContext, Pod, ScoreKernel, ScorePlugin } from "../framework/types.js";

/**
 * Kubernetes' resource scorers (pkg/scheduler/framework/plugins/noderesources), CPU and memory with
 * weight 1 each, integer arithmetic as upstream. Scoring counts a pod without requests as asking for
 * 100 millicores and 200 MiB (schedutil.GetNonzeroRequests), so empty pods still spread.
 * Hot path: called for every sampled node of every pod, so nothing is allocated per call.
 */
const NONZERO_CPU_MILLI = 100;
const NONZERO_MEMORY_MIB = 200;
const MAX_NODE_SCORE = 100;

const cpuReq = (p: Pod) => (p.cpuMilli > 0 ? p.cpuMilli : NONZERO_CPU_MILLI);
const memReq = (p: Pod) => (p.memoryMiB > 0 ? p.memoryMiB : NONZERO_MEMORY_MIB);

const leastRequested = (req: number, cap: number) =>
  cap <= 0 || req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap);
const mostRequested = (req: number, cap: number) =>
  cap <= 0 ? 0 : Math.trunc((Math.min(req, cap) * MAX_NODE_SCORE) / cap);

/** The scores from what a node would have requested with the pod (`cpu`, `mem`) and its capacities. */
const leastScore = (cpu: number, cpuCap: number, mem: number, memCap: number) =>
  Math.trunc((leastRequested(cpu, cpuCap) + leastRequested(mem, memCap)) / 2);
function balancedScore(cpu: number, cpuCap: number, mem: number, memCap: number): number {
  const c = cpuCap > 0 ? Math.min(1, cpu / cpuCap) : 1;
  const m = memCap > 0 ? Math.min(1, mem / memCap) : 1;
  return Math.trunc((1 - Math.abs(c - m) / 2) * MAX_NODE_SCORE);
}

function least(view: ClusterView, node: number, cpuR: number, memR: number): number {
  const cpuCap = view.allocatableCpuMilli(node);
  const memCap = view.allocatableMemoryMiB(node);
  return leastScore(cpuCap - view.freeCpuMilli(node) + cpuR, cpuCap, memCap - view.freeMemoryMiB(node) + memR, memCap);
}

function most(view: ClusterView, node: number, cpuR: number, memR: number): number {
  const cpuCap = view.allocatableCpuMilli(node);
  const memCap = view.allocatableMemoryMiB(node);
  const cpu = cpuCap - view.freeCpuMilli(node) + cpuR;
  const mem = memCap - view.freeMemoryMiB(node) + memR;
  return Math.trunc((mostRequested(cpu, cpuCap) + mostRequested(mem, memCap)) / 2);
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
  score: ({ view, pod }: CycleContext, node: number) => least(view, node, cpuReq(pod), memReq(pod)),
  scoreAll({ view, pod }: CycleContext, nodes: Int32Array, count: number, out: Float64Array) {
    const cpuR = cpuReq(pod);
    const memR = memReq(pod);
    for (let i = 0; i < count; i++) out[i] = least(view, nodes[i], cpuR, memR);
  },
};

/** MostAllocated: favour the fullest nodes (packing). */
export const mostAllocated: ScorePlugin = {
  name: "NodeResourcesMostAllocated",
  score: ({ view, pod }: CycleContext, node: number) => most(view, node, cpuReq(pod), memReq(pod)),
  scoreAll({ view, pod }: CycleContext, nodes: Int32Array, count: number, out: Float64Array) {
    const cpuR = cpuReq(pod);
    const memR = memReq(pod);
    for (let i = 0; i < count; i++) out[i] = most(view, nodes[i], cpuR, memR);
  },
};

/** BalancedAllocation: favour nodes whose CPU and memory shares stay close (1 − their std. deviation). */
export const balancedAllocation: ScorePlugin = {
  name: "NodeResourcesBalancedAllocation",
  score: ({ view, pod }: CycleContext, node: number) => balanced(view, node, cpuReq(pod), memReq(pod)),
  scoreAll({ view, pod }: CycleContext, nodes: Int32Array, count: number, out: Float64Array) {
    const cpuR = cpuReq(pod);
    const memR = memReq(pod);
    for (let i = 0; i < count; i++) out[i] = balanced(view, nodes[i], cpuR, memR);
  },
};

/**
 * LeastAllocated and BalancedAllocation, weighted and summed, and the best nodes picked, in one pass:
 * the Kubernetes default profile's scoring without reading each node twice or storing the totals.
 * Picks the nodes the two plugins would (same score functions; tested); the profile falls back to the plugins when it
 * records decisions, to show each score.
 */
export function leastBalancedKernel(leastWeight: number, balancedWeight: number): ScoreKernel {
  return {
    plugins: [leastAllocated, balancedAllocation],
    weights: [leastWeight, balancedWeight],
    selectBest({ view, pod }: CycleContext, nodes: Int32Array, count: number, ties: Int32Array): number {
      const cpuR = cpuReq(pod);
      const memR = memReq(pod);
      const {
        allocatableCpuMilli: cpuCaps,
        allocatableMemoryMiB: memCaps,
        freeCpuMilli: freeCpu,
        freeMemoryMiB: freeMem,
      } = view.resources;
      let top = -Infinity;
      let nTies = 0;
      for (let i = 0; i < count; i++) {
        const node = nodes[i];
        const cpuCap = cpuCaps[node];
        const memCap = memCaps[node];
        const cpu = cpuCap - freeCpu[node] + cpuR;
        const mem = memCap - freeMem[node] + memR;
        const t =
          leastWeight * leastScore(cpu, cpuCap, mem, memCap) + balancedWeight * balancedScore(cpu, cpuCap, mem, memCap);
        if (t > top) {
          top = t;
          nTies = 0;
        }
        if (t === top) ties[nTies++] = i;
      }
      return nTies;
    },
  };
}
