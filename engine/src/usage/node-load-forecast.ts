import type { ClusterView } from "@clustersim/hardware-models";
import type { NodeLoad, NodeLoadOptions } from "@clustersim/schedulers";
import { normalQuantile } from "@clustersim/workloads";

/** Koordinator's NodeMetric usage is an average over its last few minutes: 5 one-minute samples here. */
const AVERAGE_SAMPLES = 5;

/**
 * Each node's CPU usage as the load-aware strategy predicts it, from one sample per `sampleS` (taken by
 * ./node-load-controller.ts). What is sampled and forecast is the node's usage less its allocation (a
 * replica using less than it requests, a batch pod on reclaimed room): the allocation itself is known
 * exactly at any moment, so a pod bound or gone counts at once, at its request, and only how much of
 * their requests the pods use is predicted. The prediction is
 *   allocation now + the forecast of (usage − allocation)
 * where the forecast is
 * - `average`: the mean of the last 5 samples (Koordinator's NodeMetric, which averages the last minutes);
 * - `trend`: a least-squares line through the last `windowSamples` samples, taken at its larger end over
 *   the horizon (now, or `horizonS` ahead, at most a window ahead), plus the upper half-width of the
 *   line's prediction interval at the far end, z·s·√(1 + 1/n + (x − x̄)²/Sxx), z the normal quantile of
 *   1 − risk (a normal stand-in for Student's t, about 3% narrower at 30 samples). The residuals are
 *   assumed normal and independent; a diurnal curve is taken as locally straight. With fewer than 3
 *   samples it is the average's.
 *
 * It also keeps the strategy's account: each placement is watched over its expected lifetime (in whole
 * samples) for its node's measured usage passing the limit it was placed under: at any sample (crossed),
 * and in what share of its samples (over, the figure a per-point risk speaks to).
 */
export class NodeLoadForecast implements NodeLoad {
  private readonly window: number;
  private readonly ring: Float64Array;
  private readonly level: Float64Array;
  private readonly slope: Float64Array;
  private readonly spread: Float64Array;
  private readonly z: number;
  private taken = 0;
  private at = 0;
  private readonly watchNode: number[] = [];
  private readonly watchUntil: number[] = [];
  private readonly watchLimit: number[] = [];
  /** Placements watched, and those whose node's usage crossed their limit within their lifetime. */
  placements = 0;
  crossed = 0;
  /** Samples of watched placements, and those in which their node's usage was over their limit. */
  private watchedSamples = 0;
  private samplesOver = 0;
  private readonly watchCrossed: boolean[] = [];

  constructor(
    private readonly cluster: ClusterView,
    readonly o: NodeLoadOptions,
  ) {
    const n = cluster.nodeCount;
    this.window = o.predictor === "trend" ? o.windowSamples : AVERAGE_SAMPLES;
    this.ring = new Float64Array(n * this.window);
    this.level = new Float64Array(n);
    this.slope = new Float64Array(n);
    this.spread = new Float64Array(n);
    this.z = normalQuantile(1 - o.risk);
  }

  cpuMilli(node: number, horizonS: number): number {
    const allocated = this.cluster.allocatableCpuMilli(node) - this.cluster.freeCpuMilli(node);
    return Math.max(0, allocated + this.deltaBound(node, horizonS));
  }

  assigned(node: number, horizonS: number, limitMilli: number): void {
    this.placements++;
    this.watchNode.push(node);
    this.watchUntil.push(this.taken + Math.max(1, Math.ceil(horizonS / this.o.sampleS)));
    this.watchLimit.push(limitMilli);
    this.watchCrossed.push(false);
  }

  /** The forecast of a node's usage less allocation over the horizon (its upper bound for the trend). */
  private deltaBound(node: number, horizonS: number): number {
    const n = Math.min(this.taken, this.window);
    if (n === 0) return 0;
    if (this.o.predictor === "average" || n < 3) return this.level[node];
    const k = Math.min(Math.ceil(horizonS / this.o.sampleS), this.window);
    const now = this.level[node];
    const far = now + this.slope[node] * k;
    const xBar = (n - 1) / 2;
    const sxx = (n * (n * n - 1)) / 12;
    const dx = n - 1 + k - xBar;
    return Math.max(now, far) + this.z * this.spread[node] * Math.sqrt(1 + 1 / n + (dx * dx) / sxx);
  }

  /**
   * A sample: each node's usage less its allocation now (`delta`, millicores). Refits every node and
   * settles the watched placements against the usage measured.
   */
  observe(delta: Float64Array): void {
    const W = this.window;
    for (let node = 0; node < delta.length; node++) this.ring[node * W + this.at] = delta[node];
    this.at = (this.at + 1) % W;
    this.taken++;
    for (let node = 0; node < delta.length; node++) this.fit(node);
    this.settle(delta);
  }

  /** The node's level now (the mean, or the line's value at the newest sample), slope and residual spread. */
  private fit(node: number): void {
    const W = this.window;
    const n = Math.min(this.taken, W);
    const base = node * W;
    // Oldest first: x = 0 … n − 1, the newest at n − 1.
    const first = (this.at - n + W) % W;
    if (this.o.predictor === "average" || n < 3) {
      let sum = 0;
      const m = Math.min(n, AVERAGE_SAMPLES);
      for (let i = n - m; i < n; i++) sum += this.ring[base + ((first + i) % W)];
      this.level[node] = sum / m;
      return;
    }
    const xBar = (n - 1) / 2;
    let yBar = 0;
    for (let i = 0; i < n; i++) yBar += this.ring[base + ((first + i) % W)];
    yBar /= n;
    let sxy = 0;
    for (let i = 0; i < n; i++) sxy += (i - xBar) * (this.ring[base + ((first + i) % W)] - yBar);
    const sxx = (n * (n * n - 1)) / 12;
    const b = sxy / sxx;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const r = this.ring[base + ((first + i) % W)] - (yBar + b * (i - xBar));
      ss += r * r;
    }
    this.slope[node] = b;
    this.level[node] = yBar + b * (n - 1 - xBar);
    this.spread[node] = Math.sqrt(ss / (n - 2));
  }

  /**
   * Each watched placement's sample: over when its node uses more than its limit now; crossed the first
   * time it is; done after its lifetime's last sample.
   */
  private settle(delta: Float64Array): void {
    const c = this.cluster;
    const nodes = this.watchNode;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const used = c.allocatableCpuMilli(node) - c.freeCpuMilli(node) + delta[node];
      this.watchedSamples++;
      if (used > this.watchLimit[i]) {
        this.samplesOver++;
        if (!this.watchCrossed[i]) this.crossed++;
        this.watchCrossed[i] = true;
      }
      if (this.taken >= this.watchUntil[i]) {
        const last = nodes.length - 1;
        nodes[i] = nodes[last];
        this.watchUntil[i] = this.watchUntil[last];
        this.watchLimit[i] = this.watchLimit[last];
        this.watchCrossed[i] = this.watchCrossed[last];
        nodes.pop();
        this.watchUntil.pop();
        this.watchLimit.pop();
        this.watchCrossed.pop();
      }
    }
  }

  /** The summary's figures: placements watched and the share whose node crossed its limit. */
  summary(): Record<string, number> {
    return {
      loadAwarePlacements: this.placements,
      loadAwareLimitCrossedShare: this.placements > 0 ? this.crossed / this.placements : 0,
      loadAwareOverLimitShare: this.watchedSamples > 0 ? this.samplesOver / this.watchedSamples : 0,
    };
  }
}
