import {
  ATOM,
  constantServiceTime,
  cpuStretch,
  EXPONENTIAL,
  emptyFigures,
  erlangC,
  exponentialServiceTime,
  FluidLatency,
  MixtureRecord,
  mgcWaiting,
  PerRequestLatency,
  quantileSorted,
  RELATIVE_ACCURACY,
  ResponseMixture,
  responseQuantile,
  type ServiceTime,
  ServiceTimeShape,
} from "@clustersim/engine";
import { RandomStreams } from "@clustersim/sim-core";
import { inverseCdf, normalQuantile, sampler } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

/** A log-normal service time of mean `meanS` and coefficient of variation `cv`, through the scenario's inverse CDF. */
function lognormal(meanS: number, cv: number): ServiceTime {
  const sigma = Math.sqrt(Math.log1p(cv * cv));
  const spec = { dist: "lognormal" as const, mu: Math.log(meanS) - (sigma * sigma) / 2, sigma };
  const draw = sampler(spec);
  return { meanS, family: "general", sample: draw, quantile: inverseCdf(spec) };
}

describe("service-time shapes", () => {
  it("the normal quantile matches published values of Φ⁻¹ to 1e-8", () => {
    // Abramowitz & Stegun, table 26.5: Φ⁻¹(0.975) = 1.959963985, Φ⁻¹(0.99) = 2.326347874, Φ⁻¹(0.999) = 3.090232306.
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424309, 7);
  });

  it("each distribution's inverse CDF is where its draws fall: quantiles of 200,000 draws within 2%", () => {
    const specs = [
      { dist: "uniform" as const, min: 1, max: 3 },
      { dist: "exponential" as const, mean: 2 },
      { dist: "lognormal" as const, mu: 0, sigma: 1 },
      { dist: "pareto" as const, xm: 1, alpha: 2.5 },
      { dist: "weibull" as const, shape: 1.5, scale: 2 },
      { dist: "burr" as const, c: 2, k: 3, scale: 1 },
      { dist: "empirical" as const, values: [1, 2, 4, 8], mode: "interpolate" as const },
    ];
    const rng = new RandomStreams(3).get("draws");
    for (const spec of specs) {
      const draw = sampler(spec);
      const xs = Float64Array.from({ length: 200_000 }, () => draw(rng)).sort();
      const q = inverseCdf(spec);
      for (const u of [0.1, 0.5, 0.9]) expect(Math.abs(q(u) / quantileSorted(xs, u) - 1)).toBeLessThan(0.02);
    }
  });

  it("a Burr time without a scale is read at scale 1, as its draws are", () => {
    const spec = { dist: "burr" as const, c: 2, k: 3 } as unknown as Parameters<typeof inverseCdf>[0];
    const q = inverseCdf(spec);
    // P(X > x) = (1 + x²)^−3: the median solves (1 + x²)³ = 2.
    expect(q(0.5)).toBeCloseTo(Math.sqrt(2 ** (1 / 3) - 1), 12);
  });

  it("a shape whose quantiles are not finite numbers of seconds is refused, not read as NaN", () => {
    const broken: ServiceTime = {
      meanS: 1,
      family: "general",
      sample: () => 1,
      quantile: (u) => (u > 0.99 ? Infinity : u),
    };
    expect(() => new ServiceTimeShape(broken)).toThrow(/quantile is Infinity, not a finite number of seconds/);
  });

  it("a log-normal of CV 2 is read with its variability: SCV 4 less the tail beyond the 1 − 10⁻⁶ quantile", () => {
    const shape = new ServiceTimeShape(lognormal(0.1, 2));
    expect(shape.meanS).toBe(0.1);
    // E[S²; S ≤ q] / E[S²] = Φ(z − 2σ) at z = Φ⁻¹(1 − 10⁻⁶): SCV = 5·Φ(z − 2σ) − 1 ≈ 3.93.
    const sigma = Math.sqrt(Math.log(5));
    const kept = 1 - 0.5 * erfc((normalQuantile(1 - 1e-6) - 2 * sigma) / Math.SQRT2);
    expect(shape.scv).toBeGreaterThan(5 * kept - 1 - 0.05);
    expect(shape.scv).toBeLessThan(4);
    // Its CDF and quantile are inverses, and the median is exp(μ).
    for (const u of [0.05, 0.5, 0.9, 0.99, 0.999]) expect(shape.cdf(shape.quantile(u))).toBeCloseTo(u, 6);
    expect(shape.quantile(0.5) / (0.1 / Math.sqrt(5))).toBeCloseTo(1, 2);
  });
});

