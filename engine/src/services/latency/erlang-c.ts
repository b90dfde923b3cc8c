/**
 * Closed-form results for the M/M/c queue (Poisson arrivals at rate lambda, exponential service at rate
 * mu, c identical servers, first come first served): the fluid latency model's steady state, and the
 * check of the simulator against theory. Erlang B by its stable recursion, then Erlang C =
 * c·B / (c − a(1 − B)) with offered load a = lambda/mu (Kleinrock, Queueing Systems I, §3.5).
 */
export interface MmcTheory {
  /** Probability that an arriving task has to wait (Erlang C). */
  probWait: number;
  /** Mean wait in the queue, in the time unit of 1/mu. */
  waitMean: number;
  /** Server utilisation, a / c. */
  utilisation: number;
  /** The q-quantile of the wait: P(W > t) = C·exp(−(c·mu − lambda)·t). */
  waitQuantile(q: number): number;
}

export function mmcTheory(lambda: number, mu: number, c: number): MmcTheory {
  const a = lambda / mu;
  if (!(a < c)) throw new RangeError(`M/M/c is unstable: offered load ${a} >= servers ${c}`);
  const probWait = erlangC(c, a);
  const drain = c * mu - lambda;
  return {
    probWait,
    waitMean: probWait / drain,
    utilisation: a / c,
    waitQuantile: (q) => (1 - q >= probWait ? 0 : Math.log(probWait / (1 - q)) / drain),
  };
}

/** Halfin–Whitt spread beyond which waiting is negligible: P(wait) < 1e-14 when c − a > 8√a + 8. */
const SPREAD = 8;

/**
 * Erlang C: the probability that an arrival waits, with `c` servers and offered load `a` (a < c; 1
 * at or above saturation, 0 without load). To 1e-13 of the full recursion, in O(√a) steps rather than
 * O(c): far below a the recursion's B(k) is 1 − k/a to within terms that each step shrinks by about
 * k/a, so starting 8√a below a leaves e^{−32} of the start's error; far above, waiting is negligible
 * (Halfin & Whitt 1981: about e^{−β²/2} at β = (c − a)/√a) and the answer is 0.
 */
export function erlangC(c: number, a: number): number {
  if (!(a > 0)) return 0;
  if (a >= c) return 1;
  const spread = SPREAD * Math.sqrt(a) + SPREAD;
  if (c - a > spread) return 0;
  const k0 = Math.max(0, Math.floor(a - spread));
  // The recursion on 1/B (1/B(k) = 1 + (k/a)·1/B(k − 1)): a multiply-add per step, no division.
  // Four steps at a time as one affine map x ↦ A + B·x (A, B products of positive terms, computed
  // apart from x): the chain through x is a quarter as long, so the steps overlap in the processor.
  const perA = 1 / a;
  let inv = k0 === 0 ? 1 : a / (a - k0);
  let k = k0 + 1;
  for (; k + 3 <= c; k += 4) {
    const r0 = k * perA;
    const r1 = (k + 1) * perA;
    const r2 = (k + 2) * perA;
    const r3 = (k + 3) * perA;
    const r23 = r3 * r2;
    inv = 1 + r3 + r23 + r23 * r1 + r23 * r1 * r0 * inv;
  }
  for (; k <= c; k++) inv = 1 + k * perA * inv;
  const b = 1 / inv;
  return (c * b) / (c - a * (1 - b));
}

/**
 * P(T > t) for the response time T = W + S of M/M/c under FCFS: W is 0 with probability 1 − C and
 * exponential at rate θ = c·mu − lambda otherwise, S is exponential at rate mu, independent. A delay
 * `shiftS` ahead of every request (a backlog) shifts the distribution.
 */
export function responseTail(t: number, probWait: number, theta: number, mu: number, shiftS = 0): number {
  const x = t - shiftS;
  if (x <= 0) return 1;
  const es = Math.exp(-mu * x);
  if (probWait <= 0) return es;
  // P(Exp(θ) + Exp(μ) > x): hypoexponential; its limit (1 + μx)e^{−μx} where θ = μ.
  const d = theta - mu;
  const both = Math.abs(d) < 1e-9 * mu ? (1 + mu * x) * es : (theta * es - mu * Math.exp(-theta * x)) / d;
  return (1 - probWait) * es + probWait * both;
}

/**
 * The q-quantile of the M/M/c response time (wait plus service): closed form when no request waits;
 * otherwise Newton's method on the tail (decreasing and, beyond the service's own quantile where it
 * starts, convex: the steps approach from below), kept inside a bracket that bisection narrows
 * whenever a step would leave it; to 1e-12 relative.
 */
export function responseQuantile(q: number, probWait: number, theta: number, mu: number, shiftS = 0): number {
  const tailAt = 1 - q;
  if (probWait <= 0) return shiftS + Math.log(1 / tailAt) / mu;
  // P(W + S > t) ≤ P(S > t/2) + P(W > t/2): each ≤ (1 − q)/2 at this t.
  let hi = 2 * Math.max(Math.log(2 / tailAt) / mu, Math.log((2 * probWait) / tailAt) / theta, 0);
  let lo = 0;
  const d = theta - mu;
  const same = Math.abs(d) < 1e-9 * mu;
  let t = Math.min(Math.log(1 / tailAt) / mu, hi);
  for (let i = 0; i < 100; i++) {
    // The tail and the density at t from the same two exponentials (hypoexponential part: its limit where θ = μ).
    const es = Math.exp(-mu * t);
    const et = same ? 0 : Math.exp(-theta * t);
    const tailBoth = same ? (1 + mu * t) * es : (theta * es - mu * et) / d;
    const densBoth = same ? mu * mu * t * es : (theta * mu * (es - et)) / d;
    const f = (1 - probWait) * es + probWait * tailBoth - tailAt;
    const density = (1 - probWait) * mu * es + probWait * densBoth;
    if (f > 0) lo = t;
    else hi = t;
    let next = density > 0 ? t + f / density : (lo + hi) / 2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - t) <= 1e-12 * t || hi - lo <= 1e-12 * hi) return shiftS + next;
    t = next;
  }
  return shiftS + t;
}
