import { Arima, type ArimaOrder, fitArima } from "@clustersim/engine";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

const N = 20_000;
const order = (o: Partial<ArimaOrder>): ArimaOrder => ({ p: 0, d: 0, q: 0, P: 0, D: 0, Q: 0, ...o });

/** n draws of x_t = φ x_{t−1} + e_t + θ e_{t−1}, e standard normal, from a seeded stream. */
function arma(n: number, phi: number, theta: number, seed = 3): Float64Array {
  const rng = new RandomStreams(seed).get("arma");
  const x = new Float64Array(n);
  let xPrev = 0;
  let ePrev = 0;
  // 200 draws of burn-in so the start (x = 0) is forgotten: φ^200 is nil for |φ| ≤ 0.9.
  for (let t = -200; t < n; t++) {
    const e = rng.normal(0, 1);
    const v = phi * xPrev + e + theta * ePrev;
    if (t >= 0) x[t] = v;
    xPrev = v;
    ePrev = e;
  }
  return x;
}

describe("ARIMA fitted by Hannan–Rissanen", () => {
  it("recovers an AR(1)'s coefficient within 3 standard errors", () => {
    // The estimate's standard error is √((1 − φ²)/n) (Brockwell & Davis §5.2): 0.0057 here.
    const fit = fitArima(arma(N, 0.6, 0), order({ p: 1 }), 1)!;
    expect(fit.arLags).toEqual([1]);
    expect(Math.abs(fit.ar[0]! - 0.6)).toBeLessThan(3 * Math.sqrt((1 - 0.36) / N));
    // The mean is 0: the constant within 3 standard errors of the mean, σ/((1 − φ)√n) = 0.018.
    expect(Math.abs(fit.constant)).toBeLessThan((3 * 1) / (0.4 * Math.sqrt(N)));
  });

  it("recovers an AR(1) around a large level as well: the constant is not held back", () => {
    // x + 21,600 (idle times in seconds, near 6 h): the same φ and the level in the constant,
    // c = 21,600 (1 − φ). A ridge shared across columns once pulled this φ = −0.8 to +0.5.
    const x = arma(N, -0.8, 0).map((v) => 21_600 + 1000 * v);
    const fit = fitArima(x, order({ p: 1 }), 1)!;
    expect(Math.abs(fit.ar[0]! + 0.8)).toBeLessThan(3 * Math.sqrt((1 - 0.64) / N));
    expect(fit.constant / (21_600 * 1.8)).toBeCloseTo(1, 2);
  });

  it("recovers an MA(1)'s coefficient within 5 of maximum likelihood's standard errors", () => {
    // ML's standard error is √((1 − θ²)/n), 0.0061; Hannan–Rissanen is less efficient, so 5 of them.
    const fit = fitArima(arma(N, 0, 0.5), order({ q: 1 }), 1)!;
    expect(fit.maLags).toEqual([1]);
    expect(Math.abs(fit.ma[0]! - 0.5)).toBeLessThan(5 * Math.sqrt((1 - 0.25) / N));
  });

  it("recovers both coefficients of an ARMA(1, 1)", () => {
    const fit = fitArima(arma(N, 0.7, -0.3), order({ p: 1, q: 1 }), 1)!;
    expect(fit.ar[0]).toBeCloseTo(0.7, 1);
    expect(fit.ma[0]).toBeCloseTo(-0.3, 1);
  });

  it("a seasonal random walk, ARIMA(0,0,0)(0,1,0), forecasts the last season", () => {
    const rng = new RandomStreams(5).get("walk");
    const s = 12;
    const f = new Arima(s, { order: order({ D: 1 }), refitEvery: 1 });
    const y: number[] = [];
    for (let t = 0; t < 10 * s; t++) {
      y.push((y[t - s] ?? 100) + rng.normal(0, 1));
      f.observe(y[t]!);
    }
    const last = y.slice(-s);
    // y_{T+h} = y_{T+h−s}: the last season, then the last season again.
    expect([...Array(2 * s)].map((_, h) => f.forecast(h + 1))).toEqual([...last, ...last]);
  });

  it("the default SARIMA forecasts a noiseless seasonal series exactly, with and without a trend", () => {
    const s = 24;
    // A daily shape of whole numbers, so its seasonal difference is exactly 0 (or exactly the slope).
    const shape = (t: number) => [3, 5, 9, 14, 20, 25, 27, 26, 22, 17, 12, 8][t % 12]! * (t % s < 12 ? 1 : 2);
    for (const slope of [0, 0.5]) {
      const y = (t: number) => 100 + shape(t) + slope * t;
      const f = new Arima(s);
      const n = 15 * s;
      for (let t = 0; t < n; t++) f.observe(y(t));
      for (let h = 1; h <= 2 * s; h++) expect(Math.abs(f.forecast(h) - y(n - 1 + h))).toBeLessThan(1e-6);
    }
  });

  it("refits every K intervals on its window, and says NaN before it can fit", () => {
    const x = arma(600, 0.5, 0);
    const f = new Arima(1, { order: order({ p: 1 }), refitEvery: 10, window: 200 });
    const models: unknown[] = [];
    for (let t = 0; t < 300; t++) {
      f.observe(x[t]!);
      if (t === 8) expect(f.forecast(1)).toBeNaN();
      models.push(f.model);
    }
    // A new model object at every 10th observation (t = 9, 19, ...), the same one in between.
    for (let t = 60; t < 300; t++) expect(models[t] === models[t - 1]).toBe((t + 1) % 10 !== 0);
    // The one-step forecast of an AR(1) with no constant: φ̂ x_T.
    const m = f.model!;
    expect(f.forecast(1)).toBeCloseTo(m.ar[0]! * x[299]! + m.constant, 12);
    expect(f.forecast(2)).toBeCloseTo(m.ar[0]! * f.forecast(1) + m.constant, 12);
  });

  it("is a function of its observations: two runs give the same bits", () => {
    const x = arma(3000, 0.6, 0.3);
    const path = () => {
      const f = new Arima(24);
      x.forEach((v, t) => f.observe(100 + 50 * Math.sin((2 * Math.PI * t) / 24) + v));
      return [1, 5, 30].map((h) => f.forecast(h));
    };
    const a = path();
    expect(a.every(Number.isFinite)).toBe(true);
    expect(path()).toEqual(a);
  });

  it("names the field of a bad order", () => {
    expect(() => new Arima(24, { order: order({ p: 7 }) })).toThrow(
      /order\.p: expected a whole number 0\.\.5, found 7/,
    );
    expect(() => new Arima(1, { order: order({ D: 1 }) })).toThrow(/seasonal terms/);
    expect(() => new Arima(24, { refitEvery: 0 })).toThrow(/refitEvery/);
  });
});
