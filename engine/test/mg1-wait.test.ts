import {
  constantServiceTime,
  emptyFigures,
  exponentialServiceTime,
  FluidLatency,
  MG1_WAIT,
  Mg1Wait,
  mgcWaiting,
  type ServiceTime,
  ServiceTimeShape,
} from "@clustersim/engine";
import { inverseCdf, sampler } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

/**
 * M/D/1's wait, exactly (Erlang 1909; Crommelin 1932): with service time 1 and load ρ,
 * P(W ≤ x) = (1 − ρ)·Σ_{k=0..⌊x⌋} (ρ(k − x))ᵏ/k!·e^{−ρ(k − x)}. An alternating sum: accurate to 1e-9
 * for x up to about 12.
 */
function md1WaitCdf(rho: number, x: number): number {
  let sum = 0;
  let factorial = 1;
  for (let k = 0; k <= Math.floor(x); k++) {
    if (k > 0) factorial *= k;
    const y = rho * (k - x);
    sum += (y ** k / factorial) * Math.exp(-y);
  }
  return (1 - rho) * sum;
}

/** M/D/1's response-time q-quantile with service time 1: the t at which P(W ≤ t − 1) = q, by bisection. */
function md1ResponseQuantile(rho: number, q: number): number {
  let lo = 1;
  let hi = 12;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (md1WaitCdf(rho, mid - 1) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function lognormal(meanS: number, cv: number): ServiceTime {
  const sigma = Math.sqrt(Math.log1p(cv * cv));
  const spec = { dist: "lognormal" as const, mu: Math.log(meanS) - (sigma * sigma) / 2, sigma };
  return { meanS, family: "general", sample: sampler(spec), quantile: inverseCdf(spec) };
}

/** An exponential read as any other shape (its strata), so the tables are made for it. */
function exponentialAsGeneral(meanS: number): ServiceTime {
  return { ...exponentialServiceTime(meanS), family: "general" };
}

/** ∫₀^∞ (1 − F) of table k, by the trapezoid rule on a grid much finer than the table's. */
function tableMean(w: Mg1Wait, k: number): number {
  const top = w.top(k);
  const n = 200_000;
  const h = top / n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (2 - w.cdf(k, i * h) - w.cdf(k, (i + 1) * h)) / 2;
  return sum * h;
}

describe("M/G/1's wait of a request that waits (Beneš's form of Pollaczek–Khinchine)", () => {
  it("constant service: within 0.005 of M/D/1's exact wait at every point, ρ 0.1 to 0.95", () => {
    const w = new Mg1Wait(new ServiceTimeShape(constantServiceTime(1)));
    for (const rho of [0.1, 0.3, 0.5, 0.8, 0.9, 0.95]) {
      const k = Mg1Wait.indexOf(rho);
      expect(Mg1Wait.loadOf(k)).toBe(rho);
      // The mean of a wait, given it waits: E[R]/(1 − ρ), E[R] = 1/2 for a constant 1.
      const unit = 0.5 / (1 - rho);
      for (let x = 0.05; x <= 12; x += 0.05) {
        const exact = (md1WaitCdf(rho, x) - (1 - rho)) / rho;
        expect(Math.abs(w.cdf(k, x / unit) - exact)).toBeLessThan(0.005);
      }
    }
  });

  it("exponential service: the wait is exponential (M/M/1's), to 0.005 at every point", () => {
    const w = new Mg1Wait(new ServiceTimeShape(exponentialAsGeneral(1)));
    for (const rho of [0.2, 0.5, 0.9]) {
      const k = Mg1Wait.indexOf(rho);
      for (let x = 0; x <= 10; x += 0.1) expect(Math.abs(w.cdf(k, x) + Math.expm1(-x))).toBeLessThan(0.005);
    }
  });

  it("each table has mean 1 (the caller's mean is Pollaczek–Khinchine's) and its quantile inverts its CDF", () => {
    const w = new Mg1Wait(new ServiceTimeShape(lognormal(1, 2)));
    for (const rho of [0.05, 0.5, 0.99]) {
      const k = Mg1Wait.indexOf(rho);
      expect(tableMean(w, k)).toBeCloseTo(1, 4);
      for (const u of [0.1, 0.5, 0.9, 0.99, 0.999]) expect(w.cdf(k, w.quantile(k, u))).toBeCloseTo(u, 9);
    }
  });

  it("a heavy-tailed service waits with a heavier tail than the exponential, a constant one with a lighter", () => {
    const heavy = new Mg1Wait(new ServiceTimeShape(lognormal(1, 2)));
    const light = new Mg1Wait(new ServiceTimeShape(constantServiceTime(1)));
    for (const rho of [0.3, 0.8]) {
      const k = Mg1Wait.indexOf(rho);
      expect(heavy.quantile(k, 0.99)).toBeGreaterThan(1.1 * Math.log(100));
      expect(light.quantile(k, 0.99)).toBeLessThan(0.95 * Math.log(100));
    }
    // Toward saturation the shape tends to the exponential (heavy traffic: Kingman 1961).
    const top = Mg1Wait.indexOf(0.999);
    expect(Math.abs(light.quantile(top, 0.99) / Math.log(100) - 1)).toBeLessThan(0.01);
  });

  it("the map from the exponential is its quantile match, continuous, increasing and uncapped past the table", () => {
    const w = new Mg1Wait(new ServiceTimeShape(constantServiceTime(1)));
    const k = Mg1Wait.indexOf(0.5);
    expect(w.fromExponential(k, 2)).toBeCloseTo(w.quantile(k, 1 - Math.exp(-2)), 12);
    let last = 0;
    for (let x = 0.01; x <= 1000; x *= 1.1) {
      const y = w.fromExponential(k, x);
      expect(y).toBeGreaterThan(last);
      last = y;
    }
    // Past the join the slope is the exponential's: a wait of 1,000 mean waits stays about that long.
    expect(w.fromExponential(k, 1000) - w.fromExponential(k, 500)).toBeCloseTo(500, 9);
    expect(Math.abs(w.fromExponential(k, 15 + 1e-9) - w.fromExponential(k, 15))).toBeLessThan(1e-6);
  });

  it("every table's wait kind fits a mixture's kinds and the record's bin key (kinds below 127)", () => {
    expect(MG1_WAIT + Mg1Wait.count - 1).toBeLessThan(127);
  });

  it("loads between tables take the nearest", () => {
    expect(Mg1Wait.loadOf(Mg1Wait.indexOf(0.8049))).toBe(0.8);
    expect(Mg1Wait.loadOf(Mg1Wait.indexOf(0.8051))).toBe(0.81);
    expect(Mg1Wait.loadOf(Mg1Wait.indexOf(0.001))).toBe(0.01);
    expect(Mg1Wait.loadOf(Mg1Wait.indexOf(0.996))).toBe(0.995);
    expect(Mg1Wait.loadOf(Mg1Wait.indexOf(0.9999))).toBe(0.999);
  });
});

describe("the fluid model's wait on one server", () => {
  /** The fluid model's steady p99 on `c` servers at load ρ (service mean 1 ms). */
  function steadyP99(time: ServiceTime, c: number, rho: number): number {
    const model = new FluidLatency({
      shape: new ServiceTimeShape(time),
      targetS: Number.POSITIVE_INFINITY,
      timeoutS: 1e12,
    });
    const out = emptyFigures();
    for (let t = 0; t < 200; t++) model.tick(t, 1, (rho * c) / time.meanS, c, out);
    return model.lastQuantile(0.99);
  }

  it("constant service on one server: the p99 response is M/D/1's exact one, within 1%", () => {
    for (const rho of [0.5, 0.8]) {
      const exact = md1ResponseQuantile(rho, 0.99) / 1000;
      expect(Math.abs(steadyP99(constantServiceTime(0.001), 1, rho) / exact - 1)).toBeLessThan(0.01);
    }
  });

  it("the run's record and the share within the objective take M/G/1's shape too", () => {
    const rho = 0.8;
    // M/D/1 response p99 and P(T ≤ 3 ms) exactly (service 1 ms).
    const exactP99 = md1ResponseQuantile(rho, 0.99) / 1000;
    const exactWithin = md1WaitCdf(rho, 2);
    const model = new FluidLatency({
      shape: new ServiceTimeShape(constantServiceTime(0.001)),
      targetS: 0.003,
      timeoutS: 1e12,
    });
    const record = model.newRecord();
    const out = emptyFigures();
    let within = 0;
    let served = 0;
    for (let t = 0; t < 100; t++) {
      model.tick(t, 1, rho * 1000, 1, out);
      model.feed(record);
      within += out.withinTarget;
      served += out.served;
    }
    expect(Math.abs(record.quantile(0.99) / exactP99 - 1)).toBeLessThan(0.01);
    expect(within / served).toBeCloseTo(exactWithin, 2);
  });

  it("after an overload, a one-server queue's waits drain from where the overload left them", () => {
    // 60 s at ρ 1.05 on one server (constant 1 ms), then ρ 0.5. The first tick at ρ 0.5 serves the
    // oldest of the backlog (2,600 requests, drained at 500/s over 5 s), which waited longer than those
    // of the tick before: its p99 is not below theirs. (Mapping the overload's random part through
    // the steady shape, capped at its table's top, dropped it 15% at once.)
    const model = new FluidLatency({
      shape: new ServiceTimeShape(constantServiceTime(0.001)),
      targetS: Number.POSITIVE_INFINITY,
      timeoutS: 1e12,
    });
    const out = emptyFigures();
    for (let t = 0; t < 60; t++) model.tick(t, 1, 1050, 1, out);
    const overloaded = model.lastQuantile(0.99);
    model.tick(60, 1, 500, 1, out);
    const draining = model.lastQuantile(0.99);
    expect(overloaded).toBeGreaterThan(1);
    expect(draining).toBeGreaterThanOrEqual(overloaded);
  });

  it("with two servers, or exponential service, the wait stays exponential", () => {
    // M/M/1's response is exponential at rate μ − λ: its p99 is ln(100)/(μ − λ).
    expect(steadyP99(exponentialServiceTime(0.001), 1, 0.5) / (Math.log(100) / 500)).toBeCloseTo(1, 2);
    // A constant 1 ms on two servers at ρ 0.8: a wait with Erlang C's probability, exponential at the
    // rate of Kimura's mean; the p99 response is then D + ln(C/0.01)/θ.
    const w = mgcWaiting(2, 1600, 1000, 0, { probWait: 0, rate: 0 });
    const exponentialWait = 0.001 + Math.log(w.probWait / 0.01) / w.rate;
    expect(Math.abs(steadyP99(constantServiceTime(0.001), 2, 0.8) / exponentialWait - 1)).toBeLessThan(0.01);
  });
});
