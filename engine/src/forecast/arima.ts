import { type ArimaFit, type ArimaOrder, checkOrder, differencing, fitArima } from "./arima-fit.js";
import type { Forecaster } from "./forecaster.js";

/**
 * The default orders with a season: ARIMA(1, 0, 1)(0, 1, 1)ₛ. The seasonal half is Box and Jenkins's
 * airline model's (a seasonal difference and a seasonal MA: "Time Series Analysis", §9.2), the
 * season's own shape carried over and smoothed; the ARMA(1, 1) for the minutes within it is an
 * assumption, not chosen per series. Without a season (period 1): ARIMA(1, 0, 1).
 */
export const DEFAULT_SEASONAL_ORDER: ArimaOrder = { p: 1, d: 0, q: 1, P: 0, D: 1, Q: 1 };
export const DEFAULT_ORDER: ArimaOrder = { p: 1, d: 0, q: 1, P: 0, D: 0, Q: 0 };

export interface ArimaOptions {
  order?: ArimaOrder;
  /** The sliding window refits see, intervals (default 7 seasons, or 2,000 without one: assumptions). */
  window?: number;
  /** Refit every this many intervals (default a 24th of the season, or 60: an assumption). */
  refitEvery?: number;
}

/**
 * Seasonal ARIMA fitted online: every `refitEvery` intervals the model is refitted by Hannan–Rissanen
 * on the last `window` observations (arima-fit.ts); between refits the coefficients stay and each new
 * observation only moves the state the forecast starts from. Says NaN until the window holds enough
 * for a fit (the seasonal default: 3 seasons and some 200 intervals).
 *
 * Cost per refit, bounded by the window: window × (11·(K + 1))²/2 multiply-adds for the long
 * autoregression (K ≤ P + 2Q seasons, 2 by default: some 6 M for a week of minutes), less for the
 * second regression. After each observation the first forecast re-estimates the innovations the MA
 * lags reach: (longest MA lag) × (long autoregression's lags), some 48 k multiply-adds for a day of
 * minutes, and differences the tail the recursions reach back to (about K + 1 seasons).
 */
export class Arima implements Forecaster {
  readonly order: ArimaOrder;
  readonly window: number;
  readonly refitEvery: number;
  private readonly delta: Float64Array;
  private y: number[] = [];
  private fitted: ArimaFit | undefined;
  private sinceRefit = 0;
  private path: number[] = [];
  private state: { w: number[]; e: number[]; y: number[] } | undefined;

  constructor(
    readonly period: number,
    options: ArimaOptions = {},
  ) {
    this.order = options.order ?? (period > 1 ? DEFAULT_SEASONAL_ORDER : DEFAULT_ORDER);
    checkOrder(this.order, period);
    this.window = options.window ?? (period > 1 ? 7 * period : 2000);
    this.refitEvery = options.refitEvery ?? (period > 1 ? Math.max(1, Math.round(period / 24)) : 60);
    if (!(Number.isInteger(this.window) && this.window >= 2)) throw new RangeError(`ARIMA window: ${this.window}`);
    if (!(Number.isInteger(this.refitEvery) && this.refitEvery >= 1)) {
      throw new RangeError(`ARIMA refitEvery: ${this.refitEvery}`);
    }
    this.delta = differencing(this.order, period);
  }

  /** The model in use (undefined before the first fit). */
  get model(): ArimaFit | undefined {
    return this.fitted;
  }

  observe(value: number): void {
    this.y.push(value);
    // Trimmed in batches, so that keeping the window costs O(1) per observation on average.
    if (this.y.length >= 2 * this.window) this.y = this.y.slice(-this.window);
    this.path = [];
    this.state = undefined;
    if (++this.sinceRefit >= this.refitEvery) {
      this.sinceRefit = 0;
      const fit = fitArima(this.y.length > this.window ? this.y.slice(-this.window) : this.y, this.order, this.period);
      if (fit) this.fitted = fit;
    }
  }

  forecast(h: number): number {
    const m = this.fitted;
    if (!m || !(h >= 1)) return Number.NaN;
    const s = (this.state ??= this.tail(m));
    while (this.path.length < h) this.path.push(this.step(m, s));
    return this.path[h - 1]!;
  }

  /** The last values of y, w and e the recursions reach back to. */
  private tail(m: ArimaFit): { w: number[]; e: number[]; y: number[] } {
    const L = this.delta.length - 1;
    const arMax = m.arLags.at(-1) ?? 0;
    const maMax = m.maLags.at(-1) ?? 0;
    const longMax = m.longLags.at(-1) ?? 0;
    const wNeeded = Math.max(arMax, maMax + longMax);
    const y = this.y.slice(-(L + wNeeded));
    const w: number[] = [];
    for (let t = L; t < y.length; t++) w.push(this.differenced(y, t));
    // Only the innovations the MA lags reach are needed: the last maMax.
    const eFrom = Math.max(longMax, w.length - maMax);
    const e = w.map((wt, t) => {
      if (t < eFrom || m.maLags.length === 0) return 0;
      let x = m.longConstant;
      for (let k = 0; k < m.longLags.length; k++) x += m.long[k]! * w[t - m.longLags[k]!]!;
      return wt - x;
    });
    return { w, e, y: y.slice(-Math.max(L, 1)) };
  }

  private differenced(y: number[], t: number): number {
    let s = 0;
    for (let k = 0; k < this.delta.length; k++) if (this.delta[k] !== 0) s += this.delta[k]! * y[t - k]!;
    return s;
  }

  /** The next interval's forecast: w by the model, future innovations 0, then y from w. */
  private step(m: ArimaFit, s: { w: number[]; e: number[]; y: number[] }): number {
    let w = m.constant;
    const n = s.w.length;
    for (let k = 0; k < m.arLags.length; k++) w += m.ar[k]! * (s.w[n - m.arLags[k]!] ?? 0);
    for (let k = 0; k < m.maLags.length; k++) w += m.ma[k]! * (s.e[n - m.maLags[k]!] ?? 0);
    s.w.push(w);
    s.e.push(0);
    // y_t = w_t − Σ_{k ≥ 1} δ_k y_{t−k}.
    let y = w;
    const ny = s.y.length;
    for (let k = 1; k < this.delta.length; k++) if (this.delta[k] !== 0) y -= this.delta[k]! * s.y[ny - k]!;
    s.y.push(y);
    return y;
  }
}
