/**
 * The hybrid histogram keep-alive's ARIMA case ("Serverless in the Wild"): an app whose idle times
 * mostly exceed the histogram's 4 hours is unloaded after each execution, pre-warmed at 85% of its
 * predicted next idle time and kept until 115% of it; the engine's prediction is ARIMA(1, 0, 1), or the
 * mean idle time while the series is too short for a fit.
 */
import { HybridHistogramKeepAlive, WarmInstances } from "@clustersim/hardware-models";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";
import { arimaNextIdle } from "../src/forecast/next-idle.js";

const H = 3600;

describe("the hybrid keep-alive's ARIMA case", () => {
  it("with a few idle times beyond the range, pre-warms at 85% of their mean and keeps until 115%", () => {
    const p = new HybridHistogramKeepAlive({}, arimaNextIdle);
    for (const idle of [5 * H, 6 * H, 7 * H]) p.observeIdle("nightly", idle);
    expect(p.outOfRange("nightly")).toBe(true);
    // Three idle times: too few for a fit, so the mean, 6 h.
    const w = p.window("nightly");
    expect(w.prewarmS).toBeCloseTo(0.85 * 6 * H, 9);
    expect(w.keepAliveS).toBeCloseTo(0.3 * 6 * H, 9);
    // Without a predictor, the 4-hour fallback.
    const plain = new HybridHistogramKeepAlive();
    for (const idle of [5 * H, 6 * H, 7 * H]) plain.observeIdle("nightly", idle);
    expect(plain.window("nightly")).toEqual({ prewarmS: 0, keepAliveS: 4 * H });
  });

  it("with enough idle times, forecasts by ARIMA: an AR(1) around 6 h, φ = −0.8, gets its conditional mean", () => {
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
    }
  });

  it("turns a daily app's 4-hour holds into a narrow window around each call", () => {
    // Calls once a day at about the same time: every idle time is ~24 h, beyond the range.
    const calls = Array.from({ length: 10 }, (_, i) => i * 24 * H + (i % 2) * 600);
    const hybrid = new WarmInstances(new HybridHistogramKeepAlive({}, arimaNextIdle));
    const warm = calls.map((t) => hybrid.invoke("daily", t, 60));
    const fallback = new WarmInstances(new HybridHistogramKeepAlive());
    const warmFallback = calls.map((t) => fallback.invoke("daily", t, 60));
    // The 4-hour fallback never reaches the next day's call; the predicted window, from the second idle
    // time on (the first is the policy's only sample yet: its window is set after the first call), does.
    expect(warmFallback.filter(Boolean)).toHaveLength(0);
    expect(warm.slice(2).every(Boolean)).toBe(true);
    // Loaded from 85% of the predicted day to the call, some 3.6 h a gap: less than the fallback's 4 h.
    expect(hybrid.idleLoadedS).toBeLessThan(fallback.idleLoadedS);
  });
});
