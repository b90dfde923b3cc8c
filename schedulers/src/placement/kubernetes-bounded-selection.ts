import type { ClusterView } from "@clustersim/hardware-models";
import { balancedScore, leastScore } from "./kubernetes-resources.js";

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
 * total so far. The ties are the same nodes in the same order as scoring every node gives (property-tested on
 * nodes built to tie and to sit on rounding boundaries). On bench:scale's cluster 23.7 of 500 nodes
 * are scored exactly, on average. The margin covers the bound's own rounding (a few ulps of totals below 10^4). Valid for
 * weights ≥ 0; the kernel scores every node otherwise.
 */
export function selectBounded(
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
export interface Reciprocals {
  cpu: Float64Array;
  mem: Float64Array;
}

export function reciprocals(view: ClusterView): Reciprocals {
  const { allocatableCpuMilli: cpu, allocatableMemoryMiB: mem } = view.resources;
  return { cpu: cpu.map((c) => 1 / c), mem: mem.map((m) => 1 / m) };
}

/** One node's total: the plugins' own score functions, on its requests with the pod's. */
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
