import { Simulation } from "@clustersim/sim-core";
import { ClusterState } from "./cluster/cluster-state.js";
import type { NodeSpec } from "./cluster/cluster-types.js";

/**
 * How much DRAM a CXL pool saves at the same rejection rate: Pond's headline measure (7% saved at
 * performance within 1–5%, 9–10% in the preprint; ../shared/CALIBRATION.md [P]). Runs the same task
 * stream on a cluster without pools and on pooled clusters that move a share of each node's DRAM into
 * pools of `poolNodes` nodes and shrink the total; bisects for the smallest total DRAM whose rejection
 * rate does not exceed the unpooled one. Tasks are placed best-fit on local DRAM first; a task that fits
 * nowhere locally takes what it lacks from its node's pool (local-first split); a task that fits
 * nowhere is rejected.
 */
export interface PoolTask {
  arrivalS: number;
  runS: number;
  cpuMilli: number;
  memoryMiB: number;
}

export interface PoolSavingsOptions {
  nodes: number;
  nodeCpuMilli: number;
  nodeMemoryMiB: number;
  /** Nodes sharing one pool (8–16 sockets give most of the benefit: Pond [P]). */
  poolNodes: number;
  /** Share of each node's DRAM moved into its pool before shrinking (default 0.25: Pond's stranding bound). */
  pooledShare?: number;
  /** Bisection steps on the saved fraction (default 12). */
  steps?: number;
}

export interface PoolSavings {
  baselineRejection: number;
  /** Fraction of total DRAM saved at a rejection rate no higher than the baseline's. */
  dramSaved: number;
  pooledRejection: number;
}

/** Rejection rate of a task stream on a cluster; tasks leave after their run time. */
export function rejectionRate(
  nodes: readonly NodeSpec[],
  pools: readonly number[],
  tasks: readonly PoolTask[],
): number {
  const state = new ClusterState(nodes, pools);
  const sim = new Simulation();
  let rejected = 0;
  const leave = sim.on("leave", (id) => state.release(id));
  const arrive = sim.on("arrive", (i) => {
    // Placements are whole millicores and MiB (the cluster books integers): sizes rounded up.
    const t = { ...tasks[i], cpuMilli: Math.ceil(tasks[i].cpuMilli), memoryMiB: Math.ceil(tasks[i].memoryMiB) };
    let node = state.bestFitNode({ cpuMilli: t.cpuMilli, memoryMiB: t.memoryMiB });
    let poolMiB = 0;
    if (node < 0 && pools.length > 0) {
      // Local DRAM alone does not fit anywhere: the node with the most free local memory among those
      // whose pool covers the rest.
      let best = -1;
      for (let n = 0; n < state.nodeCount; n++) {
        if (state.freeCpuMilli(n) < t.cpuMilli || state.poolOf(n) < 0) continue;
        const lack = Math.ceil(t.memoryMiB - state.freeMemoryMiB(n));
        if (
          lack <= state.poolFreeMiB(state.poolOf(n)) &&
          (best < 0 || state.freeMemoryMiB(n) > state.freeMemoryMiB(best))
        )
          best = n;
      }
      if (best >= 0) {
        node = best;
        poolMiB = Math.min(t.memoryMiB, Math.ceil(t.memoryMiB - state.freeMemoryMiB(best)));
      }
    }
    if (node < 0) {
      rejected++;
      return;
    }
    sim.after(t.runS, leave, state.place(node, { cpuMilli: t.cpuMilli, memoryMiB: t.memoryMiB, poolMiB }));
  });
  tasks.forEach((t, i) => sim.at(t.arrivalS, arrive, i));
  sim.run();
  return tasks.length === 0 ? 0 : rejected / tasks.length;
}

function cluster(o: PoolSavingsOptions, saved: number): { nodes: NodeSpec[]; pools: number[] } {
  const share = o.pooledShare ?? 0.25;
  const total = o.nodeMemoryMiB * (1 - saved);
  const local = o.nodeMemoryMiB * (1 - share);
  // The saving comes out of the pools: local DRAM stays, pools hold what is left of the total.
  const perNodeInPool = Math.max(0, total - local);
  const poolCount = Math.ceil(o.nodes / o.poolNodes);
  const nodes: NodeSpec[] = Array.from({ length: o.nodes }, (_, i) => ({
    cpuMilli: o.nodeCpuMilli,
    memoryMiB: local,
    cxlPool: Math.floor(i / o.poolNodes),
  }));
  const pools = Array.from(
    { length: poolCount },
    (_, p) => perNodeInPool * Math.min(o.poolNodes, o.nodes - p * o.poolNodes),
  );
  return { nodes, pools };
}

export function poolDramSavings(tasks: readonly PoolTask[], o: PoolSavingsOptions): PoolSavings {
  const baseline = rejectionRate(
    Array.from({ length: o.nodes }, () => ({ cpuMilli: o.nodeCpuMilli, memoryMiB: o.nodeMemoryMiB })),
    [],
    tasks,
  );
  let lo = 0; // saving known to be achievable
  let hi = o.pooledShare ?? 0.25; // cannot save more than what went into the pools
  let loRate = NaN;
  for (let k = 0; k < (o.steps ?? 12); k++) {
    const mid = (lo + hi) / 2;
    const c = cluster(o, mid);
    const rate = rejectionRate(c.nodes, c.pools, tasks);
    if (rate <= baseline) {
      lo = mid;
      loRate = rate;
    } else hi = mid;
  }
  if (Number.isNaN(loRate)) {
    const c = cluster(o, 0);
    loRate = rejectionRate(c.nodes, c.pools, tasks);
  }
  return { baselineRejection: baseline, dramSaved: lo, pooledRejection: loRate };
}
