import type { Rng } from "@clustersim/sim-core";

/**
 * A service's request service time, as both latency models read it: the per-request model draws
 * from it; the fluid model reads its shape. `family` names the two shapes the fluid model solves in
 * closed form (a constant and an exponential); any other is read through its inverse CDF.
 */
export interface ServiceTime {
  /** The mean, seconds: the fluid model's 1/μ. */
  readonly meanS: number;
  readonly family: "constant" | "exponential" | "general";
  sample(rng: Rng): number;
  /** The inverse CDF: the time below which a share u of requests' service times falls. */
  quantile(u: number): number;
}

/** An exponential service time of the given mean (M/M/c's). */
export function exponentialServiceTime(meanS: number): ServiceTime {
  return {
    meanS,
    family: "exponential",
    sample: (rng) => rng.exponential(1 / meanS),
    quantile: (u) => -meanS * Math.log1p(-u),
  };
}

/** A constant service time (M/D/c's). */
export function constantServiceTime(valueS: number): ServiceTime {
  return { meanS: valueS, family: "constant", sample: () => valueS, quantile: () => valueS };
}

/**
 * Share boundaries of the strata a general service time is read in: 60 equal strata up to the 0.9
 * quantile, then 60 whose tail share shrinks tenfold every 12 strata down to 10⁻⁶, and the last 10⁻⁶.
 * The tail is where percentiles live, so that is where the strata are fine.
 */
const STRATA = (() => {
  const b: number[] = [];
  for (let i = 0; i <= 60; i++) b.push((0.9 * i) / 60);
  for (let j = 1; j <= 60; j++) b.push(1 - 0.1 * 10 ** (-j / 12));
  b.push(1);
  return b;
})();

/**
 * The fluid model's reading of a service time: its mean, squared coefficient of variation, CDF,
 * quantile and a discrete version (points with weights) for convolutions. A general shape is read at
 * the middle of each stratum of STRATA (121 points), the points then scaled so that their mean is the
 * distribution's exact one. The CDF between points is linear. The discrete version truncates the
 * tail beyond the 1 − 10⁻⁶ quantile: a distribution of infinite variance (a Pareto with α ≤ 2) is
 * read as one with the finite variance of its first 1 − 10⁻⁶ (an assumption the docs state).
 */
export class ServiceTimeShape {
  readonly meanS: number;
  /** Squared coefficient of variation, Var/mean². */
  readonly scv: number;
  readonly family: ServiceTime["family"];
  /** Points (seconds, ascending) and their weights (summing to 1); one point for a constant. */
  readonly points: Float64Array;
  readonly weights: Float64Array;
  /** The CDF at each point (the middle of its stratum): where the linear CDF passes. */
  private readonly levels: Float64Array;
  /** The least value a general shape takes (the CDF is 0 below it). */
  private least = 0;

  constructor(private readonly time: ServiceTime) {
    this.meanS = time.meanS;
    this.family = time.family;
    if (time.family === "constant") {
      this.points = Float64Array.of(time.meanS);
      this.weights = Float64Array.of(1);
      this.levels = Float64Array.of(0.5);
      this.scv = 0;
      return;
    }
    const k = STRATA.length - 1;
    this.points = new Float64Array(k);
    this.weights = new Float64Array(k);
    this.levels = new Float64Array(k);
    let mean = 0;
    for (let i = 0; i < k; i++) {
      const mid = (STRATA[i] + STRATA[i + 1]) / 2;
      this.levels[i] = mid;
      this.weights[i] = STRATA[i + 1] - STRATA[i];
      this.points[i] = Math.max(0, time.quantile(mid));
      if (!Number.isFinite(this.points[i])) {
        throw new RangeError(`service time: its ${mid} quantile is ${this.points[i]}, not a finite number of seconds`);
      }
      mean += this.points[i] * this.weights[i];
    }
    // Below the first point the CDF rises from the distribution's least value (a Pareto's xm, else 0).
    this.least = Math.max(0, Math.min(time.quantile(0), this.points[0]));
    if (!Number.isFinite(this.least)) this.least = 0;
    const scale = mean > 0 ? time.meanS / mean : 1;
    let second = 0;
    for (let i = 0; i < k; i++) {
      this.points[i] *= scale;
      second += this.points[i] * this.points[i] * this.weights[i];
    }
    this.scv = time.family === "exponential" ? 1 : Math.max(0, second / (time.meanS * time.meanS) - 1);
  }

  /** P(S ≤ x). */
  cdf(x: number): number {
    if (this.family === "exponential") return x <= 0 ? 0 : -Math.expm1(-x / this.meanS);
    if (this.family === "constant") return x >= this.meanS ? 1 : 0;
    const p = this.points;
    const n = p.length;
    if (x < p[0]) {
      if (x <= this.least) return 0;
      return (this.levels[0] * (x - this.least)) / (p[0] - this.least);
    }
    if (x >= p[n - 1]) return 1;
    // The last point at or below x, by bisection.
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid] <= x) lo = mid;
      else hi = mid;
    }
    const span = p[hi] - p[lo];
    const f = span > 0 ? (x - p[lo]) / span : 1;
    return this.levels[lo] + f * (this.levels[hi] - this.levels[lo]);
  }

  /** The q-quantile, seconds. */
  quantile(q: number): number {
    if (this.family !== "general") return this.time.quantile(q);
    const p = this.points;
    const l = this.levels;
    const n = p.length;
    if (q <= l[0]) return this.least + ((p[0] - this.least) * q) / l[0];
    if (q >= l[n - 1]) return p[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (l[mid] <= q) lo = mid;
      else hi = mid;
    }
    return p[lo] + ((q - l[lo]) / (l[hi] - l[lo])) * (p[hi] - p[lo]);
  }
}
