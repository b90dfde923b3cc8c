import type { Rng } from "./rng.js";

/**
 * Samplers that need set-up work (tables, constants) before drawing. Each validates its parameters
 * once at construction and then draws in O(1) without allocating.
 */

/**
 * Zipf over the ranks 1..n: P(k) ∝ k^-s, for any s > 0 (s = 1 included), by rejection-inversion
 * (Hörmann & Derflinger, "Rejection-inversion to generate variates from monotone discrete
 * distributions", ACM TOMACS 1996). No table: O(1) memory and expected time for any n, so it suits
 * function-popularity models with millions of functions.
 */
export class Zipf {
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly sConst: number;

  constructor(
    readonly n: number,
    readonly s: number,
  ) {
    if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`Zipf: n must be an integer >= 1, found ${n}`);
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`Zipf: exponent s must be > 0, found ${s}`);
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.sConst = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** A rank in 1..n. */
  sample(rng: Rng): number {
    for (;;) {
      const u = this.hIntegralN + rng.next() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.sConst || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  /** H(x) = ∫ h, with h(x) = x^-s; written to stay accurate as s approaches 1. */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return expm1OverX((1 - this.s) * logX) * logX;
  }

  private h(x: number): number {
    return Math.exp(-this.s * Math.log(x));
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.s);
    if (t < -1) t = -1; // guards rounding at the far end of the support
    return Math.exp(log1pOverX(t) * x);
  }
}

/** expm1(x) / x, continuous at 0. */
function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x / 3);
}

/** log1p(x) / x, continuous at 0. */
function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x / 3);
}

/**
 * An index in 0..weights.length-1 with probability proportional to its weight, in O(1) per draw by
 * Vose's alias method (one uniform per draw).
 */
export class WeightedChoice {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new RangeError("WeightedChoice: at least one weight is needed");
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0 && Number.isFinite(w))) {
        throw new RangeError(`WeightedChoice: weight ${i} must be a finite number >= 0, found ${w}`);
      }
      total += w;
    }
    if (!(total > 0)) throw new RangeError("WeightedChoice: the weights must not all be zero");
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    // What is left is 1 up to rounding.
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  get size(): number {
    return this.prob.length;
  }

  sample(rng: Rng): number {
    const x = rng.next() * this.prob.length;
    const i = Math.floor(x);
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}

/**
 * The empirical distribution of observed values (e.g. run times read from a trace).
 * - `resample` (default): each draw is one of the observations, equally likely (the bootstrap).
 * - `interpolate`: a continuous variate by linear interpolation between the sorted observations.
 */
export class Empirical {
  private readonly sorted: Float64Array;

  constructor(
    samples: ArrayLike<number>,
    readonly mode: "resample" | "interpolate" = "resample",
  ) {
    if (samples.length === 0) throw new RangeError("Empirical: at least one observation is needed");
    this.sorted = Float64Array.from(samples).sort();
    for (let i = 0; i < this.sorted.length; i++) {
      if (!Number.isFinite(this.sorted[i])) {
        throw new RangeError(`Empirical: observations must be finite numbers, found ${this.sorted[i]}`);
      }
    }
  }

  get size(): number {
    return this.sorted.length;
  }

  sample(rng: Rng): number {
    const v = this.sorted;
    if (this.mode === "resample" || v.length === 1) return v[Math.floor(rng.next() * v.length)];
    const x = rng.next() * (v.length - 1);
    const i = Math.floor(x);
    return v[i] + (x - i) * (v[i + 1] - v[i]);
  }
}
