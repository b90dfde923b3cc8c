import { quantileSorted } from "./quantile.js";

/**
 * A growing sample of values (8 bytes each) for exact quantiles: at the end of a run, or of each tick
 * (the per-request latency models' responses, cleared between ticks). The order of its values is not
 * kept: `quantile` sorts them in place.
 */
export class Sample {
  private values = new Float64Array(1024);
  private n = 0;
  private sum = 0;
  private sorted = true;

  add(x: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = x;
    this.sum += x;
    this.sorted = false;
  }

  /** Empty again (its buffer kept). */
  clear(): void {
    this.n = 0;
    this.sum = 0;
    this.sorted = true;
  }

  /** The mean, NaN when empty. */
  mean(): number {
    return this.n > 0 ? this.sum / this.n : Number.NaN;
  }

  /** The q-quantile (linear interpolation), NaN when empty. */
  quantile(q: number): number {
    const v = this.values.subarray(0, this.n);
    if (!this.sorted) v.sort();
    this.sorted = true;
    return quantileSorted(v, q);
  }

  /** Each value, in no particular order. */
  forEach(f: (x: number) => void): void {
    for (let i = 0; i < this.n; i++) f(this.values[i]);
  }

  /** An independent copy (to add to without changing this one). */
  copy(): Sample {
    const c = new Sample();
    c.values = this.values.slice(0, Math.max(this.n, 1024));
    c.n = this.n;
    c.sum = this.sum;
    c.sorted = this.sorted;
    return c;
  }

  get count(): number {
    return this.n;
  }

  /** Mean and p50/p95/p99 (linear interpolation), NaN when empty. */
  summary(): { mean: number; p50: number; p95: number; p99: number } {
    const sorted = this.values.slice(0, this.n).sort();
    return {
      mean: this.n > 0 ? this.sum / this.n : NaN,
      p50: quantileSorted(sorted, 0.5),
      p95: quantileSorted(sorted, 0.95),
      p99: quantileSorted(sorted, 0.99),
    };
  }
}

/** The time integral of a piecewise-constant quantity (allocated CPU, say), for its time average. */
export class TimeIntegral {
  private area = 0;
  private value = 0;
  private since: number;

  constructor(startS = 0) {
    this.since = startS;
  }

  /** Change the quantity by `delta` at time `nowS`. */
  add(delta: number, nowS: number): void {
    this.area += this.value * (nowS - this.since);
    this.since = nowS;
    this.value += delta;
  }

  /** Set the quantity to `value` at time `nowS`. */
  set(value: number, nowS: number): void {
    this.area += this.value * (nowS - this.since);
    this.since = nowS;
    this.value = value;
  }

  /** Time average over [start, endS]. */
  average(endS: number, startS = 0): number {
    const area = this.area + this.value * (endS - this.since);
    return endS > startS ? area / (endS - startS) : 0;
  }
}
