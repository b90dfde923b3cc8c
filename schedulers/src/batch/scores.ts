/**
 * Queue-ordering scores of the RLScheduler paper (Zhang et al., "RLScheduler: An Automated HPC Batch
 * Job Scheduler Using Reinforcement Learning", SC'20, Table II), lowest first.
 *
 * `waitS` is how long the job has waited when the queue is ordered. The paper's published tables come
 * from code that passes `scheduledTime - submit` with `scheduledTime` still -1 for a waiting job; the
 * compatibility profile (rlscheduler-compat.ts) reproduces that by passing `-1 - submit`.
 */
export interface ScoredJob {
  submitS: number;
  /** Requested (user-estimated) run time, seconds. */
  reqTimeS: number;
  procs: number;
}

/** A score is one number, or for SJF a pair compared lexicographically. */
export type ScoreFn = (job: ScoredJob, waitS: number) => number;

export const BATCH_POLICIES = ["fcfs", "sjf", "wfp3", "uni", "f1"] as const;
export type BatchPolicyName = (typeof BATCH_POLICIES)[number];

/** log10 with the original's guard: values <= 0 count as 0.1. */
const log10Guarded = (x: number) => Math.log10(x > 0 ? x : 0.1);

/** Primary and secondary key of each policy; ties past both fall back to queue order (stable sort). */
export const SCORES: Record<BatchPolicyName, { primary: ScoreFn; secondary: ScoreFn }> = {
  // First come, first served.
  fcfs: { primary: (j) => j.submitS, secondary: () => 0 },
  // Shortest (requested) job first, earlier submit on a tie.
  sjf: { primary: (j) => j.reqTimeS, secondary: (j) => j.submitS },
  // F1 of Carastan-Santos & de Camargo (SC'17), learned from simulations: log10(r)·n + 870·log10(s).
  f1: { primary: (j) => log10Guarded(j.reqTimeS) * j.procs + 870 * log10Guarded(j.submitS), secondary: () => 0 },
  // WFP3 (Tang et al., IPDPS'09): -(w/r)^3·n, favouring long waits relative to the request.
  wfp3: { primary: (j, w) => -Math.pow(w / j.reqTimeS, 3) * j.procs, secondary: () => 0 },
  // UNICEF (Tang et al.): -w / (log2(n)·r), favouring small, short jobs that waited; 1e-15 as published.
  uni: { primary: (j, w) => -(w + 1e-15) / (Math.log2(j.procs + 1e-15) * j.reqTimeS), secondary: () => 0 },
};

export function isBatchPolicy(name: string): name is BatchPolicyName {
  return (BATCH_POLICIES as readonly string[]).includes(name);
}
