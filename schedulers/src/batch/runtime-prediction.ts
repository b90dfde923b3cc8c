/**
 * Run times predicted from each user's history, in place of the run time the user requested (Tsafrir,
 * Etsion and Feitelson, "Backfilling Using System-Generated Predictions Rather than User Runtime
 * Estimates", IEEE TPDS 18(6), 2007): a job's prediction is the mean of the run times of the last two
 * jobs of its user that completed, never more than its request. Users' requests are mostly loose
 * upper bounds (a job's real run time is often a small fraction of it), while a user's consecutive
 * jobs tend to run alike, so the history is the closer guess.
 */

/** Which run time the queue orders and backfills by: the user's request, or the history's prediction. */
export const RUNTIME_ESTIMATES = ["requested", "predicted"] as const;
export type RuntimeEstimate = (typeof RUNTIME_ESTIMATES)[number];

/** The last two completed run times of each user, and the prediction they give. */
export class UserRunTimes {
  private readonly last = new Map<string, number>();
  private readonly beforeLast = new Map<string, number>();

  /**
   * The prediction for a job of `user` that requested `requestedS`: the mean of the user's last two
   * completed run times, at least 1 s (a prediction of 0 would make WFP3 and UNI divide by 0) and
   * capped by the request; the request itself while the user has fewer than two completed jobs, or
   * when the user is unknown (an empty name).
   */
  predict(user: string, requestedS: number): number {
    const a = this.last.get(user);
    const b = this.beforeLast.get(user);
    if (user === "" || a === undefined || b === undefined) return requestedS;
    return Math.min(requestedS, Math.max(1, (a + b) / 2));
  }

  /** A job of `user` completed after running `runS` seconds (jobs killed or evicted do not count). */
  completed(user: string, runS: number): void {
    if (user === "") return;
    const a = this.last.get(user);
    if (a !== undefined) this.beforeLast.set(user, a);
    this.last.set(user, runS);
  }
}

/**
 * How much a prediction grows each time a job outlives it: by 1 min at the first correction, 5 min in
 * all at the second, then 15 and 30 min, 1, 2, 5, 10, 20, 50 and 100 h (the correction and its steps
 * as the pyss simulator's Tsafrir corrector makes them, `common_correctors.py` in
 * github.com/jad-darrous/predictsim). Past the last step pyss leaves the prediction where it is; here
 * the next correction sets it to the request, so that a job never stays predicted to have ended (the
 * reservation would take it as ending now).
 */
export const CORRECTION_STEPS_S: readonly number[] = [
  60, 300, 900, 1800, 3600, 7200, 18_000, 36_000, 72_000, 180_000, 360_000,
];

/**
 * The prediction after the `k`-th correction (k ≥ 1) of a job first predicted `predictedS`: the first
 * prediction plus the k-th step, never more than the request; past the last step, the request.
 */
export function correctedPrediction(predictedS: number, k: number, requestedS: number): number {
  if (k > CORRECTION_STEPS_S.length) return requestedS;
  return Math.min(requestedS, predictedS + CORRECTION_STEPS_S[k - 1]);
}
