import { CPU_HISTOGRAM, DecayingHistogram, VpaRecommender, vpaEvictionBudget } from "@clustersim/engine";
import { describe, expect, it } from "vitest";

describe("the VPA's decaying histogram", () => {
  it("has upstream's CPU buckets: 176 of them, the n-th starting at 0.01·(1.05ⁿ − 1)/0.05", () => {
    const h = new DecayingHistogram(CPU_HISTOGRAM);
    expect(h.buckets).toBe(176);
    expect(h.bucketStart(1)).toBeCloseTo(0.01, 12);
    expect(h.bucketStart(2)).toBeCloseTo(0.0205, 12);
    // 0.015 cores: log₁.₀₅(0.015·0.05/0.01 + 1) = 1.48, bucket 1.
    expect(h.findBucket(0.015)).toBe(1);
    expect(h.findBucket(0.005)).toBe(0);
    expect(h.findBucket(5000)).toBe(175);
  });

  it("returns the end of the bucket where the weight reaches the percentile; a sample a half-life later counts twice", () => {
    const h = new DecayingHistogram(CPU_HISTOGRAM);
    expect(h.percentile(0.5)).toBe(0);
    h.addSample(0.015, 1, 0);
    expect(h.percentile(0.5)).toBeCloseTo(0.0205, 12);
    // 2 cores one day later: weights 1 and 2. The 30th percentile is in the first sample's bucket, the 50th in the second's.
    h.addSample(2, 1, 86400);
    expect(h.percentile(0.3)).toBeCloseTo(0.0205, 12);
    const b = h.findBucket(2);
    expect(h.percentile(0.5)).toBeCloseTo(h.bucketStart(b + 1), 12);
    expect(h.bucketStart(b)).toBeLessThanOrEqual(2);
  });
});

describe("the VPA recommender", () => {
  it("recommends the 90th percentile plus 15%, with bounds that narrow as its history grows", () => {
    const r = new VpaRecommender();
    expect(r.recommend()).toBeUndefined();
    // Ten replicas at 0.5 cores each, sampled every minute for an hour: confidence min(1/24, 600/1440).
    for (let m = 1; m <= 60; m++) r.addSample(0.5, m * 60, 10);
    const h = new DecayingHistogram(CPU_HISTOGRAM);
    const end = h.bucketStart(h.findBucket(0.5) + 1);
    const rec = r.recommend()!;
    expect(rec.targetMilli).toBe(Math.ceil(end * 1.15 * 1000));
    const confidence = 3540 / 86400;
    expect(rec.upperMilli).toBe(Math.ceil(end * 1.15 * (1 + 1 / confidence) * 1000));
    expect(rec.lowerMilli).toBe(Math.ceil(end * 1.15 * (1 + 0.001 / confidence) ** -2 * 1000));
    // Over 24 × the bound: a 4-core request is within [lower, upper] after an hour.
    expect(rec.upperMilli).toBeGreaterThan(4000);
  });
});

describe("the VPA updater's eviction budget (pkg/updater/eviction, CanEvict)", () => {
  it("counts only running replicas as alive: configured − floor(configured × 0.5) must stay up", () => {
    // 10 configured, 4 pending: 6 running, 5 must stay alive, so 1 may go (a budget of 5 ignored the pending).
    expect(vpaEvictionBudget(10, 6)).toBe(1);
    // All 10 running: 5 may go; 5 running: none.
    expect(vpaEvictionBudget(10, 10)).toBe(5);
    expect(vpaEvictionBudget(10, 5)).toBe(0);
    // 3 configured, tolerance 1: with all running, 1; with one pending, none.
    expect(vpaEvictionBudget(3, 3)).toBe(1);
    expect(vpaEvictionBudget(3, 2)).toBe(0);
  });

  it("lets one go when every replica runs and the tolerance rounds to 0", () => {
    // Upstream's special case: running == configured, tolerance 0, nothing evicted yet.
    expect(vpaEvictionBudget(1, 1)).toBe(1);
    expect(vpaEvictionBudget(1, 0)).toBe(0);
  });
});
