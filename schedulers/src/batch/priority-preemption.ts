import type { Demand } from "./easy-backfill.js";

/** A running job as preemption sees it: its priority, start, arrival order and what it holds. */
export interface PreemptibleJob extends Demand {
  priority: number;
  startS: number;
  seq: number;
}

/**
 * The batch queue's preemption plan for a job of `priority` needing `need`, with `free` capacity left
 * (cluster-wide): running jobs of strictly lower priority are taken lowest priority first, then the
 * latest started (the least work lost), then the latest arrived, until the freed capacity plus `free`
 * covers the need in every resource. Returns the victims in that order, or null when even all of them
 * would not make room. The loop then tries the placement with the victims taken off, and puts them
 * back if it still does not fit (the cluster-wide sum can hide fragmentation).
 */
export function preemptionVictims<J extends PreemptibleJob>(
  running: readonly J[],
  priority: number,
  need: Demand,
  free: Demand,
): J[] | null {
  const victims = running
    .filter((r) => r.priority < priority)
    .sort((a, b) => a.priority - b.priority || b.startS - a.startS || b.seq - a.seq);
  const room = { ...free };
  const enough = () =>
    need.cpuMilli <= room.cpuMilli && need.memoryMiB <= room.memoryMiB && need.gpuMilli <= room.gpuMilli;
  const chosen: J[] = [];
  for (const v of victims) {
    if (enough() && chosen.length > 0) break;
    chosen.push(v);
    room.cpuMilli += v.cpuMilli;
    room.memoryMiB += v.memoryMiB;
    room.gpuMilli += v.gpuMilli;
  }
  return enough() && chosen.length > 0 ? chosen : null;
}
