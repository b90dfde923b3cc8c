import { distMean } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

describe("the mean of a service-time distribution (the fluid model's 1/μ)", () => {
  it("is the closed form of each distribution", () => {
    expect(distMean(0.2, "x")).toBe(0.2);
    expect(distMean({ dist: "exponential", mean: 0.05 }, "x")).toBe(0.05);
    expect(distMean({ dist: "uniform", min: 1, max: 3 }, "x")).toBe(2);
    // Log-normal: e^{μ + σ²/2}.
    expect(distMean({ dist: "lognormal", mu: Math.log(2), sigma: 0.6 }, "x")).toBeCloseTo(2 * Math.exp(0.18), 12);
    // Weibull of shape 1 is exponential with the scale as mean; shape 2: scale · √π / 2.
    expect(distMean({ dist: "weibull", shape: 1, scale: 3 }, "x")).toBeCloseTo(3, 12);
    expect(distMean({ dist: "weibull", shape: 2, scale: 1 }, "x")).toBeCloseTo(Math.sqrt(Math.PI) / 2, 12);
    // Pareto: α·xm/(α − 1).
    expect(distMean({ dist: "pareto", xm: 1, alpha: 3 }, "x")).toBeCloseTo(1.5, 12);
    // Burr XII with c = 1, k = 2: scale · k · B(k − 1, 2) = 2 · Γ(1)Γ(2)/Γ(3) = 1.
    expect(distMean({ dist: "burr", c: 1, k: 2, scale: 1 }, "x")).toBeCloseTo(1, 12);
    // Empirical, interpolated: the mean of the segments' midpoints.
    expect(distMean({ dist: "empirical", values: [1, 2, 4], mode: "interpolate" }, "x")).toBeCloseTo(2.25, 12);
    expect(distMean({ dist: "empirical", values: [1, 2, 4], mode: "resample" }, "x")).toBeCloseTo(7 / 3, 12);
  });

  it("refuses an infinite mean, naming the field", () => {
    expect(() => distMean({ dist: "pareto", xm: 1, alpha: 1 }, "a.yaml: services[0].serviceTime")).toThrow(
      /services\[0\]\.serviceTime: expected a distribution with a finite mean above 0, found alpha 1 ≤ 1/,
    );
    expect(() => distMean({ dist: "burr", c: 0.5, k: 1, scale: 1 }, "x")).toThrow(/c·k = 0.5 ≤ 1/);
  });
});
