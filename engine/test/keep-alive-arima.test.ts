/**
 * The hybrid histogram keep-alive's ARIMA case ("Serverless in the Wild"): an app whose idle times
 * mostly exceed the histogram's 4 hours is unloaded after each execution, pre-warmed at 85% of its
 * predicted next idle time and kept until 115% of it; the engine's prediction is ARIMA(1, 0, 1), and
 * while the series is too short for a fit the 4-hour fallback stays.
 */
import { HybridHistogramKeepAlive, WarmInstances } from "@clustersim/hardware-models";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";
import { arimaNextIdle } from "../src/forecast/next-idle.js";

const H = 3600;

describe("the hybrid keep-alive's ARIMA case", () => {
  it("keeps the 4-hour fallback while an app has too few idle times for a fit", () => {
    const p = new HybridHistogramKeepAlive({}, arimaNextIdle);
    for (const idle of [5 * H, 6 * H, 7 * H]) p.observeIdle("nightly", idle);
    expect(p.outOfRange("nightly")).toBe(true);
    expect(arimaNextIdle([5 * H, 6 * H, 7 * H])).toBeNaN();
    expect(p.window("nightly")).toEqual({ prewarmS: 0, keepAliveS: 4 * H });
  });

  it("forecasts by ARIMA once it can: an AR(1) around 6 h, φ = −0.8, gets its conditional mean", () => {
    // x_t = 6 h + φ (x_{t−1} − 6 h) + ε, ε ~ N(0, 0.3 h): the best forecast is 6 h + φ (x_n − 6 h),
    // and the mean of the series (about 6 h) would miss it by 0.8 |x_n − 6 h|.
    const r = new RandomStreams(4).get("idle");
    const idle = [6 * H];
    for (let i = 1; i < 200; i++) idle.push(6 * H - 0.8 * (idle[i - 1] - 6 * H) + r.normal(0, 0.3 * H));
    for (const n of [150, 200]) {
      const series = idle.slice(0, n);
      const last = series[n - 1];
      const best = 6 * H - 0.8 * (last - 6 * H);
      expect(Math.abs(arimaNextIdle(series) - best)).toBeLessThan(0.1 * Math.abs(last - 6 * H) + 0.05 * H);
      // In the policy: pre-warm at 85% of the forecast, keep until 115%.
      const p = new HybridHistogramKeepAlive({}, arimaNextIdle);
      for (const x of series) p.observeIdle("app", x);
      const w = p.window("app");
      expect(w.prewarmS).toBeCloseTo(0.85 * arimaNextIdle(series), 6);
      expect(w.keepAliveS).toBeCloseTo(0.3 * arimaNextIdle(series), 6);
    }
  });

  it("turns a daily app's cold starts into warm ones once it has 65 idle times to fit", () => {
    // Calls once a day at about the same time for 100 days: every idle time is ~24 h, beyond the range.
    const calls = Array.from({ length: 100 }, (_, i) => i * 24 * H + (i % 2) * 600);
    const hybrid = new WarmInstances(new HybridHistogramKeepAlive({}, arimaNextIdle));
    const warm = calls.map((t) => hybrid.invoke("daily", t, 60));
    const fallback = new WarmInstances(new HybridHistogramKeepAlive());
    const warmFallback = calls.map((t) => fallback.invoke("daily", t, 60));
    // The 4-hour fallback never reaches the next day's call. ARIMA(1, 0, 1) fits from 65 idle times
    // (its long autoregression's 11 columns want 5 rows each past its 10 lags): after call 65 the
    // predicted window, 85% to 115% of a day, reaches call 66 and every one after, and holds less
    // memory per gap than 4 hours.
    expect(warmFallback.filter(Boolean)).toHaveLength(0);
    expect(arimaNextIdle(Array.from({ length: 64 }, () => 24 * H))).toBeNaN();
    expect(warm.slice(0, 66).filter(Boolean)).toHaveLength(0);
    expect(warm.slice(66).every(Boolean)).toBe(true);
    expect(hybrid.idleLoadedS).toBeLessThan(fallback.idleLoadedS);
  });
});
