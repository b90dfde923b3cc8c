import type { ClusterView } from "@clustersim/hardware-models";
import type { NodeLoad, NodeLoadOptions } from "@clustersim/schedulers";
import type { BatchTier } from "../colocation/batch-tier.js";
import { studentTQuantile } from "../forecast/student-t.js";

/** Koordinator's NodeMetric usage is an average over its last few minutes: 5 one-minute samples here. */
const AVERAGE_SAMPLES = 5;
/** The trend needs 3 degrees of freedom for its t quantile: 5 samples. */
const TREND_MIN_SAMPLES = 5;

/** Σ (x − x̄)² over x = 0 … n − 1: n(n² − 1)/12. */
const centredSquares = (n: number) => (n * (n * n - 1)) / 12;

/** A placement watched: its node, until when, the limit it was held to, and whether it was passed. */
interface Watch {
  node: number;
  untilS: number;
  limitMilli: number;
  crossed: boolean;
}

/** What the forecast reads of the services (ServicesController). */
export interface ServiceUsage {
  readonly serviceCount: number;
  /** Service i's CPU usage now, millicores. */
  usageMilli(i: number): number;
  /** Service i's ready replicas now. */
  readyReplicas(i: number): number;
  /**
   * Service i's replicas' usage less their requests into `out` by node, were it using `usageMilli`,
   * shared by every placed replica (`starting`: those starting too, as they will be once ready).
   */
  addReplicaDelta(i: number, usageMilli: number, out: Float64Array, starting: boolean): void;
  /** Moves whenever a replica is placed, becomes ready, leaves or is resized. */
  readonly replicaChanges: number;
}

/** What a node's usage is made of beyond its requests: the services' replicas and the batch tier. */
export interface NodeLoadSources {
  services?: ServiceUsage;
  tier?: Pick<BatchTier, "usedOn">;
}

/**
 * Each node's CPU usage as the load-aware strategy predicts it. In the run's usage model a pod uses its
 * request, except a service replica (its service's usage, shared by the ready replicas) and a batch-tier
 * pod (its suppressed rate). So a node's usage over the next minutes is
 *   its allocation now + the batch tier's usage now + Σ over services of its replicas' share of the
 *   service's predicted usage less their requests
 * and what is predicted is each service's CPU usage, sampled once per `sampleS` (koordlet reports
 * NodeMetric every 60 s): the demand where it comes from, mapped to nodes through where the replicas
 * are now (every placed replica taking its share, a starting one as it will once ready). A pod bound
 * or gone counts at once, with no stale sample to wait for. The service's usage is
 * - `average`: the mean of its last 5 samples (Koordinator's NodeMetric averages its last minutes);
 * - `trend`: a least-squares line through its last `windowSamples` samples, taken at its larger end
 *   over the horizon (now, or `horizonS` ahead, counted from the last sample and extrapolated at most
 *   as far as the samples reach back: n − 1 intervals), plus the upper half-width of the line's
 *   prediction interval there, t·s·√(1 + 1/n + (x − x̄)²/Sxx), t Student's quantile of 1 − risk with
 *   n − 2 degrees of freedom: at any one minute the usage passes it with probability `risk` if the residuals are normal
 *   and independent (a diurnal curve is taken as straight over the window). With fewer than 5 samples
 *   it is the average's. A service is sampled only while it has a ready replica.
 * The batch tier is taken as it is now (its pods slow when online usage rises).
 *
 * It keeps the strategy's account too: each placement is watched until its pod leaves or its expected
 * lifetime ends, for its node's measured usage passing the limit it was placed under; and each
 * service's usage is checked against what the forecast said a sample before.
 */
