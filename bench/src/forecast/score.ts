import type { Forecaster } from "@clustersim/engine";

/** One forecaster's accuracy on one series' held-out part at one horizon. */
export interface Score {
  horizon: number;
  /** Mean |actual − forecast| / actual over held-out intervals whose actual is not 0 (those are skipped). */
  mape: number;
  zeroActuals: number;
  rmse: number;
  mae: number;
  /** MAE over the in-sample one-step MAE of seasonal naive on the training part (Hyndman & Koehler 2006). */
  mase: number;
  /** Held-out intervals it had no forecast for (too little history yet): left out of every figure. */
  missing: number;
}

export interface SeriesRun {
  scores: Score[];
  /** Wall time in observe (where the fitting happens) and in forecast over the whole series, ms. */
  fitMs: number;
  forecastMs: number;
}

/**
 * Feed `y` to `f` interval by interval, as a run would; after each observation ask for the forecasts
 * `horizons` ahead and keep those that land in the held-out part (the last `holdout` intervals). The
 * forecaster keeps learning through the held-out part, as it would online: each forecast uses only
 * what was observed before it.
 */
export function runSeries(
  f: Forecaster,
  y: ArrayLike<number>,
  holdout: number,
  horizons: readonly number[],
  season: number,
): SeriesRun {
  const n = y.length;
  const from = n - holdout;
  const predictions = horizons.map(() => new Float64Array(holdout).fill(Number.NaN));
  let fitMs = 0;
  let forecastMs = 0;
  for (let t = 0; t < n - 1; t++) {
    const t0 = performance.now();
    f.observe(y[t]!);
    const t1 = performance.now();
    fitMs += t1 - t0;
    horizons.forEach((h, k) => {
      const target = t + h;
      if (target >= from && target < n) predictions[k]![target - from] = f.forecast(h);
    });
    forecastMs += performance.now() - t1;
  }
  const scale = inSampleNaiveMae(y, from, season);
  const scores = horizons.map((horizon, k) => score(horizon, predictions[k]!, y, from, scale));
  return { scores, fitMs, forecastMs };
}

function inSampleNaiveMae(y: ArrayLike<number>, until: number, season: number): number {
  let sum = 0;
  for (let t = season; t < until; t++) sum += Math.abs(y[t]! - y[t - season]!);
  return sum / Math.max(1, until - season);
}

function score(horizon: number, p: Float64Array, y: ArrayLike<number>, from: number, scale: number): Score {
  let ape = 0;
  let apeN = 0;
  let zeroActuals = 0;
  let se = 0;
  let ae = 0;
  let n = 0;
  let missing = 0;
  p.forEach((f, i) => {
    if (!Number.isFinite(f)) {
      missing++;
      return;
    }
    const a = y[from + i]!;
    const e = a - f;
    se += e * e;
    ae += Math.abs(e);
    n++;
    if (a === 0) zeroActuals++;
    else {
      ape += Math.abs(e / a);
      apeN++;
    }
  });
  const mae = ae / n;
  return { horizon, mape: ape / apeN, zeroActuals, rmse: Math.sqrt(se / n), mae, mase: mae / scale, missing };
}
