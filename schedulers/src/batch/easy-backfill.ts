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

/** A queue order of one's own (a learned policy's): lower first, from the job and how long it has waited. */
export type QueueScore = (job: QueuedJob, waitS: number) => number;

/** Sort the queue in place: priority (high first), then the policy's score, then arrival order. */
export function orderQueue<J extends QueuedJob>(queue: J[], policy: BatchPolicyName | QueueScore, nowS: number): J[] {
  const { primary, secondary } =
    typeof policy === "function" ? { primary: policy, secondary: () => 0 } : SCORES[policy];
  const keyed = queue.map((j) => ({ j, p: primary(j, nowS - j.submitS), s: secondary(j, nowS - j.submitS) }));
  keyed.sort((a, b) => b.j.priority - a.j.priority || cmp(a.p, b.p) || cmp(a.s, b.s) || a.j.seq - b.j.seq);
  for (let i = 0; i < keyed.length; i++) queue[i] = keyed[i].j;
  return queue;
}

/** NaN sorts last, so a score that cannot be computed never jumps the queue. */
const cmp = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/** What a job holds or needs, per resource: CPU, memory, GPU thousandths. */
export interface Demand {
  cpuMilli: number;
  memoryMiB: number;
  gpuMilli: number;
}

/**
 * A running job as the reservation sees it: when it is expected to end (by its request, or by its
 * predicted run time) and what it frees.
 */
export interface RunningJob extends Demand {
  expectedEndS: number;
}

export interface Reservation {
  /** The earliest time the blocked job can start if nothing else starts ("shadow time"). */
  shadowS: number;
  /** Capacity left over at the shadow time once the blocked job has taken its share, per resource. */
  extra: Demand;
}

const fits = (need: Demand, free: Demand) =>
  need.cpuMilli <= free.cpuMilli && need.memoryMiB <= free.memoryMiB && need.gpuMilli <= free.gpuMilli;

/**
 * The reservation for a job needing `need` when `free` is free now: walk the running jobs by expected
 * end, adding what each frees, until the job fits in every resource. Capacity is counted as a pool
 * (the standard EASY model, here over CPU, memory and GPUs rather than processors alone); the run
 * still checks real placement when the time comes.
 */
export function reserve(running: readonly RunningJob[], free: Demand, need: Demand, nowS: number): Reservation {
  const f = { ...free };
  const extra = (): Demand => ({
    cpuMilli: f.cpuMilli - need.cpuMilli,
    memoryMiB: f.memoryMiB - need.memoryMiB,
    gpuMilli: f.gpuMilli - need.gpuMilli,
  });
  if (fits(need, f)) return { shadowS: nowS, extra: extra() };
  const byEnd = [...running].sort((a, b) => a.expectedEndS - b.expectedEndS);
  for (const r of byEnd) {
    f.cpuMilli += r.cpuMilli;
    f.memoryMiB += r.memoryMiB;
    f.gpuMilli += r.gpuMilli;
    if (fits(need, f)) return { shadowS: Math.max(nowS, r.expectedEndS), extra: extra() };
  }
  return { shadowS: Number.POSITIVE_INFINITY, extra: { cpuMilli: 0, memoryMiB: 0, gpuMilli: 0 } };
}

/** EASY: a later job may start now if it ends by the shadow time or fits in the extra capacity. */
export function mayBackfill(reqTimeS: number, need: Demand, nowS: number, r: Reservation): boolean {
  return nowS + reqTimeS <= r.shadowS || fits(need, r.extra);
}

/** A job that backfilled past the shadow time takes its share of the extra capacity. */
export function takeExtra(r: Reservation, need: Demand): void {
  r.extra.cpuMilli -= need.cpuMilli;
  r.extra.memoryMiB -= need.memoryMiB;
  r.extra.gpuMilli -= need.gpuMilli;
}
