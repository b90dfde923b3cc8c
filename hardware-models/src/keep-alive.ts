/**
 * Keeping sandbox instances warm between invocations (../shared/CALIBRATION.md, "Sandbox runtimes and
 * cold starts"): a fixed keep-alive as the large clouds use (AWS 10 min, Azure 20 min [S]), and the
 * hybrid histogram policy of "Serverless in the Wild" (Shahrad et al., ATC'20 [P]): per application, a
 * histogram of idle times (1-minute bins over 4 hours); when it is representative, unload after an
 * execution, pre-warm at the idle times' 5th percentile and keep alive until their 99th, each with a
 * 10% margin; while it is not (the bins' coefficient of variation is low), keep alive for the whole
 * 4-hour range. Applications whose idle times mostly fall outside the range are the paper's ARIMA
 * case: given a predictor of the next idle time (`NextIdle`; the engine's is ARIMA), unload after an
 * execution, pre-warm at 85% of the predicted idle time and keep alive until 115% of it (a 15% margin,
 * as the dslab reproduction of the paper sets it); without a predictor, or while it has no prediction
 * (too few idle times for a fit), they keep the 4-hour fallback.
 */
export interface KeepAliveWindow {
  /** After an execution ends, the instance is unloaded for this long (0: stays loaded). */
  prewarmS: number;
  /** Then it is loaded, warm, for this long. */
  keepAliveS: number;
}

export interface KeepAlivePolicy {
  readonly name: string;
  /** An idle time of the app was seen: from the end of one execution to the start of the next. */
  observeIdle(app: string, idleS: number): void;
  window(app: string): KeepAliveWindow;
}

export class FixedKeepAlive implements KeepAlivePolicy {
  readonly name: string;
  constructor(readonly keepAliveS: number) {
    this.name = `fixed-${keepAliveS}s`;
  }
  observeIdle(): void {}
  window(): KeepAliveWindow {
    return { prewarmS: 0, keepAliveS: this.keepAliveS };
  }
}

/** A predictor of an app's next idle time from its idle times so far (oldest first); NaN when it has none. */
export type NextIdle = (idleTimesS: readonly number[]) => number;

export interface HybridHistogramParams {
  /** Range of the histogram: 4 hours in the paper [P]. */
  rangeS: number;
  /** Bin width: 1 minute [P]. */
  binS: number;
  /** Percentiles for pre-warming and keep-alive: 5th and 99th [P]. */
  head: number;
  tail: number;
  /** Margin taken off the pre-warm time and added to the keep-alive end: 10% [P]. */
  margin: number;
  /** Coefficient of variation of the bin counts below which the histogram is not representative [U]. */
  cvThreshold: number;
  /** Share of idle times beyond the range from which the paper switches to ARIMA [U]. */
  outOfRangeThreshold: number;
  /** The ARIMA case's margin around the predicted idle time: 15% (dslab's reproduction) [U]. */
  predictedMargin: number;
  /** Idle times kept per app for the predictor (the most recent) [U]. */
  history: number;
}

export const HYBRID_DEFAULTS: Readonly<HybridHistogramParams> = Object.freeze({
  rangeS: 4 * 3600,
  binS: 60,
  head: 0.05,
  tail: 0.99,
  margin: 0.1,
  cvThreshold: 2,
  outOfRangeThreshold: 0.5,
  predictedMargin: 0.15,
  history: 1000,
});

class IdleHistogram {
  readonly bins: Uint32Array;
  inRange = 0;
  outOfRange = 0;
  /** The most recent idle times, oldest first (for the predictor). */
  recent: number[] = [];

  constructor(n: number) {
    this.bins = new Uint32Array(n);
  }

  /** Coefficient of variation of the bin counts (std / mean over all bins). */
  cv(): number {
    const n = this.bins.length;
    if (this.inRange === 0) return 0;
    const mean = this.inRange / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (this.bins[i] - mean) ** 2;
    return Math.sqrt(ss / (n - 1)) / mean;
  }

  /** The bin holding the p-quantile of the in-range idle times. */
  percentileBin(p: number): number {
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i];
      if (seen / this.inRange >= p) return i;
    }
    return this.bins.length - 1;
  }
}

export class HybridHistogramKeepAlive implements KeepAlivePolicy {
  readonly name = "hybrid-histogram";
  private readonly p: HybridHistogramParams;
  private readonly apps = new Map<string, IdleHistogram>();