export class NodeLoadForecast implements NodeLoad {
  private readonly window: number;
  private sources: NodeLoadSources = {};
  private nowS: () => number = () => 0;
  private ring = new Float64Array(0);
  private level = new Float64Array(0);
  private slope = new Float64Array(0);
  private spread = new Float64Array(0);
  private t = new Float64Array(0);
  /** Each service's bound a sample ahead, made at the last sample (NaN before the first). */
  private nextBound = new Float64Array(0);
  /** Samples taken of each service, and where its next goes in its ring. */
  private taken = new Int32Array(0);
  private at = new Int32Array(0);
  private lastS = 0;
  /** The services' part of each node's prediction, by samples ahead, while replicas stay as they are. */
  private readonly shares = new Map<number, Float64Array>();
  private sharesOf = -1;
  private readonly watches = new Map<number, Watch>();
  /** The watch of the pod that left last: a pod resized in place leaves and is bound again at once. */
  private parked: { podId: number; watch: Watch } | undefined;
  private placements = 0;
  private crossed = 0;
  private watchedSamples = 0;
  private samplesOver = 0;
  private serviceSamples = 0;
  private overForecast = 0;

  constructor(
    private readonly cluster: ClusterView,
    readonly o: NodeLoadOptions,
  ) {
    this.window = o.predictor === "trend" ? o.windowSamples : AVERAGE_SAMPLES;
  }

  /** Read usage from `sources` and time from `nowS`, from the run's start (./node-load-controller.ts). */
  start(sources: NodeLoadSources, nowS: () => number): void {
    this.sources = sources;
    this.nowS = nowS;
    const S = sources.services?.serviceCount ?? 0;
    this.ring = new Float64Array(S * this.window);
    this.level = new Float64Array(S);
    this.slope = new Float64Array(S);
    this.spread = new Float64Array(S);
    this.t = new Float64Array(S);
    this.nextBound = new Float64Array(S).fill(Number.NaN);
    this.taken = new Int32Array(S);
    this.at = new Int32Array(S);
  }

  cpuMilli(node: number, horizonS: number): number {
    const tier = this.sources.tier;
    return this.onlineCpuMilli(node, horizonS) + (tier ? tier.usedOn(node) : 0);
  }

  /** The node's predicted usage without the batch tier's pods: what co-location's room is left of. */
  onlineCpuMilli(node: number, horizonS: number): number {
    const c = this.cluster;
    const allocated = c.allocatableCpuMilli(node) - c.freeCpuMilli(node);
    if (!this.sources.services) return allocated;
    const ahead = Math.ceil((horizonS + this.nowS() - this.lastS) / this.o.sampleS);
    return Math.max(0, allocated + this.sharesFor(this.o.predictor === "trend" ? ahead : 0)[node]);
  }

  /** The share of service samples whose usage passed what the forecast said a sample before. */
  get usageOverForecastShare(): number {
    return this.serviceSamples > 0 ? this.overForecast / this.serviceSamples : 0;
  }

  placed(podId: number, node: number, horizonS: number, limitMilli: number): void {
    this.placements++;
    this.watches.set(podId, { node, untilS: this.nowS() + horizonS, limitMilli, crossed: false });
  }

  left(podId: number): void {
    const w = this.watches.get(podId);
    this.watches.delete(podId);
    this.parked = w && { podId, watch: w };
  }

  back(podId: number, node: number): void {
    const p = this.parked;
    if (p && p.podId === podId && p.watch.node === node) this.watches.set(podId, p.watch);
    this.parked = undefined;
  }

  /** The services' replicas' predicted usage less their requests, by node, `ahead` samples on. */
  private sharesFor(ahead: number): Float64Array {
    const services = this.sources.services!;
    const changes = services.replicaChanges;
    if (changes !== this.sharesOf) {
      this.shares.clear();
      this.sharesOf = changes;
    }
    let out = this.shares.get(ahead);
    if (!out) {
      out = new Float64Array(this.cluster.nodeCount);
      for (let i = 0; i < services.serviceCount; i++) services.addReplicaDelta(i, this.bound(i, ahead), out, true);
      this.shares.set(ahead, out);
    }
    return out;
  }

  /** Service i's predicted usage, millicores: the mean, or the trend's upper bound `ahead` samples on. */
  private bound(i: number, ahead: number): number {
    const n = Math.min(this.taken[i], this.window);
    if (n === 0) return this.sources.services!.usageMilli(i);
    if (this.o.predictor === "average" || n < TREND_MIN_SAMPLES) return this.level[i];
    // No further ahead than the samples reach back (n − 1 intervals).
    const k = Math.min(ahead, n - 1);
    const now = this.level[i];
    const far = now + this.slope[i] * k;
    const dx = (n - 1) / 2 + k; // from the samples' mean x̄ = (n − 1)/2 to x = n − 1 + k
    const sxx = centredSquares(n);
    return Math.max(now, far) + this.t[i] * this.spread[i] * Math.sqrt(1 + 1 / n + (dx * dx) / sxx);
  }

