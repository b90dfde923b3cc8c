import type { Rng } from "@clustersim/sim-core";
import { DiscreteTime, SumScratch } from "./latency/discrete-time.js";
import type { CallConfig } from "./service-config.js";

/** Retries a call edge may ask for: each is a further call to the callee. */
export const MAX_RETRIES = 10;

/** What one call on an edge comes to, its timeout and retries applied to its callee's responses. */
export interface CallAttempts {
  /** The call's time, every attempt and back-off included (undefined: the callee has answered nothing yet). */
  time: DiscreteTime | undefined;
  /** The chance the call fails: its last attempt failed. */
  failProb: number;
  /** Attempts per call, on average: 1 + p + … + p^retries for an attempt's failure chance p. */
  attempts: number;
  /** The chance that an attempt times out: P(response > timeout). */
  timeoutShare: number;
}

/**
 * One call's attempts, composed (the fluid model). An attempt's response T is a draw of the callee's
 * distribution; it fails when it times out (T > timeout: it ends at the timeout) or, independently of
 * T, with the callee's failure rate q (a drop or a failure further down). An error is taken to take
 * the time of a response (the callee's drops wait out its queue's timeout, not a response time: an
 * approximation). So an attempt fails with p = 1 − (1 − q)·P(T ≤ timeout), attempts are independent,
 * and a call makes up to 1 + retries of them, waiting `backoffS` before each retry.
 *
 * The call's time is the mixture over how it ends: it succeeds at attempt k (chance p^(k−1)(1 − p))
 * after k − 1 failed attempts and back-offs, or fails after all of them (chance p^(retries+1)). A
 * successful attempt's time is T given T ≤ timeout; a failed one's is the timeout (share 1 − u of
 * failures' p, u = P(T ≤ timeout)) or an error's T given T ≤ timeout (share q·u): the sums of these
 * are composed pair by pair, as sequential calls are. Without retries this is min(T, timeout).
 */
export function callAttempts(
  response: DiscreteTime | undefined,
  errorProb: number,
  call: CallConfig,
  scratch: SumScratch = new SumScratch(),
): CallAttempts {
  const timeout = call.timeoutS;
  const retries = call.retries ?? 0;
  const q = Math.min(1, Math.max(0, errorProb || 0));
  const u = response && timeout !== undefined ? response.cdf(timeout) : 1;
  const p = 1 - (1 - q) * u;
  let attempts = 0;
  let pk = 1;
  for (let k = 0; k <= retries; k++) {
    attempts += pk;
    pk *= p;
  }
  const figures = { failProb: pk, attempts, timeoutShare: 1 - u };
  if (!response) return { time: undefined, ...figures };
  const capped = timeout !== undefined ? response.capped(timeout) : response;
  if (retries === 0 || p <= 0) return { time: capped, ...figures };
  return { time: retriedTime(response, q, u, p, call, scratch), ...figures };
}

/** The mixture over the attempt a call ends at (see `callAttempts`); p > 0, retries ≥ 1. */
function retriedTime(
  response: DiscreteTime,
  q: number,
  u: number,
  p: number,
  call: CallConfig,
  scratch: SumScratch,
): DiscreteTime {
  const timeout = call.timeoutS ?? Number.POSITIVE_INFINITY;
  const retries = call.retries ?? 0;
  const backoff = call.backoffS ?? 0;
  const ok = u > 0 ? response.below(timeout, scratch) : undefined;
  const atTimeout = u < 1 ? DiscreteTime.at(timeout) : undefined;
  // A failed attempt: a timeout with weight 1 − u, an error (a response's time) with weight q·u.
  let failed: DiscreteTime;
  if (!ok || q * u <= 0) failed = atTimeout ?? response;
  else if (!atTimeout) failed = ok;
  else failed = DiscreteTime.mixture([atTimeout, ok], [1 - u, q * u], [0, 0], scratch);
  const parts: DiscreteTime[] = [];
  const weights: number[] = [];
  const shifts: number[] = [];
  // failedSum: the time of k failed attempts (none for k = 0).
  let failedSum: DiscreteTime | undefined;
  let pk = 1;
  for (let k = 0; k <= retries; k++) {
    if (ok && p < 1) {
      parts.push(failedSum ? failedSum.with(ok, false, scratch) : ok);
      weights.push(pk * (1 - p));
      shifts.push(k * backoff);
    }
    failedSum = failedSum ? failedSum.with(failed, false, scratch) : failed;
    pk *= p;
  }
  parts.push(failedSum!);
  weights.push(pk);
  shifts.push(retries * backoff);
  return DiscreteTime.mixture(parts, weights, shifts, scratch);
}

/** Per call edge of a caller: calls made, attempts made (retries included) and attempts that timed out. */
export class CallCounts {
  readonly calls: Float64Array;
  readonly attempts: Float64Array;
  readonly timeouts: Float64Array;

  constructor(edges: number) {
    this.calls = new Float64Array(edges);
    this.attempts = new Float64Array(edges);
    this.timeouts = new Float64Array(edges);
  }

  clear(): void {
    this.calls.fill(0);
    this.attempts.fill(0);
    this.timeouts.fill(0);
  }
}

/**
 * Calls drawn one by one (the per-request model on its own): each attempt a recent response of the
 * callee's (`drawFrom`), capped at the timeout (and failed there), or failed with the callee's failure
 * rate; a retry after the back-off while attempts remain. Counts calls, attempts and timeouts per call
 * edge.
 */
export class DrawnCalls extends CallCounts {
  /** Whether the last call drawn failed (its last attempt did). */
  lastFailed = false;

  /** One call on edge `edge` to `callee`, whose failure rate is `errorProb`: its time, seconds. */
  draw(
    call: CallConfig,
    edge: number,
    callee: number,
    errorProb: number,
    drawFrom: (callee: number, rng: Rng) => number,
    rng: Rng,
  ): number {
    const timeout = call.timeoutS ?? Number.POSITIVE_INFINITY;
    const retries = call.retries ?? 0;
    this.calls[edge]++;
    let t = 0;
    for (let a = 0; a <= retries; a++) {
      if (a > 0) t += call.backoffS ?? 0;
      const x = drawFrom(callee, rng);
      this.attempts[edge]++;
      if (x > timeout) {
        t += timeout;
        this.timeouts[edge]++;
        continue;
      }
      t += x;
      // The error is drawn only when the callee fails at all: a graph without failures draws as before.
      if (!(errorProb > 0 && rng.next() < errorProb)) {
        this.lastFailed = false;
        return t;
      }
    }
    this.lastFailed = true;
    return t;
  }
}
