import type { ServiceTimeShape } from "./service-time.js";

/** A wait component: a fixed wait (an atom, 0 for no wait) or an exponential wait of a given rate. */
export const ATOM = 0;
export const EXPONENTIAL = 1;

/**
 * A response-time distribution (wait, then service) as a weighted mixture of components: each a wait
 * (an atom at d, or exponential at rate θ) followed by the service time stretched by a slowdown s.
 * One tick's requests make a mixture of one or two components in steady state (no wait; an
 * exponential wait) and one atom per backlog cohort served; a run's are the sum of its ticks'.
 * The CDF is exact given the service time's shape (./service-time.ts); quantiles solve it.
 */
export class ResponseMixture {
  kind = new Uint8Array(8);
  param = new Float64Array(8);
  slowdown = new Float64Array(8);
  weight = new Float64Array(8);
  count = 0;
  total = 0;

  constructor(readonly shape: ServiceTimeShape) {}

  clear(): void {
    this.count = 0;
    this.total = 0;
  }

  add(kind: number, param: number, slowdown: number, weight: number): void {
    if (!(weight > 0)) return;
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.param[i] = param;
    this.slowdown[i] = slowdown;
    this.weight[i] = weight;
    this.total += weight;
  }

  /** The mean response time: each component's mean wait plus the stretched mean service. */
  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) {
      const wait = this.kind[i] === ATOM ? this.param[i] : 1 / this.param[i];
      sum += this.weight[i] * (wait + this.slowdown[i] * this.shape.meanS);
    }
    return sum / this.total;
  }

  /** P(T ≤ t), T the response time. */
  cdf(t: number): number {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.weight[i] * this.componentCdf(i, t);
    return this.total > 0 ? sum / this.total : Number.NaN;
  }

  /** The q-quantile of the response time: bisection on the CDF, to 1e-9 relative (NaN when empty). */
  quantile(q: number): number {
    if (!(this.total > 0)) return Number.NaN;
    let hi = 0;
    for (let i = 0; i < this.count; i++) {
      const wait = this.kind[i] === ATOM ? this.param[i] : Math.log(2 / (1 - q)) / this.param[i];
      const service = this.slowdown[i] * this.shape.quantile(1 - (1 - q) / 2);
      hi = Math.max(hi, wait + service);
    }
    // Each component is at least q below hi (wait and service each leave at most (1 − q)/2 above it);
    // the doubling only guards rounding.
    let lo = 0;
    hi = Math.max(hi, Number.MIN_VALUE);
    for (let k = 0; k < 64 && this.cdf(hi) < q; k++) {
      lo = hi;
      hi *= 2;
    }
    // To 1e-7 relative: well inside the 0.5% the run-level figures promise.
    for (let it = 0; it < 100 && hi - lo > 1e-7 * hi; it++) {
      const mid = (lo + hi) / 2;
      if (this.cdf(mid) < q) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /** P(wait + s·S ≤ t) for component i. */
  private componentCdf(i: number, t: number): number {
    return this.cdfOf(this.kind[i], this.param[i], this.slowdown[i], t);
  }

  /** P(wait + s·S ≤ t) for a wait of `kind` with parameter `param` (a component not added). */
  cdfOf(kind: number, param: number, s: number, t: number): number {
    const shape = this.shape;
    if (kind === ATOM) return shape.cdf((t - param) / s);
    const theta = param;
    if (t <= 0) return 0;
    if (shape.family === "constant") {
      const x = t - s * shape.meanS;
      return x <= 0 ? 0 : -Math.expm1(-theta * x);
    }
    if (shape.family === "exponential") {
      // Exponential wait then exponential service: the hypoexponential CDF (its limit where the rates meet).
      const mu = 1 / (s * shape.meanS);
      const d = theta - mu;
      if (Math.abs(d) < 1e-9 * mu) return 1 - (1 + mu * t) * Math.exp(-mu * t);
      return 1 - (theta * Math.exp(-mu * t) - mu * Math.exp(-theta * t)) / d;
    }
    // A general service time: the convolution over its discrete points.
    const p = shape.points;
    const w = shape.weights;
    let sum = 0;
    for (let k = 0; k < p.length; k++) {
      const x = t - s * p[k];
      if (x <= 0) break;
      sum += w[k] * -Math.expm1(-theta * x);
    }
    return sum;
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const kind = new Uint8Array(n);
    kind.set(this.kind);
    this.kind = kind;
    for (const key of ["param", "slowdown", "weight"] as const) {
      const grown = new Float64Array(n);
      grown.set(this[key]);
      this[key] = grown;
    }
  }
}
