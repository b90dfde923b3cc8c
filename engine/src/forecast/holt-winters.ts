import type { Forecaster } from "./forecaster.js";

/** Holt–Winters smoothing weights: level α, trend β, season γ, each in (0, 1). */
export interface Smoothing {
  alpha: number;
  beta: number;
  gamma: number;
}

/**
 * Holt–Winters exponential smoothing with a trend and a season of `period` intervals, additive or
 * multiplicative (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., §8.3,
 * the component form). Starts after two seasons: the trend is the change of the seasons' means per
 * interval, the season the first season's deviations (or ratios) from the line through its mean with
 * that slope, the level that line's value at the season's end; the second season is then observed.
 */
export class HoltWinters implements Forecaster {
  private readonly season: Float64Array;
  private readonly warm: number[] = [];
  private level = 0;
  private trend = 0;
  private t = 0;
  private started = false;

  constructor(
    private readonly period: number,
    private readonly s: Smoothing,
    private readonly multiplicative = false,
  ) {
    if (!(Number.isInteger(period) && period >= 2)) throw new RangeError(`Holt–Winters: period ${period}`);
    this.season = new Float64Array(period);
  }

  observe(value: number): void {
    if (!this.started) {
      this.warm.push(value);
      if (this.warm.length === 2 * this.period) this.start();
      return;
    }
    const m = this.period;
    const i = this.t % m;
    const { alpha, beta, gamma } = this.s;
    const previous = this.level;
    const si = this.season[i];
    if (this.multiplicative) {
      this.level = alpha * (value / (si > 0 ? si : 1)) + (1 - alpha) * (previous + this.trend);
      this.trend = beta * (this.level - previous) + (1 - beta) * this.trend;
      this.season[i] = gamma * (this.level > 0 ? value / this.level : si) + (1 - gamma) * si;
    } else {
      this.level = alpha * (value - si) + (1 - alpha) * (previous + this.trend);
      this.trend = beta * (this.level - previous) + (1 - beta) * this.trend;
      this.season[i] = gamma * (value - this.level) + (1 - gamma) * si;
    }
    this.t++;
  }

  forecast(h: number): number {
    if (!this.started) return Number.NaN;
    const si = this.season[(this.t + h - 1) % this.period];
    const base = this.level + h * this.trend;
    return this.multiplicative ? base * si : base + si;
  }

  private start(): void {
    const m = this.period;
    const first = this.warm.slice(0, m);
    const second = this.warm.slice(m);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const m1 = mean(first);
    const m2 = mean(second);
    this.trend = (m2 - m1) / m;
    for (let i = 0; i < m; i++) {
      // The first season's deviation (or ratio) from its trend line, centred on its mean.
      const line = m1 + (i - (m - 1) / 2) * this.trend;
      this.season[i] = this.multiplicative ? (line > 0 ? first[i] / line : 1) : first[i] - line;
    }
    // The level at the end of the first season, then the second season observed as any other.
    this.level = m1 + ((m - 1) / 2) * this.trend;
    this.started = true;
    this.t = 0;
    for (const x of second) this.observe(x);
  }
}
