import type { ClusterView } from "@clustersim/hardware-models";
import type { CycleContext, Pod, ScorePlugin } from "../framework/types.js";

/**
 * Kubernetes' resource scorers (pkg/scheduler/framework/plugins/noderesources), CPU and memory with
 * weight 1 each, integer arithmetic as upstream. Scoring counts a pod without requests as asking for
 * 100 millicores and 200 MiB (schedutil.GetNonzeroRequests), so empty pods still spread.
 */
const NONZERO_CPU_MILLI = 100;
const NONZERO_MEMORY_MIB = 200;
const MAX_NODE_SCORE = 100;

const cpuReq = (p: Pod) => (p.cpuMilli > 0 ? p.cpuMilli : NONZERO_CPU_MILLI);
const memReq = (p: Pod) => (p.memoryMiB > 0 ? p.memoryMiB : NONZERO_MEMORY_MIB);

/** Requested after placing the pod, as a share of allocatable: [cpu, memory]. */
function requestedAfter(view: ClusterView, node: number, pod: Pod): [number, number, number, number] {
  const cpuCap = view.allocatableCpuMilli(node);
  const memCap = view.allocatableMemoryMiB(node);
  const cpu = cpuCap - view.freeCpuMilli(node) + cpuReq(pod);
  const mem = memCap - view.freeMemoryMiB(node) + memReq(pod);
  return [cpu, cpuCap, mem, memCap];
}

const leastRequested = (req: number, cap: number) => (cap <= 0 || req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap));
const mostRequested = (req: number, cap: number) => (cap <= 0 ? 0 : Math.trunc((Math.min(req, cap) * MAX_NODE_SCORE) / cap));

/** LeastAllocated: favour nodes with the most free CPU and memory after placement (spreading). */
export const leastAllocated: ScorePlugin = {
  name: "NodeResourcesLeastAllocated",
  score(ctx: CycleContext, node: number) {
    const [cpu, cpuCap, mem, memCap] = requestedAfter(ctx.view, node, ctx.pod);
    return Math.trunc((leastRequested(cpu, cpuCap) + leastRequested(mem, memCap)) / 2);
  },
};

/** MostAllocated: favour the fullest nodes (packing). */
export const mostAllocated: ScorePlugin = {
  name: "NodeResourcesMostAllocated",
  score(ctx: CycleContext, node: number) {
    const [cpu, cpuCap, mem, memCap] = requestedAfter(ctx.view, node, ctx.pod);
    return Math.trunc((mostRequested(cpu, cpuCap) + mostRequested(mem, memCap)) / 2);
  },
};

/** BalancedAllocation: favour nodes whose CPU and memory shares stay close (1 − their std. deviation). */
export const balancedAllocation: ScorePlugin = {
  name: "NodeResourcesBalancedAllocation",
  score(ctx: CycleContext, node: number) {
    const [cpu, cpuCap, mem, memCap] = requestedAfter(ctx.view, node, ctx.pod);
    const c = cpuCap > 0 ? Math.min(1, cpu / cpuCap) : 1;
    const m = memCap > 0 ? Math.min(1, mem / memCap) : 1;
    const std = Math.abs(c - m) / 2;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};