  /**
   * A sample at `nowS`: each service's usage now, refitted; `delta` is each node's usage less its
   * allocation now (the usage model's), which the watched placements are settled against.
   */
  observe(nowS: number, delta: Float64Array): void {
    const services = this.sources.services;
    if (services) {
      const W = this.window;
      for (let i = 0; i < services.serviceCount; i++) {
        // A service with no ready replica uses nothing because nothing serves (at its start, say): not
        // a level its demand will keep.
        if (services.readyReplicas(i) === 0) continue;
        const u = services.usageMilli(i);
        if (!Number.isNaN(this.nextBound[i])) {
          this.serviceSamples++;
          if (u > this.nextBound[i]) this.overForecast++;
        }
        this.ring[i * W + this.at[i]] = u;
        this.at[i] = (this.at[i] + 1) % W;
        this.taken[i]++;
        this.fit(i);
        this.nextBound[i] = this.bound(i, 1);
      }
      this.shares.clear();
    }
    this.lastS = nowS;
    this.settle(nowS, delta);
  }

  /** Service i's level now (the mean, or the line's value at the newest sample), slope and residual spread. */
  private fit(i: number): void {
    const W = this.window;
    const n = Math.min(this.taken[i], W);
    const base = i * W;
    // Oldest first: x = 0 … n − 1, the newest at n − 1.
    const first = (this.at[i] - n + W) % W;
    const y = (x: number) => this.ring[base + ((first + x) % W)];
    if (this.o.predictor === "average" || n < TREND_MIN_SAMPLES) {
      const m = Math.min(n, AVERAGE_SAMPLES);
      let sum = 0;
      for (let x = n - m; x < n; x++) sum += y(x);
      this.level[i] = sum / m;
      return;
    }
    const xBar = (n - 1) / 2;
    let yBar = 0;
    for (let x = 0; x < n; x++) yBar += y(x);
    yBar /= n;
    let sxy = 0;
    for (let x = 0; x < n; x++) sxy += (x - xBar) * (y(x) - yBar);
    const b = sxy / centredSquares(n);
    let ss = 0;
    for (let x = 0; x < n; x++) {
      const r = y(x) - (yBar + b * (x - xBar));
      ss += r * r;
    }
    this.slope[i] = b;
    this.level[i] = yBar + b * (n - 1 - xBar);
    this.spread[i] = Math.sqrt(ss / (n - 2));
    this.t[i] = studentTQuantile(1 - this.o.risk, n - 2);
  }

  /** Each watched placement, a sample of its lifetime: over when its node uses more than its limit. */
  private settle(nowS: number, delta: Float64Array): void {
    const c = this.cluster;
    for (const [id, w] of this.watches) {
      if (nowS > w.untilS) {
        this.watches.delete(id);
        continue;
      }
      this.watchedSamples++;
      if (c.allocatableCpuMilli(w.node) - c.freeCpuMilli(w.node) + delta[w.node] > w.limitMilli) {
        this.samplesOver++;
        if (!w.crossed) this.crossed++;
        w.crossed = true;
      }
    }
  }

  /**
   * The summary's figures: placements watched; the share whose node passed its limit at some sample of
   * the pod's life, and the share of those samples over it; the share of service samples whose usage
   * passed the forecast made a sample before (the risk a trend states, for one step ahead).
   */
  summary(): Record<string, number> {
    const share = (a: number, b: number) => (b > 0 ? a / b : 0);
    return {
      loadAwarePlacements: this.placements,
      loadAwareLimitCrossedShare: share(this.crossed, this.placements),
      loadAwareOverLimitShare: share(this.samplesOver, this.watchedSamples),
      ...(this.sources.services && { loadAwareUsageOverForecastShare: this.usageOverForecastShare }),
    };
  }
}
