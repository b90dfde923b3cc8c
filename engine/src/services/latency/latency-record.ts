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
 * and so is every quantile the record gives. A tick whose components fall in the bins the last tick's
 * did adds to a weight kept beside the record's last bins, moved into the mixture when a bin changes or
 * the record is read: a steady service's tick touches the record alone.
 */
export class MixtureRecord implements LatencyRecord {
  private readonly mix: ResponseMixture;
  private readonly bins = new Map<number, number>();

  constructor(shape: ServiceTimeShape) {
    this.mix = new ResponseMixture(shape);
  }

  /** The recorded mixture. */
  get mixture(): ResponseMixture {
    this.flushNoWait();
    this.flush(this.waits);
    this.flush(this.atoms);
    return this.mix;
  }

  get count(): number {
    return this.mix.total + this.noWaitPending + this.waits.pending + this.atoms.pending;
  }

  /** Add a tick's mixture, its weights the requests served. */
  addMixture(m: ResponseMixture): void {
    for (let i = 0; i < m.count; i++) this.addComponent(m.kind[i], m.param[i], m.slowdown[i], m.weight[i]);
  }

  quantile(q: number): number {
    return this.mixture.quantile(q);
  }

  private flushNoWait(): void {
    if (this.noWaitPending === 0) return;
    this.mix.weight[this.noWaitIndex] += this.noWaitPending;
    this.mix.total += this.noWaitPending;
    this.noWaitPending = 0;
  }

  /** Moves a last bin's pending weight into the mixture. */
  private flush(last: LastBin): void {
    if (last.pending === 0) return;
    this.mix.weight[last.index] += last.pending;
    this.mix.total += last.pending;
    last.pending = 0;
  }

  /**
   * The last bin each kind of component went to (the no-wait atom, waits of a rate, other atoms) and
   * its bounds: a tick's components mostly fall where the last tick's did, found without a logarithm.
   * The no-wait atom's, the most common component, in the record's own fields.
   */
  private noWaitIndex = -1;
  private noWaitSlowdown = Number.NaN;
  private noWaitPending = 0;
  private readonly waits = new LastBin();
  private readonly atoms = new LastBin();

  /** Add one component (a wait of `kind` and `param`, stretched service) with `weight` requests. */
  addComponent(kind: number, param: number, slowdown: number, weight: number): void {
    if (!(weight > 0)) return;
    if (kind === ATOM && param <= 0) {
      if (this.noWaitIndex >= 0 && slowdown === this.noWaitSlowdown) {
        this.noWaitPending += weight;
        return;
      }
      this.flushNoWait();
      this.noWaitIndex = this.binOf(kind, param, slowdown, weight);
      this.noWaitSlowdown = slowdown;
      return;
    }
    const last = kind !== ATOM ? this.waits : this.atoms;
    if (last.index >= 0 && slowdown === last.slowdown && kind === last.kind && param >= last.lo && param < last.hi) {
      last.pending += weight;
      return;
    }
    this.flush(last);
    last.index = this.binOf(kind, param, slowdown, weight);
    last.slowdown = slowdown;
    last.kind = kind;
    // The parameters that round to bin p: [e^{(p − ½)·step}, e^{(p + ½)·step}).
    const p = Math.round(Math.log(param) / LOG_STEP);
    last.lo = Math.exp((p - 0.5) * LOG_STEP);
    last.hi = Math.exp((p + 0.5) * LOG_STEP);
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
      this.mix.weight[at] += weight;
      this.mix.total += weight;
      return at;
    }
    this.bins.set(key, this.mix.count);
    this.mix.add(kind, noWait ? 0 : Math.exp(p * LOG_STEP), Math.exp(s * LOG_STEP), weight);
    return this.mix.count - 1;
  }
}

/**
 * Where a kind of component last went: its bin's index in the mixture, what falls in that bin, and the
 * weight added to it since it was last moved into the mixture.
 */
class LastBin {
  index = -1;
  pending = 0;
  kind = -1;
  slowdown = Number.NaN;
  lo = 0;
  hi = 0;
}