describe("CPU as the server", () => {
  it("never binds while every slot at once fits the cores; binds fully when the traffic is more than the cores serve", () => {
    // 4 slots × 0.01 core-s / 0.05 s = 0.8 cores of 1: never.
    expect(cpuStretch(4, 1, 0.05, 0.01, 1e6)).toBe(1);
    // 8 slots × 0.375 cores each on 1 core, traffic far beyond: every slot busy, 8 × 0.375 = 3.
    expect(cpuStretch(8, 1, 0.1, 0.0375, 1e6)).toBeCloseTo(3, 12);
  });

  it("a replica never serves more CPU than it has, and its requests stretch more as traffic grows", () => {
    const [k, cores, meanS, cpu] = [8, 1.45, 0.0551, 0.03];
    let last = 1;
    for (let offered = 0; offered <= 120; offered += 2) {
      const stretch = cpuStretch(k, cores, meanS, cpu, offered);
      expect(stretch).toBeGreaterThanOrEqual(last - 1e-12);
      last = stretch;
      // Served: the traffic, or what k slots at this stretch get through, whichever is less.
      const served = Math.min(offered, k / (meanS * stretch));
      expect(served * cpu).toBeLessThanOrEqual(cores * (1 + 1e-9));
    }
  });

  it("a request sees itself in service: one alone on a slot that needs the whole core runs at full speed", () => {
    // 2 slots, each request needing exactly the 1 core: alone it runs at speed 1, with the other slot busy at ½.
    // With the other busy half the time (q = ½ at the fixed point's start), E = ½·1 + ½·2 = 1.5 at least.
    expect(cpuStretch(2, 1, 1, 1, 1e-9)).toBeCloseTo(1, 6);
    expect(cpuStretch(2, 1, 1, 1, 1)).toBeGreaterThanOrEqual(1.5);
  });
});

describe("M/G/c waiting (Erlang C, Kimura's interpolation)", () => {
  it("one server: P(wait) = ρ and the mean wait is Pollaczek–Khinchine's ρ(1 + SCV)/(2μ(1 − ρ)), any SCV", () => {
    for (const scv of [0, 0.5, 1, 4]) {
      for (const rho of [0.3, 0.8, 0.99]) {
        const mu = 10;
        const w = mgcWaiting(1, rho * mu, mu, scv, { probWait: 0, rate: 0 });
        expect(w.probWait).toBeCloseTo(rho, 12);
        expect(w.probWait / w.rate).toBeCloseTo((rho * (1 + scv)) / (2 * mu * (1 - rho)), 12);
      }
    }
  });

  it("exponential service: M/M/c exactly, C/(cμ − λ)", () => {
    for (const [c, rho] of [
      [10, 0.8],
      [100, 0.95],
    ]) {
      const w = mgcWaiting(c, rho * c * 5, 5, 1, { probWait: 0, rate: 0 });
      expect(w.probWait / w.rate).toBeCloseTo(erlangC(c, rho * c) / (c * 5 * (1 - rho)), 12);
    }
  });

  it("constant service waits less than exponential and high variability more, at every load", () => {
    for (const rho of [0.5, 0.8, 0.95]) {
      const mean = (scv: number) => {
        const w = mgcWaiting(10, rho * 100, 10, scv, { probWait: 0, rate: 0 });
        return w.probWait / w.rate;
      };
      expect(mean(0)).toBeLessThan(mean(1));
      expect(mean(1)).toBeLessThan(mean(4));
    }
  });
});

describe("response-time mixtures", () => {
  it("steady M/M/c: the mixture's quantile is the closed form's (wait ⊛ exponential service)", () => {
    const shape = new ServiceTimeShape(exponentialServiceTime(0.1));
    const mix = new ResponseMixture(shape);
    const c = erlangC(10, 8);
    mix.add(ATOM, 0, 1, 1 - c);
    mix.add(EXPONENTIAL, 100 - 80, 1, c);
    for (const q of [0.5, 0.9, 0.99, 0.999]) expect(mix.quantile(q)).toBeCloseTo(responseQuantile(q, c, 20, 10), 7);
  });

  it("a log-normal service's tail shows: at the same mean wait, p99 well above an exponential service's", () => {
    const of = (time: ServiceTime) => {
      const mix = new ResponseMixture(new ServiceTimeShape(time));
      mix.add(ATOM, 0, 1, 0.5);
      mix.add(EXPONENTIAL, 20, 1, 0.5);
      return mix;
    };
    const ln = of(lognormal(0.1, 2));
    const ex = of(exponentialServiceTime(0.1));
    const cst = of(constantServiceTime(0.1));
    expect(ln.mean()).toBeCloseTo(ex.mean(), 3);
    for (const q of [0.5, 0.99, 0.999]) expect(ln.cdf(ln.quantile(q))).toBeCloseTo(q, 6);
    expect(ln.quantile(0.999)).toBeGreaterThan(1.3 * ex.quantile(0.999));
    expect(cst.quantile(0.99)).toBeLessThan(ex.quantile(0.99));
  });
});

