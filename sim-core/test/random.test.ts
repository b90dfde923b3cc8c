import { Empirical, RandomStreams, type Rng, WeightedChoice, Zipf } from "@clustersim/sim-core";
import { gamma, lgamma } from "mathjs";
import { describe, expect, it } from "vitest";
import { logFactorial } from "../src/random/poisson.js";

describe("named random streams", () => {
  it("replays the same stream for the same seed and name", () => {
    const a = new RandomStreams(42).get("arrivals");
    const b = new RandomStreams(42).get("arrivals");
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new RandomStreams(42).fresh("arrivals").next()).toBe(xs[0]);
  });

  it("keeps streams independent: adding or using another stream never shifts one", () => {
    const alone = new RandomStreams(7);
    const crowded = new RandomStreams(7);
    crowded.get("failures").next();
    crowded.get("sizes");
    const x = alone.get("arrivals");
    const y = crowded.get("arrivals");
    crowded.get("failures").next();
    expect([y.next(), y.next(), y.next()]).toEqual([x.next(), x.next(), x.next()]);
  });

  it("differs between seeds, between names, and between the seed 7 and the string '7'", () => {
    const first = (seed: number | string, name: string) => new RandomStreams(seed).get(name).next();
    const values = [first(1, "a"), first(2, "a"), first(1, "b"), first(7, "a"), first("7", "a")];
    expect(new Set(values).size).toBe(values.length);
  });

  it("rejects seeds that are not non-negative integers or strings", () => {
    expect(() => new RandomStreams(-1)).toThrow(/non-negative integer/);
    expect(() => new RandomStreams(1.5)).toThrow(/non-negative integer/);
  });

  it("returns uniforms in [0, 1) and integers within bounds", () => {
    const r = new RandomStreams(3).get("u");
    for (let i = 0; i < 10_000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      const k = r.int(-2, 2);
      expect(Number.isInteger(k) && k >= -2 && k <= 2).toBe(true);
    }
  });
});

/**
 * Each distribution's sample mean and variance against theory. Tolerances come from the sample size:
 * the mean may be off by 5 standard errors σ/√n, the variance by 5·sqrt((μ4 − σ⁴)/n), the large-sample
 * standard error of a sample variance. Parameters are chosen so that the fourth moment is finite.
 */
const N = 200_000;

/** Raw moments E[X^r], r = 1..4, to central mean, variance and fourth central moment. */
function central(m: [number, number, number, number]) {
  const [m1, m2, m3, m4] = m;
  const variance = m2 - m1 * m1;
  const mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 ** 4;
  return { mean: m1, variance, mu4 };
}

function checkMoments(draw: () => number, raw: [number, number, number, number]) {
  const { mean, variance, mu4 } = central(raw);
  let sum = 0;
  let sumSq = 0;
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    xs[i] = draw();
    sum += xs[i];
  }
  const sampleMean = sum / N;
  for (let i = 0; i < N; i++) sumSq += (xs[i] - sampleMean) ** 2;
  const sampleVar = sumSq / (N - 1);
  expect(Math.abs(sampleMean - mean)).toBeLessThan(5 * Math.sqrt(variance / N));
  expect(Math.abs(sampleVar - variance)).toBeLessThan(5 * Math.sqrt((mu4 - variance ** 2) / N));
}

const rawFrom = (f: (r: number) => number) => [1, 2, 3, 4].map(f) as [number, number, number, number];
const G = (x: number) => gamma(x) as number;

