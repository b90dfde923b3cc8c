import { Arima, DEFAULT_ORDER } from "./arima.js";

/**
 * A serverless app's next idle time from its idle times so far (oldest first), for the hybrid histogram
 * keep-alive's ARIMA case ("Serverless in the Wild", Shahrad et al., ATC'20: apps whose idle times
 * mostly exceed the histogram's 4 hours): ARIMA(1, 0, 1) fitted by Hannan–Rissanen (arima-fit.ts) and
 * forecast one step. The paper names ARIMA without its orders: (1, 0, 1) is an assumption. While the
 * series is too short for a fit (fewer than some 60 idle times: an app idle for hours at a time gives a
 * handful a day), or the forecast is not above 0, the mean of the idle times so far stands in (an
 * assumption). NaN for no idle time at all.
 */
export function arimaNextIdle(idleTimesS: readonly number[]): number {
  const n = idleTimesS.length;
  if (n === 0) return Number.NaN;
  const arima = new Arima(1, { order: DEFAULT_ORDER, window: Math.max(2, n), refitEvery: n });
  let sum = 0;
  for (const x of idleTimesS) {
    arima.observe(x);
    sum += x;
  }
  const next = arima.forecast(1);
  return next > 0 && next < Number.POSITIVE_INFINITY ? next : sum / n;
}
