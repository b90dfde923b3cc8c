import { Arima, DEFAULT_ORDER } from "./arima.js";

/**
 * A serverless app's next idle time from its idle times so far (oldest first), for the hybrid histogram
 * keep-alive's ARIMA case ("Serverless in the Wild", Shahrad et al., ATC'20: apps whose idle times
 * mostly exceed the histogram's 4 hours): ARIMA(1, 0, 1) fitted by Hannan–Rissanen (arima-fit.ts) and
 * forecast one step. The paper names ARIMA without its orders: (1, 0, 1) is an assumption. NaN while
 * the series is too short for a fit (65 idle times: an app idle for hours at a time gives a handful a
 * day) or the forecast is not above 0; the policy then keeps its 4-hour fallback. (A mean stood in
 * once, and made apps colder than the fallback: calls in pairs a minute apart every 6 hours averaged
 * to 3 hours, a window that meets neither.)
 */
export function arimaNextIdle(idleTimesS: readonly number[]): number {
  const n = idleTimesS.length;
  if (n === 0) return Number.NaN;
  const arima = new Arima(1, { order: DEFAULT_ORDER, window: Math.max(2, n), refitEvery: n });
  for (const x of idleTimesS) arima.observe(x);
  const next = arima.forecast(1);
  return next > 0 && next < Number.POSITIVE_INFINITY ? next : Number.NaN;
}
