import { NodeLoadForecast } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import type { NodeLoadOptions } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

const BIG = 1e9;
/** One node with `cpuMilli` allocatable, `allocated` of it requested, and a forecast over it. */
function oneNode(o: Partial<NodeLoadOptions>, allocated: number, cpuMilli = 32_000) {
  const cluster = new ClusterState([{ cpuMilli, memoryMiB: 1024 }]);
  if (allocated > 0) cluster.place(0, { cpuMilli: allocated, memoryMiB: 0 });
  const forecast = new NodeLoadForecast(cluster, {
    predictor: "average",
    windowSamples: 30,
    risk: 0.05,
    sampleS: 60,
    ...o,
  });
  const observe = (...deltas: number[]) => {
    for (const d of deltas) forecast.observe(Float64Array.of(d));
  };
  return { cluster, forecast, observe };
}

describe("the node usage forecast of load-aware placement", () => {
  it("average: allocation now plus the mean of the last 5 samples of usage less allocation", () => {
    const { cluster, forecast, observe } = oneNode({}, 8000);
    expect(forecast.cpuMilli(0, 600)).toBe(8000); // no sample yet: the allocation
    observe(-1000, -2000);
    expect(forecast.cpuMilli(0, 600)).toBe(8000 - 1500);
    observe(-3000, -4000, -5000, -6000);
    // The last five: −2,000 … −6,000, mean −4,000; the horizon does not matter.
    expect(forecast.cpuMilli(0, 60)).toBe(4000);
    expect(forecast.cpuMilli(0, 7200)).toBe(4000);
    // A pod bound since counts at once, at its request.
    cluster.place(0, { cpuMilli: 1000, memoryMiB: 0 });
    expect(forecast.cpuMilli(0, 60)).toBe(5000);
  });

  it("trend: a straight series is extrapolated exactly over the horizon, at most a window ahead", () => {
    // Usage less allocation rising 100 m a minute, from −5,000 to −4,100 over 10 samples: the fit has
    // no residual, so the bound is the line itself.
    const rising = oneNode({ predictor: "trend", windowSamples: 10 }, 8000);
    rising.observe(...Array.from({ length: 10 }, (_, i) => -5000 + 100 * i));
    expect(rising.forecast.cpuMilli(0, 600)).toBeCloseTo(8000 - 4100 + 1000, 6); // 10 minutes on
    expect(rising.forecast.cpuMilli(0, 90)).toBeCloseTo(8000 - 4100 + 200, 6); // 2 samples (rounded up)
    expect(rising.forecast.cpuMilli(0, 36_000)).toBeCloseTo(8000 - 4100 + 1000, 6); // capped at the window
    // Falling: the larger end is now.
    const falling = oneNode({ predictor: "trend", windowSamples: 10 }, 8000);
    falling.observe(...Array.from({ length: 10 }, (_, i) => -1000 - 100 * i));
    expect(falling.forecast.cpuMilli(0, 600)).toBeCloseTo(8000 - 1900, 6);
    // Never below zero.
    const idle = oneNode({ predictor: "trend", windowSamples: 10 }, 0);
    idle.observe(...Array.from({ length: 10 }, (_, i) => -100 * i));
    expect(idle.forecast.cpuMilli(0, 600)).toBe(0);
  });

  it("trend: before 3 samples, the average's prediction", () => {
    const { forecast, observe } = oneNode({ predictor: "trend" }, 8000);
    observe(-1000, -3000);
    expect(forecast.cpuMilli(0, 600)).toBe(6000);
  });

  it("trend: on a noisy line its bound is exceeded at the stated risk (Student's t with n − 2 degrees of freedom)", () => {
    // y = 200 + 3 x + N(0, 50²) over 30 samples; the value 5 samples ahead exceeds the bound when
    // (y − ŷ)/(s·√(1 + 1/n + (x − x̄)²/Sxx)) > z₀.₉₅ = 1.645, which for Student's t with 28 degrees of
    // freedom has probability 0.0556 (the normal quantile stands in for t's 1.701). Over 8,000 fits
    // the binomial standard error is 0.0026: ±0.008 is 3 of them.
    const rng = new RandomStreams(7).get("noise");
    const fits = 8000;
    let over = 0;
    for (let f = 0; f < fits; f++) {
      const { forecast, observe } = oneNode({ predictor: "trend" }, 0, BIG);
      for (let x = 0; x < 30; x++) observe(200 + 3 * x + rng.normal(0, 50));
      const truth = 200 + 3 * 34 + rng.normal(0, 50);
      if (truth > forecast.cpuMilli(0, 300)) over++;
    }
    expect(over / fits).toBeGreaterThan(0.0556 - 0.008);
    expect(over / fits).toBeLessThan(0.0556 + 0.008);
  });

  it("watches each placement over its lifetime for its node's usage passing the limit it was placed under", () => {
    const { cluster, forecast, observe } = oneNode({}, 8000);
    // Two placements at 6,500 m: one for 2 minutes, one for 4 (rounded up from 3.5).
    forecast.assigned(0, 120, 6500);
    forecast.assigned(0, 210, 6500);
    // Usage: 8,000 − 2,000 = 6,000 (under), then 7,000 (over), 6,000, 6,600 (over, the second's only).
    observe(-2000, -1000, -2000, -1400, -1000);
    expect(forecast.summary()).toEqual({
      loadAwarePlacements: 2,
      loadAwareLimitCrossedShare: 1,
      // The first watched 2 samples (1 over), the second 4 (2 over).
      loadAwareOverLimitShare: 3 / 6,
    });
  });
});
