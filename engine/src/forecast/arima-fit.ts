import { NormalEquations } from "./least-squares.js";

/** The orders of a seasonal ARIMA(p, d, q)(P, D, Q)ₛ, the season s given apart. */
export interface ArimaOrder {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
}

/**
 * A fitted model on the differenced series w = (1 − B)ᵈ(1 − Bˢ)ᴰ y, in R's sign convention:
 * w_t = c + Σ ar[k]·w_{t − arLags[k]} + e_t + Σ ma[k]·e_{t − maLags[k]}.
 */
export interface ArimaFit {
  arLags: number[];
  ar: Float64Array;
  maLags: number[];
  ma: Float64Array;
  constant: number;
  /** The long autoregression that estimates the innovations e (empty for a model without MA terms). */
  longLags: number[];
  long: Float64Array;
  longConstant: number;
}

const ORDER_LIMITS: Record<keyof ArimaOrder, number> = { p: 5, d: 2, q: 5, P: 2, D: 1, Q: 2 };
/** The long autoregression's non-seasonal lags (an assumption: MA coefficients decay by θ¹¹ past it). */
export const LONG_AR_LAGS = 10;

/** A clear message naming the field for an order the fit does not take. */
export function checkOrder(order: ArimaOrder, period: number): void {
  for (const [field, most] of Object.entries(ORDER_LIMITS) as [keyof ArimaOrder, number][]) {
    const v = order[field];
    if (!(Number.isInteger(v) && v >= 0 && v <= most)) {
      throw new RangeError(`ARIMA order.${field}: expected a whole number 0..${most}, found ${v}`);
    }
  }
  if (!(Number.isInteger(period) && period >= 1)) throw new RangeError(`ARIMA period: ${period}`);
  if (period === 1 && order.P + order.D + order.Q > 0) {
    throw new RangeError("ARIMA order: seasonal terms (P, D, Q) need a season of 2 intervals or more");
  }
}

/** The coefficients of (1 − B)ᵈ(1 − Bˢ)ᴰ, index = lag (index 0 is 1). */
export function differencing(order: ArimaOrder, period: number): Float64Array {
  let poly = [1];
  const times = (factor: number[]) => {
    const out = new Array(poly.length + factor.length - 1).fill(0);
    poly.forEach((a, i) => factor.forEach((b, j) => (out[i + j] += a * b)));
    poly = out;
  };
  for (let k = 0; k < order.d; k++) times([1, -1]);
  for (let k = 0; k < order.D; k++) times([1, ...new Array(period - 1).fill(0), -1]);
  return Float64Array.from(poly);
}

/** The lags i + j·s, 0 ≤ i ≤ n, 0 ≤ j ≤ N, but 0: the multiplicative polynomial's, coefficients free. */
export function productLags(n: number, N: number, period: number): number[] {
  const lags = new Set<number>();
  for (let j = 0; j <= N; j++) for (let i = 0; i <= n; i++) if (i + j * period > 0) lags.add(i + j * period);
  return [...lags].sort((a, b) => a - b);
}

/**
 * Fit by Hannan–Rissanen (Brockwell & Davis, "Introduction to Time Series and Forecasting", 3rd ed.,
 * §5.1.4): a long autoregression estimates the innovations, then one regression of w on its own lags
 * and on those innovations' lags gives the AR and MA coefficients. The seasonal model's product
 * polynomials φ(B)Φ(Bˢ), θ(B)Θ(Bˢ) are fitted with the product's coefficients free (lags i + j·s),
 * a superset of the multiplicative model that is linear to fit. The long autoregression has lags
 * 1..10 crossed with the seasons 0..K (K = P + 2Q, fewer if the data are short, at least 1 when
 * there is a seasonal term), so that a seasonal MA is inverted too. Without MA terms this is
 * conditional least squares. A constant is fitted only without differencing (R's include.mean).
 *
 * Cost: (rows × columns²)/2 multiply-adds per regression; the long one has (11·(K + 1) − 1)
 * columns. Returns undefined when the series is too short for 5 rows per column (at least 50).
 */
