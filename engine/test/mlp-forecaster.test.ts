import { MlpForecaster } from "@clustersim/engine";
import { describe, expect, it } from "vitest";

const PERIOD = 24;
/** A noiseless daily sine: 100 + 30 sin(2πt/24). */
const sine = (t: number) => 100 + 30 * Math.sin((2 * Math.PI * t) / PERIOD);

function trained(seed: number, n = 1200): MlpForecaster {
  const f = new MlpForecaster(PERIOD, { seed });
  for (let t = 0; t < n; t++) f.observe(sine(t));
  return f;
}

describe("the MLP forecaster", () => {
  it("learns a noiseless sine: within 0.5% of its amplitude a season ahead after its budget", () => {
    const n = 1200;
    const f = trained(1, n);
    let worst = 0;
    for (let h = 1; h <= PERIOD; h++) worst = Math.max(worst, Math.abs(f.forecast(h) - sine(n - 1 + h)));
    // The truth is the sine itself; 0.5% of the amplitude, 30, is 0.15.
    expect(worst).toBeLessThan(0.005 * 30);
  });

  it("says NaN until it has trained", () => {
    const f = new MlpForecaster(PERIOD);
    for (let t = 0; t < 50; t++) f.observe(sine(t));
    expect(f.forecast(1)).toBeNaN();
  });

  it("gives the same bits for a seed, other forecasts for another", () => {
    const path = (f: MlpForecaster) => [1, 6, 24].map((h) => f.forecast(h));
    const a = path(trained(1, 700));
    expect(path(trained(1, 700))).toEqual(a);
    const b = path(trained(2, 700));
    expect(b.every((x, i) => x !== a[i])).toBe(true);
  });

  it("with a season beyond its lags, takes the season's values as inputs and learns a recurring step", () => {
    // 60 intervals a season, a step from 100 to 600 in intervals 30..39: lags 10 cannot see it coming.
    const step = (t: number) => (t % 60 >= 30 && t % 60 < 40 ? 600 : 100);
    const f = new MlpForecaster(60, { lags: 10, seed: 4 });
    const n = 60 * 20 + 25;
    for (let t = 0; t < n; t++) f.observe(step(t));
    // Five intervals before the step, the forecast 5..10 ahead is the step's 600, 1..4 ahead 100.
    for (let h = 1; h <= 4; h++) expect(f.forecast(h)).toBeCloseTo(100, -1);
    for (let h = 6; h <= 10; h++) expect(f.forecast(h)).toBeCloseTo(600, -1);
  });

  it("names the field of a bad parameter", () => {
    expect(() => new MlpForecaster(24, { lags: 0 })).toThrow(/lags: expected a positive number, found 0/);
    expect(() => new MlpForecaster(24, { learningRate: -1 })).toThrow(/learningRate/);
  });
});
