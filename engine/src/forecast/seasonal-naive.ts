import type { Forecaster } from "./forecaster.js";

/**
 * Seasonal naive: the value one season before the interval forecast (Hyndman & Athanasopoulos,
 * "Forecasting: Principles and Practice", 3rd ed., §5.2). The baseline every other forecaster is
 * judged against (MASE's denominator).
 */
export class SeasonalNaive implements Forecaster {
  private readonly last: Float64Array;
  private count = 0;

  constructor(private readonly period: number) {
    if (!(Number.isInteger(period) && period >= 1)) throw new RangeError(`seasonal naive: period ${period}`);
    this.last = new Float64Array(period);
  }

  observe(value: number): void {
    this.last[this.count % this.period] = value;
    this.count++;
  }

  forecast(h: number): number {
    if (this.count < this.period) return Number.NaN;
    // The interval t + h is (h − 1) mod m intervals after t + 1 − m, the oldest value kept.
    return this.last[(this.count + ((h - 1) % this.period)) % this.period];
  }
}