describe("distributions match theory", () => {
  let r: Rng;
  const fresh = (name: string) => (r = new RandomStreams(2024).get(name));

  it("poisson: the counts' frequencies against Poisson's probabilities, on both branches (inversion below 10, rejection above)", () => {
    fresh("poisson");
    for (const mean of [0.7, 4, 9.99, 10, 23.5, 400, 1e6]) {
      const n = 40_000;
      const sd = Math.sqrt(mean);
      const lo = Math.max(0, Math.floor(mean - 4 * sd));
      const hi = Math.ceil(mean + 4 * sd);
      // Bins of whole counts, merged until each expects at least 20 draws; the tails are their own bins.
      const pmf = (k: number) => Math.exp(-mean + k * Math.log(mean) - lgamma(k + 1));
      const edges: number[] = [lo];
      let acc = 0;
      for (let k = lo; k <= hi; k++) {
        acc += pmf(k) * n;
        if (acc >= 20) {
          edges.push(k + 1);
          acc = 0;
        }
      }
      edges[edges.length - 1] = hi + 1;
      const expected = new Float64Array(edges.length + 1);
      for (let b = 0; b + 1 < edges.length; b++)
        for (let k = edges[b]; k < edges[b + 1]; k++) expected[b + 1] += pmf(k) * n;
      let inside = 0;
      for (let b = 1; b < edges.length; b++) inside += expected[b];
      // Bin 0 holds everything below `lo` and above `hi`.
      expected[0] = n - inside;
      const seen = new Float64Array(edges.length + 1);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const x = r.poisson(mean);
        sum += x;
        if (x < lo || x > hi) seen[0]++;
        else {
          let b = 1;
          while (x >= edges[b]) b++;
          seen[b]++;
        }
      }
      let chi2 = 0;
      let df = -1;
      for (let b = 0; b < expected.length; b++) {
        if (expected[b] < 1e-9) continue;
        chi2 += (seen[b] - expected[b]) ** 2 / expected[b];
        df++;
      }
      // Far beyond the 0.999 quantile of χ²(df) (about df + 4.5√(2df) for these df), yet a wrong branch fails it.
      expect(chi2).toBeLessThan(df + 5 * Math.sqrt(2 * df));
      expect(Math.abs(sum / n - mean)).toBeLessThan(5 * Math.sqrt(mean / n));
    }
    expect(r.poisson(0)).toBe(0);
    expect(() => r.poisson(Number.NaN)).toThrow(/finite mean/);
    expect(() => r.poisson(-1)).toThrow(/finite mean/);
  });

  it("poisson's log-factorial: exact below 16, Stirling's series above, against the gamma function", () => {
    for (const k of [0, 1, 5, 15, 16, 17, 30, 100, 1e4, 1e8]) {
      expect(Math.abs(logFactorial(k) - lgamma(k + 1))).toBeLessThan(1e-12 * Math.max(1, lgamma(k + 1)));
    }
  });

  it("uniform", () => {
    fresh("uniform");
    const [a, b] = [-2, 5];
    checkMoments(
      () => r.uniform(a, b),
      rawFrom((k) => (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))),
    );
  });

  it("exponential", () => {
    fresh("exponential");
    const rate = 2.5;
    checkMoments(
      () => r.exponential(rate),
      rawFrom((k) => G(k + 1) / rate ** k),
    );
  });

  it("normal", () => {
    fresh("normal");
    const [m, s] = [3, 2];
    checkMoments(
      () => r.normal(m, s),
      [m, m * m + s * s, m ** 3 + 3 * m * s * s, m ** 4 + 6 * m * m * s * s + 3 * s ** 4],
    );
  });

  it("log-normal", () => {
    fresh("lognormal");
    const [mu, sigma] = [0.5, 0.4];
    checkMoments(
      () => r.lognormal(mu, sigma),
      rawFrom((k) => Math.exp(k * mu + (k * k * sigma * sigma) / 2)),
    );
  });

  it("Pareto", () => {
    fresh("pareto");
    const [xm, alpha] = [2, 9];
    checkMoments(
      () => r.pareto(xm, alpha),
      rawFrom((k) => (alpha * xm ** k) / (alpha - k)),
    );
  });

  it("Weibull", () => {
    fresh("weibull");
    const [shape, scale] = [1.7, 3];
    checkMoments(
      () => r.weibull(shape, scale),
      rawFrom((k) => scale ** k * G(1 + k / shape)),
    );
  });

  it("Burr XII", () => {
    fresh("burr");
    const [c, k, scale] = [3, 3, 2];
    // E[X^r] = scale^r · k · B(k − r/c, 1 + r/c)
    checkMoments(
      () => r.burrXII(c, k, scale),
      rawFrom((p) => (scale ** p * k * G(k - p / c) * G(1 + p / c)) / G(k + 1)),
    );
  });

  it("Zipf (s = 1.1 and s = 1 over 1,000 ranks; s = 0.7 over 50)", () => {
    for (const [n, s] of [
      [1000, 1.1],
      [1000, 1],
      [50, 0.7],
    ]) {
      fresh(`zipf-${s}`);
      const z = new Zipf(n, s);
      let norm = 0;
      for (let k = 1; k <= n; k++) norm += k ** -s;
      const raw = rawFrom((p) => {
        let m = 0;
        for (let k = 1; k <= n; k++) m += k ** (p - s);
        return m / norm;
      });
      checkMoments(() => z.sample(r), raw);
    }
    expect(() => new Zipf(0, 1)).toThrow(/n must be an integer >= 1/);
    expect(() => new Zipf(10, 0)).toThrow(/exponent s must be > 0/);
  });

  it("weighted choice", () => {
    fresh("weighted");
    const w = [1, 0, 3, 6];
    const choice = new WeightedChoice(w);
    const total = w.reduce((a, b) => a + b);
    checkMoments(
      () => choice.sample(r),
      rawFrom((p) => w.reduce((acc, wi, i) => acc + (wi / total) * i ** p, 0)),
    );
    expect(() => new WeightedChoice([])).toThrow(/at least one/);
    expect(() => new WeightedChoice([1, -1])).toThrow(/weight 1 must be a finite number >= 0, found -1/);
    expect(() => new WeightedChoice([0, 0])).toThrow(/not all be zero/);
  });

  it("empirical, resampled and interpolated", () => {
    const obs = [3, 1, 4, 1, 5, 9, 2, 6];
    fresh("empirical");
    const resample = new Empirical(obs);
    checkMoments(
      () => resample.sample(r),
      rawFrom((p) => obs.reduce((a, x) => a + x ** p, 0) / obs.length),
    );

    // Interpolated: uniform on each of the n − 1 segments between sorted observations.
    const sorted = [...obs].sort((a, b) => a - b);
    const seg = (p: number) => {
      let m = 0;
      for (let i = 0; i + 1 < sorted.length; i++) {
        const [a, b] = [sorted[i], sorted[i + 1]];
        m += a === b ? a ** p : (b ** (p + 1) - a ** (p + 1)) / ((p + 1) * (b - a));
      }
      return m / (sorted.length - 1);
    };
    fresh("empirical-interp");
    const interp = new Empirical(obs, "interpolate");
    checkMoments(() => interp.sample(r), rawFrom(seg));
    expect(() => new Empirical([])).toThrow(/at least one/);
    expect(() => new Empirical([1, NaN])).toThrow(/finite/);
  });
});
