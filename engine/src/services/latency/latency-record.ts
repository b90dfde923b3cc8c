import { DDSketch } from "@datadog/sketches-js";
import { ATOM, ResponseMixture } from "./response-mixture.js";
import type { ServiceTimeShape } from "./service-time.js";

/**
 * The response times of a window's served requests, for its percentiles: p50 … p99.9 of all of them,
 * not a mean of per-tick figures. Both kinds answer within RELATIVE_ACCURACY of the exact quantile.
 */
export interface LatencyRecord {
  /** Requests recorded. */
  readonly count: number;
  /** The q-quantile of the recorded response times (NaN when none). */
  quantile(q: number): number;
}

/** Relative accuracy of every run-level percentile: within 0.5% of the exact one. */
export const RELATIVE_ACCURACY = 0.005;

/**
 * The per-request model's record: every response time into a DDSketch (Masson, Rim & Lee, "DDSketch: a
 * fast and fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019; Datadog's
 * library), whose quantiles are within RELATIVE_ACCURACY of the exact ones, in memory logarithmic in
 * the range of values.
 */
export class SketchRecord implements LatencyRecord {
  private readonly sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });

  get count(): number {
    return this.sketch.count;
  }

  /** One response time, or `weight` requests of it (a share of a tick's distribution). */
  add(latencyS: number, weight = 1): void {
    this.sketch.accept(latencyS, weight);
  }

  quantile(q: number): number {
    return this.sketch.count > 0 ? this.sketch.getValueAtQuantile(q) : Number.NaN;
  }
}

/** Bins of the wait parameter and slowdown: neighbours RELATIVE_ACCURACY apart, so a bin's value is within it. */
const LOG_STEP = Math.log1p(RELATIVE_ACCURACY);
/** The bin of no wait at all. */
const NO_WAIT_BIN = -(2 ** 24);

/**
 * The fluid model's record: each tick's response-time distribution, weighted by the requests it
 * served, summed as one mixture (./response-mixture.ts). Components whose wait parameter and slowdown
 * fall in the same logarithmic bin are merged at the bin's value, so the record's size grows with the
 * range of waits seen, not with the run's length; a merged wait is within RELATIVE_ACCURACY of its own,
 * and so is every quantile the record gives.
 */
export class MixtureRecord implements LatencyRecord {
  readonly mixture: ResponseMixture;
  private readonly bins = new Map<number, number>();

  constructor(shape: ServiceTimeShape) {
    this.mixture = new ResponseMixture(shape);
  }

  get count(): number {
    return this.mixture.total;
  }

  /** Add a tick's mixture, its weights the requests served. */
  addMixture(m: ResponseMixture): void {
    for (let i = 0; i < m.count; i++) this.addComponent(m.kind[i], m.param[i], m.slowdown[i], m.weight[i]);
  }

  quantile(q: number): number {
    return this.mixture.quantile(q);
  }

  /**
   * The last bin each kind of component went to (the no-wait atom, exponential waits, other atoms) and
   * its bounds: a tick's components mostly fall where the last tick's did, found without a logarithm.
   */
  private readonly lastIndex = new Int32Array(3).fill(-1);
  private readonly lastLo = new Float64Array(3);
  private readonly lastHi = new Float64Array(3);
  private readonly lastSlowdown = new Float64Array(3);
  /** The kind of wait of slot 1's last component (exponential, or M/G/1's at one load). */
  private lastWaitKind = -1;

  /** Add one component (a wait of `kind` and `param`, stretched service) with `weight` requests. */
  addComponent(kind: number, param: number, slowdown: number, weight: number): void {
    if (!(weight > 0)) return;
    const slot = kind === ATOM ? (param <= 0 ? 0 : 2) : 1;
    const at = this.lastIndex[slot];
    if (
      at >= 0 &&
      slowdown === this.lastSlowdown[slot] &&
      (slot === 0 || (param >= this.lastLo[slot] && param < this.lastHi[slot])) &&
      (slot !== 1 || kind === this.lastWaitKind)
    ) {
      this.mixture.weight[at] += weight;
      this.mixture.total += weight;
      return;
    }
    const index = this.binOf(kind, param, slowdown, weight);
    const p = Math.round(Math.log(param) / LOG_STEP);
    this.lastIndex[slot] = index;
    this.lastSlowdown[slot] = slowdown;
    if (slot === 1) this.lastWaitKind = kind;
    // The parameters that round to bin p: [e^{(p − ½)·step}, e^{(p + ½)·step}).
    this.lastLo[slot] = Math.exp((p - 0.5) * LOG_STEP);
    this.lastHi[slot] = Math.exp((p + 0.5) * LOG_STEP);
  }

  /** Add to the component of the bin of (kind, param, slowdown), made if new; returns its index. */
  private binOf(kind: number, param: number, slowdown: number, weight: number): number {
    // No wait (an atom at 0) is its own bin, at an index no positive parameter reaches (a double's
    // logarithm is above −745, so its bin above −149,000); others by the logarithm of their parameter.
    const noWait = kind === ATOM && param <= 0;
    const p = noWait ? NO_WAIT_BIN : Math.round(Math.log(param) / LOG_STEP);
    const s = Math.round(Math.log(slowdown) / LOG_STEP);
    // Unique for kinds below 127, |p| < 2^24 and |s| < 2^20 (parameters from 10^-52 to 10^52, slowdowns
    // to 10^2000): below 2^53.
    const key = (kind * 2 ** 25 + p + 2 ** 24) * 2 ** 21 + s + 2 ** 20;
    const at = this.bins.get(key);
    if (at !== undefined) {
      this.mixture.weight[at] += weight;
      this.mixture.total += weight;
      return at;
    }
    this.bins.set(key, this.mixture.count);
    this.mixture.add(kind, noWait ? 0 : Math.exp(p * LOG_STEP), Math.exp(s * LOG_STEP), weight);
    return this.mixture.count - 1;
  }
}
