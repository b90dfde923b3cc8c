import { erlangC } from "./erlang-c.js";

/** MgcWaiting in a stationary M/G/c queue: whether a request waits, and if it does, how long. */
export interface MgcWaiting {
  /** P(wait > 0). */
  probWait: number;
  /** The rate of the exponential wait of a request that waits (1 / its mean), per second. */
  rate: number;
}

/**
 * MgcWaiting in M/G/c (Poisson arrivals at `lambda`, `c` servers of rate `mu`, service times of squared
 * coefficient of variation `scv`), below saturation:
 * - P(wait) is M/M/c's, Erlang C: exact for exponential service, an approximation otherwise.
 * - The mean wait is Kimura's system interpolation between M/M/c and M/D/c (T. Kimura, "Approximations
 *   for multi-server queues: system interpolations", Queueing Systems 17, 1994), with M/D/c's mean wait
 *   from Cosmetatos's correction to half M/M/c's (G. P. Cosmetatos, "Some approximate equilibrium
 *   results for the multi-server queue (M/G/r)", Operational Research Quarterly 27, 1976). Both are
 *   exact for c = 1 (Pollaczek–Khinchine, any shape) and for exponential service. Allen–Cunneen's
 *   (1 + scv)/2 × M/M/c, the simpler choice, gives (1 + scv·δ)/(1 + δ) times this: more for
 *   high-variance services at c > 1, which already wait less than this says (docs/guide/services.md
 *   has the measured errors).
 * - A request that waits waits an exponential time of that mean (exact for M/M/c; M/G/c's wait has
 *   a different shape, and its tail is known only asymptotically).
 */
export function mgcWaiting(c: number, lambda: number, mu: number, scv: number, out: MgcWaiting): MgcWaiting {
  const a = lambda / mu;
  const probWait = erlangC(c, a);
  out.probWait = probWait;
  if (probWait <= 0) {
    out.rate = Number.POSITIVE_INFINITY;
    return out;
  }
  const rho = a / c;
  const mmWait = probWait / (c * mu - lambda);
  // Cosmetatos: M/D/c's mean wait is half of M/M/c's times (1 + δ).
  const delta = ((1 - rho) * (c - 1) * (Math.sqrt(4 + 5 * c) - 2)) / (16 * rho * c);
  // Kimura's interpolation (1 + s)·W_MM·W_MD / (2s·W_MD + (1 − s)·W_MM), with W_MD = W_MM(1 + δ)/2.
  const meanWait = (mmWait * (1 + scv) * (1 + delta)) / (2 * (1 + scv * delta));
  out.rate = probWait / meanWait;
  return out;
}