  constructor(
    params: Partial<HybridHistogramParams> = {},
    private readonly nextIdle?: NextIdle,
  ) {
    this.p = { ...HYBRID_DEFAULTS, ...params };
  }

  observeIdle(app: string, idleS: number): void {
    let h = this.apps.get(app);
    if (!h) {
      h = new IdleHistogram(Math.round(this.p.rangeS / this.p.binS));
      this.apps.set(app, h);
    }
    if (this.nextIdle) {
      h.recent.push(idleS);
      // Trimmed in batches: O(1) per idle time on average.
      if (h.recent.length >= 2 * this.p.history) h.recent = h.recent.slice(-this.p.history);
    }
    const bin = Math.floor(idleS / this.p.binS);
    if (bin < h.bins.length) {
      h.bins[bin]++;
      h.inRange++;
    } else h.outOfRange++;
  }

  /** Whether the app's histogram currently drives its windows (else the range-long fallback). */
  representative(app: string): boolean {
    const h = this.apps.get(app);
    if (!h || h.inRange === 0 || this.outOfRange(app)) return false;
    return h.cv() >= this.p.cvThreshold;
  }

  /** Whether most of the app's idle times fall beyond the histogram's range (the paper's ARIMA case). */
  outOfRange(app: string): boolean {
    const h = this.apps.get(app);
    return h !== undefined && h.outOfRange / (h.inRange + h.outOfRange) >= this.p.outOfRangeThreshold;
  }

  window(app: string): KeepAliveWindow {
    if (this.nextIdle && this.outOfRange(app)) {
      const recent = this.apps.get(app)!.recent;
      const next = this.nextIdle(recent.length > this.p.history ? recent.slice(-this.p.history) : recent);
      if (next > 0 && next < Number.POSITIVE_INFINITY) {
        const m = this.p.predictedMargin;
        return { prewarmS: next * (1 - m), keepAliveS: 2 * m * next };
      }
    }
    if (!this.representative(app)) return { prewarmS: 0, keepAliveS: this.p.rangeS };
    const h = this.apps.get(app)!;
    const prewarmS = h.percentileBin(this.p.head) * this.p.binS * (1 - this.p.margin);
    const endS = (h.percentileBin(this.p.tail) + 1) * this.p.binS * (1 + this.p.margin);
    return { prewarmS, keepAliveS: Math.max(0, endS - prewarmS) };
  }
}

/**
 * One instance per application, as in the paper's simulations: tells whether each invocation starts
 * warm, and accounts the time instances sit loaded but idle (the memory a policy spends).
 */
export class WarmInstances {
  private readonly lastEnd = new Map<string, number>();
  private readonly lastWindow = new Map<string, KeepAliveWindow>();
  coldStarts = 0;
  warmStarts = 0;
  /** Seconds that instances were loaded while idle. */
  idleLoadedS = 0;

  constructor(readonly policy: KeepAlivePolicy) {}

  /** An invocation of `app` starts at `startS` and runs `runS`; returns true for a warm start. */
  invoke(app: string, startS: number, runS: number): boolean {
    const end = this.lastEnd.get(app);
    let warm: boolean;
    if (end === undefined) warm = false;
    else if (startS < end)
      warm = true; // the instance is still running: concurrent reuse
    else {
      const w = this.lastWindow.get(app)!;
      const loadFrom = end + w.prewarmS;
      const loadUntil = loadFrom + w.keepAliveS;
      warm = startS >= loadFrom && startS <= loadUntil;
      this.idleLoadedS += Math.max(0, Math.min(startS, loadUntil) - loadFrom);
      this.policy.observeIdle(app, startS - end);
    }
    if (warm) this.warmStarts++;
    else this.coldStarts++;
    this.lastEnd.set(app, Math.max(end ?? -Infinity, startS + runS));
    this.lastWindow.set(app, this.policy.window(app));
    return warm;
  }

  /** Account the idle-loaded time of every app up to the end of the run. */
  finish(atS: number): void {
    for (const [app, end] of this.lastEnd) {
      const w = this.lastWindow.get(app)!;
      const loadFrom = end + w.prewarmS;
      this.idleLoadedS += Math.max(0, Math.min(atS, loadFrom + w.keepAliveS) - loadFrom);
    }
    this.lastEnd.clear();
  }
}
