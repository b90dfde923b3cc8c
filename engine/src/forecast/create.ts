import { Arima } from "./arima.js";
import type { ArimaOrder } from "./arima-fit.js";
import { FittedHoltWinters } from "./fitted.js";
import type { Forecaster } from "./forecaster.js";
import { MlpForecaster } from "./mlp-forecaster.js";
import { SeasonalNaive } from "./seasonal-naive.js";

export const FORECASTERS = ["seasonal-naive", "holt-winters", "holt-winters-multiplicative", "arima", "mlp"] as const;
export type ForecasterName = (typeof FORECASTERS)[number];

/** A forecaster by name, with the parameters the one named takes (the others ignore them). */
export interface ForecasterSpec {
  forecaster: ForecasterName;
  /** ARIMA's orders (default (1, 0, 1)(0, 1, 1) over the season: arima.ts). */
  order?: ArimaOrder;
  /** The MLP's input lags (default 24: mlp-forecaster.ts). */
  lags?: number;
  /** ARIMA's and the MLP's refit period and sliding window, intervals (defaults in their files). */
  refitEvery?: number;
  window?: number;
  /** The MLP's seed for its initial weights and shuffles (default 1). */
  seed?: number;
}

/** The forecaster a spec names, over a season of `period` intervals. */
export function createForecaster(spec: ForecasterSpec, period: number): Forecaster {
  const online = { refitEvery: spec.refitEvery, window: spec.window };
  switch (spec.forecaster) {
    case "seasonal-naive":
      return new SeasonalNaive(period);
    case "holt-winters":
    case "holt-winters-multiplicative":
      return new FittedHoltWinters(period, spec.forecaster === "holt-winters-multiplicative");
    case "arima":
      return new Arima(period, { order: spec.order, ...online });
    case "mlp":
      return new MlpForecaster(period, { lags: spec.lags, seed: spec.seed, ...online });
  }
}
