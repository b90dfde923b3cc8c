import type { Forecaster } from "./forecaster.js";
import { HoltWinters, type Smoothing } from "./holt-winters.js";

/** The smoothing weights tried: level and season 0.1, 0.3, 0.6; trend 0.01, 0.1. */
const GRID: Smoothing[] = [0.1, 0.3, 0.6].flatMap((alpha) =>
  [0.01, 0.1].flatMap((beta) => [0.1, 0.3, 0.6].map((gamma) => ({ alpha, beta, gamma }))),
);

/**
 * Holt–Winters fitted online: one model per smoothing grid point, all updated with every observation;
 * the forecast is the model whose one-step-ahead errors have the least exponentially weighted mean
 * square (decay 0.99 per interval), so the weights follow the series as it goes.
 */
export class FittedHoltWinters implements Forecaster {
  private readonly models: HoltWinters[];
  private readonly error: Float64Array;

  constructor(period: number, multiplicative = false) {
    this.models = GRID.map((s) => new HoltWinters(period, s, multiplicative));
    this.error = new Float64Array(GRID.length);
  }

  observe(value: number): void {
    this.models.forEach((m, k) => {
      const f = m.forecast(1);
      if (Number.isFinite(f)) this.error[k] = 0.99 * this.error[k] + (value - f) ** 2;
      m.observe(value);
    });
  }

  forecast(h: number): number {
    let best = 0;
    for (let k = 1; k < this.models.length; k++) if (this.error[k] < this.error[best]) best = k;
    return this.models[best].forecast(h);
  }
}
