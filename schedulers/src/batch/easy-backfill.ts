import { type BatchPolicyName, SCORES, type ScoredJob } from "./scores.js";

/**
 * Batch-queue ordering and EASY backfilling (Lifka, "The ANL/IBM SP scheduling system", 1995; the
 * rules as in Mu'alem & Feitelson, IEEE TPDS 2001), the default semantics of clustersim's batch run.
 * Unlike the RLScheduler compatibility profile, a waiting job's wait is its real wait, the
 * reservation is recomputed at every scheduling pass, and a job may backfill either when it ends by
 * the reservation or when it leaves the reserved job enough room at that time.
 */
export interface QueuedJob extends ScoredJob {
  /** Higher runs first; policies order jobs within a priority. */
  priority: number;
  /** Tie-break of last resort: arrival order. */
  seq: number;
}

/** Sort the queue in place: priority (high first), then the policy's score, then arrival order. */
export function orderQueue<J extends QueuedJob>(queue: J[], policy: BatchPolicyName, nowS: number): J[] {
  const { primary, secondary } = SCORES[policy];
  const keyed = queue.map((j) => ({ j, p: primary(j, nowS - j.submitS), s: secondary(j, nowS - j.submitS) }));
  keyed.sort((a, b) => b.j.priority - a.j.priority || cmp(a.p, b.p) || cmp(a.s, b.s) || a.j.seq - b.j.seq);
  for (let i = 0; i < keyed.length; i++) queue[i] = keyed[i].j;
  return queue;
}

/** NaN sorts last, so a score that cannot be computed never jumps the queue. */
const cmp = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/** A running job as the reservation sees it: when it is expected to end (by its request) and what it frees. */
export interface RunningJob {
  expectedEndS: number;
  cpuMilli: number;
}

export interface Reservation {
  /** The earliest time the blocked job can start if nothing else starts ("shadow time"). */
  shadowS: number;
  /** CPU left over at the shadow time once the blocked job has taken its share. */
  extraCpuMilli: number;
}

/**
 * The reservation for a job needing `needCpuMilli` when `freeCpuMilli` is free now: walk the running
 * jobs by expected end, adding what each frees, until the job fits. Capacity is counted as a pool
 * (the standard EASY model); the run still checks real placement when the time comes.
 */
export function reserve(
  running: readonly RunningJob[],
  freeCpuMilli: number,
  needCpuMilli: number,
  nowS: number,
): Reservation {
  if (freeCpuMilli >= needCpuMilli) return { shadowS: nowS, extraCpuMilli: freeCpuMilli - needCpuMilli };
  const byEnd = [...running].sort((a, b) => a.expectedEndS - b.expectedEndS);
  let free = freeCpuMilli;
  for (const r of byEnd) {
    free += r.cpuMilli;
    if (free >= needCpuMilli) return { shadowS: Math.max(nowS, r.expectedEndS), extraCpuMilli: free - needCpuMilli };
  }
  return { shadowS: Infinity, extraCpuMilli: 0 };
}

/** EASY: a later job may start now if it ends by the shadow time or fits in the extra capacity. */
export function mayBackfill(reqTimeS: number, cpuMilli: number, nowS: number, r: Reservation): boolean {
  return nowS + reqTimeS <= r.shadowS || cpuMilli <= r.extraCpuMilli;
}