export function fitArima(y: ArrayLike<number>, order: ArimaOrder, period: number): ArimaFit | undefined {
  checkOrder(order, period);
  const w = differenced(y, differencing(order, period));
  const s = period;
  const arLags = productLags(order.p, order.P, s);
  const maLags = productLags(order.q, order.Q, s);
  const withConstant = order.d + order.D === 0;
  const enough = (columns: number, maxLag: number, from: number) =>
    w.length - from - maxLag >= Math.max(50, 5 * columns);

  let longLags: number[] = [];
  let long: Float64Array = new Float64Array(0);
  let longConstant = 0;
  let e: Float64Array = new Float64Array(w.length).fill(Number.NaN);
  let from = 0;
  if (maLags.length > 0) {
    const seasonal = order.P + order.Q > 0;
    let K = seasonal ? order.P + 2 * order.Q : 0;
    const columns = (k: number) => (LONG_AR_LAGS + 1) * (k + 1) - 1 + 1;
    while (K > (seasonal ? 1 : 0) && !enough(columns(K), LONG_AR_LAGS + K * s, 0)) K--;
    if (!enough(columns(K), LONG_AR_LAGS + K * s, 0)) return undefined;
    longLags = productLags(LONG_AR_LAGS, K, s);
    const fitted = regress(w, longLags, [], e, true, longLags.at(-1)!);
    if (!fitted) return undefined;
    long = fitted.ar;
    longConstant = fitted.constant;
    e = innovations(w, longLags, long, longConstant);
    from = longLags.at(-1)!;
  }
  const maxLag = Math.max(arLags.at(-1) ?? 0, maLags.at(-1) ?? 0);
  const start = from + (maLags.at(-1) ?? 0);
  if (!enough(arLags.length + maLags.length + 1, Math.max(maxLag, start), 0)) return undefined;
  const fit = regress(w, arLags, maLags, e, withConstant, Math.max(maxLag, start));
  if (!fit) return undefined;
  return { arLags, ar: fit.ar, maLags, ma: fit.ma, constant: fit.constant, longLags, long, longConstant };
}

/** w_t = Σ δ_k y_{t−k} for every t with all its lags (length n − degree). */
export function differenced(y: ArrayLike<number>, delta: Float64Array): Float64Array {
  const L = delta.length - 1;
  // A seasonal difference's polynomial is mostly zeros: only its non-zero lags are summed.
  const lags = [...delta.keys()].filter((k) => delta[k] !== 0);
  const w = new Float64Array(Math.max(0, y.length - L));
  for (let t = L; t < y.length; t++) {
    let s = 0;
    for (const k of lags) s += delta[k]! * y[t - k]!;
    w[t - L] = s;
  }
  return w;
}

/** The long autoregression's residuals: NaN where its lags reach before the series. */
export function innovations(w: Float64Array, lags: number[], coef: Float64Array, c: number): Float64Array {
  const e = new Float64Array(w.length).fill(Number.NaN);
  const first = lags.at(-1) ?? 0;
  for (let t = first; t < w.length; t++) {
    let s = c;
    for (let k = 0; k < lags.length; k++) s += coef[k]! * w[t - lags[k]!]!;
    e[t] = w[t]! - s;
  }
  return e;
}

function regress(
  w: Float64Array,
  arLags: number[],
  maLags: number[],
  e: Float64Array,
  withConstant: boolean,
  start: number,
): { ar: Float64Array; ma: Float64Array; constant: number } | undefined {
  const k = arLags.length + maLags.length + (withConstant ? 1 : 0);
  if (w.length - start < 1) return undefined;
  const ne = new NormalEquations(k);
  const x = new Float64Array(k);
  for (let t = start; t < w.length; t++) {
    let i = 0;
    for (const l of arLags) x[i++] = w[t - l]!;
    for (const l of maLags) x[i++] = e[t - l]!;
    if (withConstant) x[i] = 1;
    ne.add(x, w[t]!);
  }
  const beta = ne.solve();
  if (!beta.every(Number.isFinite)) return undefined;
  return {
    ar: beta.slice(0, arLags.length),
    ma: beta.slice(arLags.length, arLags.length + maLags.length),
    constant: withConstant ? beta[k - 1]! : 0,
  };
}