describe("run-level percentiles", () => {
  it("a record counts the weight a tick added to its last bins before it is moved into its mixture", () => {
    const shape = new ServiceTimeShape(exponentialServiceTime(0.1));
    const record = new MixtureRecord(shape);
    record.addComponent(ATOM, 0, 1, 10);
    record.addComponent(ATOM, 0, 1, 5);
    record.addComponent(EXPONENTIAL, 20, 1, 3);
    record.addComponent(EXPONENTIAL, 20.0001, 1, 2);
    record.addComponent(ATOM, 0.3, 1, 1);
    record.addComponent(ATOM, 0.3, 1, 4);
    expect(record.count).toBe(25);
    const plain = new ResponseMixture(shape);
    plain.add(ATOM, 0, 1, 15);
    plain.add(EXPONENTIAL, 20, 1, 5);
    plain.add(ATOM, 0.3, 1, 5);
    for (const q of [0.5, 0.9, 0.99]) {
      expect(Math.abs(record.quantile(q) / plain.quantile(q) - 1)).toBeLessThan(RELATIVE_ACCURACY);
    }
    // Read, the weights are in the mixture: three bins holding all 25.
    expect(record.mixture.count).toBe(3);
    expect(record.mixture.total).toBe(25);
    expect(record.count).toBe(25);
  });

  it("per request: the DDSketch's p50–p99.9 are within its 0.5% of the exact quantiles of every request", () => {
    const time = lognormal(0.1, 2);
    const all: number[] = [];
    const params = { shape: new ServiceTimeShape(time), targetS: 1, timeoutS: 1e9 };
    const model = new PerRequestLatency(
      params,
      new RandomStreams(5).get("r"),
      (r) => time.sample(r),
      (x) => all.push(x),
    );
    const record = model.newRecord();
    const out = emptyFigures();
    for (let t = 0; t < 3000; t++) {
      // A daily-like swing between ρ 0.4 and 0.9 on 10 servers.
      model.tick(t, 1, 65 + 25 * Math.sin(t / 300), 10, out);
      model.feed(record);
    }
    all.sort((a, b) => a - b);
    expect(record.count).toBe(all.length);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      // DDSketch returns a value within α of the order statistic at rank ⌊q·(n − 1)⌋ (from 0).
      const exact = all[Math.floor(q * (all.length - 1))];
      expect(Math.abs(record.quantile(q) / exact - 1)).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9);
    }
  });

  it("fluid: a record of many ticks is within 0.5% of the exact mixture of them all, binned or not", () => {
    const shape = new ServiceTimeShape(lognormal(0.1, 2));
    const record = new MixtureRecord(shape);
    const exact = new ResponseMixture(shape);
    const tick = new ResponseMixture(shape);
    const rng = new RandomStreams(9).get("ticks");
    for (let t = 0; t < 5000; t++) {
      tick.clear();
      const c = rng.uniform(0, 0.9);
      const theta = 2 + 200 * rng.next();
      const served = 100 * rng.next();
      tick.add(ATOM, 0, 1, served * (1 - c));
      tick.add(EXPONENTIAL, theta, 1, served * c);
      if (t % 7 === 0) tick.add(ATOM, rng.uniform(0, 3), 1, 5);
      // Waits near 1 s, whose bin is next to no wait's: each kept apart from it.
      if (t % 3 === 0) tick.add(ATOM, rng.uniform(0.99, 1), 1, 20);
      record.addMixture(tick);
      for (let i = 0; i < tick.count; i++) exact.add(tick.kind[i], tick.param[i], 1, tick.weight[i]);
    }
    // Thousands of distinct waits, a few hundred bins.
    expect(record.mixture.count).toBeLessThan(exact.count / 5);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      expect(Math.abs(record.quantile(q) / exact.quantile(q) - 1)).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    }
  });
});

describe("no cliff at saturation", () => {
  it("a 60 s burst on 10 servers from empty: p99 rises with load through ρ = 1, step by step", () => {
    const shape = new ServiceTimeShape(exponentialServiceTime(0.1));
    let last = 0;
    for (let k = 0; k <= 100; k++) {
      const rho = 0.95 + k * 0.001;
      const model = new FluidLatency({ shape, targetS: 1, timeoutS: 30 });
      const record = model.newRecord();
      const out = emptyFigures();
      for (let t = 0; t < 60; t++) {
        model.tick(t, 1, rho * 100, 10, out);
        model.feed(record);
      }
      const p99 = record.quantile(0.99);
      expect(p99).toBeGreaterThanOrEqual(last);
      last = p99;
    }
  });

  it("a burst shows the delay it builds, not a long run's: at ρ 0.99 well under the steady p99", () => {
    const shape = new ServiceTimeShape(exponentialServiceTime(0.1));
    const model = new FluidLatency({ shape, targetS: 1, timeoutS: 30 });
    const out = emptyFigures();
    model.tick(0, 1, 99, 10, out);
    const c = erlangC(10, 9.9);
    // The steady p99 at ρ 0.99 (≈ 4.7 s) is what the first second of a burst showed before.
    expect(model.lastQuantile(0.99)).toBeLessThan(0.25 * responseQuantile(0.99, c, 1, 10));
  });
});

/** The complementary error function (Numerical Recipes' erfcc, fractional error below 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
