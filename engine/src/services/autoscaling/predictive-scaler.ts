import { createForecaster } from "../../forecast/create.js";
import type { Forecaster } from "../../forecast/forecaster.js";
import type { PredictiveConfig } from "../service-config.js";

/**
 * The predictive half of a predictive HPA (Alibaba's AHPA, Tencent's Crane): the offered rate kept per
 * interval feeds a forecaster; at each sync it proposes the replicas the largest forecast over the
 * coming lead time needs, at the target per replica with the margin on top. The lead time is how long
 * replicas took to become ready in this run (creation, placement, image pull, sandbox start,
 * readiness), plus one sync period: what is asked for now serves from then.
 */
export class PredictiveScaler {
  private readonly forecaster: Forecaster;
  private readonly ticksPerInterval: number;
  private sum = 0;
  private ticks = 0;
  /** The forecast made for the interval being filled, one interval ahead, and the errors so far. */
  private expected = Number.NaN;
  /** The forecast that was made for the interval filled last. */
  private expectedBefore = Number.NaN;
  private absoluteError = 0;
  private actual = 0;

  constructor(
    private readonly c: PredictiveConfig,
    tickS: number,
    private readonly targetPerReplica: number,
  ) {
    this.ticksPerInterval = Math.max(1, Math.round(c.intervalS / tickS));
    const period = Math.round(c.seasonS / c.intervalS);
    this.forecaster = createForecaster(c, period);
    // The past the run starts with (AHPA reads weeks of metrics first): learnt, not scored.
    for (const x of c.history ?? []) this.forecaster.observe(x);
    if (c.history?.length) this.expected = this.forecaster.forecast(1);
  }

  /** A tick's offered rate, requests per second. */
  record(offeredPerS: number): void {
    this.sum += offeredPerS;
    if (++this.ticks < this.ticksPerInterval) return;
    const mean = this.sum / this.ticks;
    this.sum = 0;
    this.ticks = 0;
    if (Number.isFinite(this.expected)) {
      this.absoluteError += Math.abs(mean - this.expected);
      this.actual += mean;
    }
    this.forecaster.observe(mean);
    this.expectedBefore = this.expected;
    this.expected = this.forecaster.forecast(1);
  }

  /**
   * The replicas the coming `leadS` seconds need by the forecast; undefined while it cannot forecast.
   * Reaching them from `current` takes the scale-up policy's steps too, at most doubling every `stepS`
   * (upstream's default, max(4 pods, 100%) per 15 s, is that or faster): the window looks as far ahead
   * as the steps up to `maxReplicas` would take, so a step forecast beyond the lead is seen in time.
   */
  replicas(leadS: number, current: number, maxReplicas: number, stepS: number): number | undefined {
    // The forecast's first interval is the one being filled: the window starts at its start.
    const elapsedS = this.ticks * (this.c.intervalS / this.ticksPerInterval);
    const rampS = stepS * Math.max(0, Math.ceil(Math.log2(Math.max(1, maxReplicas) / Math.max(1, current))));
    const h = Math.max(1, Math.ceil((elapsedS + leadS + rampS) / this.c.intervalS));
    let most = Number.NaN;
    for (let k = 1; k <= h; k++) {
      const x = this.forecaster.forecast(k);
      if (Number.isFinite(x) && !(x <= most)) most = x;
    }
    if (!Number.isFinite(most)) return undefined;
    return Math.ceil((Math.max(0, most) * (1 + this.c.margin)) / this.targetPerReplica);
  }

  /**
   * The offered rate forecast for the interval that holds the last tick recorded (NaN while it could
   * not forecast): what came in that tick is to be read against it.
   */
  get lastTickForecastPerS(): number {
    return this.ticks === 0 ? this.expectedBefore : this.expected;
  }

  /** One-interval-ahead forecast error so far: Σ|actual − forecast| / Σ actual (NaN before one). */
  get weightedError(): number {
    return this.actual > 0 ? this.absoluteError / this.actual : Number.NaN;
  }
}
