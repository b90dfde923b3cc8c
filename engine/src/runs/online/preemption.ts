import type { ClusterState } from "@clustersim/hardware-models";
import type { Pod } from "@clustersim/schedulers";
import type { Rng } from "@clustersim/sim-core";
import {
  type Candidate,
  candidatesWanted,
  type PodOnNode,
  pickOneNode,
  selectVictimsOnNode,
} from "../../preemption/default-preemption.js";
import type { PlacementTable } from "./placement-table.js";

/** Preemption's settings: what victims keep of their work, and the stream that picks where the search starts. */
export interface PreemptionOptions {
  victims: "restart" | "resume";
  checkpointIntervalS: number;
  rng: Rng;
}

/**
 * Whether a pod of `priority` may preempt at all: some running pod has a lower priority, and the pod
 * asks for nothing beyond CPU and memory, which it may spill into its node's CXL pool (below). When
 * not, planPreemption returns null at once.
 */
export function mayPreempt(table: PlacementTable, pod: Pod, priority: number): boolean {
  if (!(table.lowestPriority() < priority)) return false;
  return !((pod.gpus ?? 0) > 0 || (pod.nicGbps ?? 0) > 0 || pod.directNic || (pod.poolMiB ?? 0) > 0);
}

/**
 * DefaultPreemption's plan for a pod of `priority` that fits nowhere, made before anyone is evicted:
 * candidate nodes (those it is admitted to, whose strictly lower-priority pods would make room) are
 * dry-run in a ring from a random start until enough are found, and one is picked by upstream's rules
 * (../../preemption/default-preemption.ts). Returns the node and the placement ids to evict, or null.
 * A node `eligible` refuses (the strategy's filters beyond room) is no candidate.
 * Pods that also need GPUs, network, VFs or a fixed share of pool memory do not preempt: victims are
 * chosen on CPU, memory and pod count, and evicting could free the wrong resource and leave them
 * unplaced. A pod that may spill into its node's CXL pool (every pod, where nodes have pools) counts
 * the pool's free memory as room, and each victim's whole memory as freed (its pool share goes back to
 * the same pool); a pod that may not counts DRAM alone (a victim's pool share does not help it). Either
 * way the preemptor fits once the victims are gone, as ClusterState.fits judges it.
 */
export function planPreemption(
  cluster: ClusterState,
  table: PlacementTable,
  pod: Pod,
  priority: number,
  rng: Rng,
  eligible?: (node: number) => boolean,
): { node: number; victims: number[] } | null {
  if (!mayPreempt(table, pod, priority)) return null;
  const n = cluster.nodeCount;
  const admission = { cpuMilli: 0, memoryMiB: 0, tolerations: pod.tolerations, nodeSelector: pod.nodeSelector };
  const request = { cpuMilli: pod.cpuMilli, memoryMiB: pod.memoryMiB, priority };
  // A fixed share (poolMiB, even 0) is taken as given, never spilled (MemoryPools.share).
  const spills = pod.spillToPool === true && pod.poolMiB === undefined;
  const wanted = candidatesWanted(n);
  const offset = rng.int(0, n - 1);
  const found: Candidate[] = [];
  for (let k = 0; k < n && found.length < wanted; k++) {
    const node = (offset + k) % n;
    const ids = table.placedOn(node);
    if (ids.length === 0 || !cluster.isUp(node) || cluster.isVirtual(node)) continue;
    let anyLower = false;
    for (const id of ids) if ((table.tasks[id]!.priority ?? 0) < priority) anyLower = true;
    if (!anyLower) continue;
    const pods: PodOnNode[] = [];
    for (const id of ids) {
      const p = table.pods[id]!;
      const prio = table.tasks[id]!.priority ?? 0;
      const memoryMiB = spills ? p.memoryMiB : p.memoryMiB - cluster.poolMiBOf(id);
      pods.push({ id, priority: prio, startS: table.startOf[id], cpuMilli: p.cpuMilli, memoryMiB });
    }
    if (!cluster.admits(node, admission) || (eligible && !eligible(node))) continue;
    const pool = cluster.poolOf(node);
    const poolFree = spills && pool >= 0 && cluster.isPoolUp(pool) ? cluster.poolFreeMiB(pool) : 0;
    const room = {
      freeCpuMilli: cluster.freeCpuMilli(node),
      freeMemoryMiB: cluster.freeMemoryMiB(node) + poolFree,
      freePods: cluster.maxPodsOn(node) - cluster.podsOn(node),
    };
    const victims = selectVictimsOnNode(room, pods, request);
    if (victims) found.push({ node, victims });
  }
  const best = pickOneNode(found);
  return best ? { node: best.node, victims: best.victims.map((v) => v.id) } : null;
}

/**
 * What a preempted victim keeps of work `doneS` (of `workS` as placed): nothing when victims restart,
 * else up to its last checkpoint (every `checkpointIntervalS`; 0: all of it).
 */
export function keptWorkS(o: Pick<PreemptionOptions, "victims" | "checkpointIntervalS">, doneS: number): number {
  if (o.victims === "restart") return 0;
  const every = o.checkpointIntervalS;
  return every > 0 ? Math.floor(doneS / every) * every : doneS;
}
