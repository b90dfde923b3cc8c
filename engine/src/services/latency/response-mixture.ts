import { type Mg1Wait, mg1WaitOf } from "./mg1-wait.js";
import type { ServiceTimeShape } from "./service-time.js";

/**
 * A wait component: a fixed wait (an atom, 0 for no wait), an exponential wait of a given rate, or
 * M/G/1's wait of a given rate (1 / its mean) at the load of table k (./mg1-wait.ts), kind MG1_WAIT + k.
 */
export const ATOM = 0;
export const EXPONENTIAL = 1;
export const MG1_WAIT = 2;

/**
 * A response-time distribution (wait, then service) as a weighted mixture of components: each a wait
 * (an atom at d, or exponential or M/G/1's at rate θ) followed by the service time stretched by a
 * slowdown s.
 * One tick's requests make a mixture of one or two components in steady state (no wait; a wait of a
 * rate) and one atom per backlog cohort served; a run's are the sum of its ticks'.
 * The CDF is exact given the service time's shape (./service-time.ts); quantiles solve it.
 */
export class ResponseMixture {
  kind = new Uint8Array(8);
  param = new Float64Array(8);
  slowdown = new Float64Array(8);
  weight = new Float64Array(8);
  count = 0;
  total = 0;

  /** The shape's M/G/1 wait tables, when a component needs them. */
  private mg1: Mg1Wait | undefined;

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
      const wait = this.waitQuantile(this.kind[i], this.param[i], 1 - (1 - q) / 2);
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

  /** The u-quantile of a wait of `kind` with parameter `param`. */
  waitQuantile(kind: number, param: number, u: number): number {
    if (kind === ATOM) return param;
    if (kind === EXPONENTIAL) return -Math.log1p(-u) / param;
    this.mg1 ??= mg1WaitOf(this.shape);
    return this.mg1.quantile(kind - MG1_WAIT, u) / param;
  }

  /** P(wait + s·S ≤ t) for a wait of `kind` with parameter `param` (a component not added). */
  cdfOf(kind: number, param: number, s: number, t: number): number {
    const shape = this.shape;
    if (kind === ATOM) return shape.cdf((t - param) / s);
    const theta = param;
    if (t <= 0) return 0;
    if (kind >= MG1_WAIT) return this.mg1Cdf(kind - MG1_WAIT, theta, s, t);
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

  /** P(W + s·S ≤ t), W M/G/1's wait of table k at rate θ: over the service time's points. */
  private mg1Cdf(k: number, theta: number, s: number, t: number): number {
    this.mg1 ??= mg1WaitOf(this.shape);
    const wait = this.mg1;
    const p = this.shape.points;
    const w = this.shape.weights;
    let sum = 0;
    for (let j = 0; j < p.length; j++) {
      const x = t - s * p[j];
      if (x <= 0) break;
      sum += w[j] * wait.cdf(k, theta * x);
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
