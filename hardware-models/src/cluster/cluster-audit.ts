/**
 * The invariant checker's audit of a cluster (`--check`): the live arrays recomputed from the
 * placement records they were booked from, and the first disagreement told. Apart from the cluster's
 * state (./cluster-state.ts), whose place, release and resize it checks and never slows: it reads what
 * the state hands it and is run only when asked, in O(nodes + placements).
 */
import type { GroupTotals } from "./cluster-types.js";
import type { PlacementRecords } from "./placement-records.js";

/** The per-node arrays an audit compares with the placements, as the cluster state keeps them. */
export interface AuditedNodes {
  allocCpu: Float64Array;
  allocMem: Float64Array;
  freeCpu: Float64Array;
  freeMem: Float64Array;
  pods: Int32Array;
  /** 1 for a virtual node, whose placements count in no cluster total. */
  virtualOf: Uint8Array;
}

/**
 * The first place where the live arrays disagree with the placements they were booked from (a node's
 * free CPU or memory, its pod count, the cluster's allocated CPU and memory), or undefined: a write
 * that bypassed place/release/resize shows here.
 */
export function auditCluster(
  nodes: Readonly<AuditedNodes>,
  p: PlacementRecords,
  cluster: Readonly<GroupTotals>,
): string | undefined {
  const n = nodes.allocCpu.length;
  const cpu = new Float64Array(n);
  const mem = new Float64Array(n);
  const pods = new Int32Array(n);
  for (let id = 0; id < p.span; id++) {
    const node = p.node[id];
    if (node < 0) continue;
    cpu[node] += p.cpu[id] + p.infra[id];
    mem[node] += p.mem[id] - p.pool[id];
    pods[node]++;
  }
  const off = (a: number, b: number) => !(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
  let clusterCpu = 0;
  let clusterMem = 0;
  for (let i = 0; i < n; i++) {
    const freeCpu = nodes.allocCpu[i] - cpu[i];
    const freeMem = nodes.allocMem[i] - mem[i];
    if (off(nodes.freeCpu[i], freeCpu))
      return `node ${i}: free CPU ${nodes.freeCpu[i]} m, its placements leave ${freeCpu} m`;
    if (off(nodes.freeMem[i], freeMem))
      return `node ${i}: free memory ${nodes.freeMem[i]} MiB, its placements leave ${freeMem} MiB`;
    if (nodes.pods[i] !== pods[i]) return `node ${i}: ${nodes.pods[i]} pods counted, ${pods[i]} placed`;
    if (nodes.virtualOf[i] === 0) {
      clusterCpu += cpu[i];
      clusterMem += mem[i];
    }
  }
  if (off(cluster.allocatedCpuMilli, clusterCpu))
    return `cluster: allocated CPU ${cluster.allocatedCpuMilli} m, its placements hold ${clusterCpu} m`;
  if (off(cluster.allocatedMemoryMiB, clusterMem))
    return `cluster: allocated memory ${cluster.allocatedMemoryMiB} MiB, its placements hold ${clusterMem} MiB`;
  return undefined;
}
