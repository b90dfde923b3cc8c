import {
  emptyFigures,
  erlangC,
  exponentialServiceTime,
  FluidLatency,
  type LatencyModel,
  PerRequestLatency,
  quantileSorted,
  responseQuantile,
  responseTail,
  ServiceTimeShape,
} from "@clustersim/engine";
import { Simulation } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

/** Erlang B by the plain recursion over every k, then Erlang C: the reference for the shortcut. */
function erlangCFull(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

describe("M/M/c theory", () => {
  it("Erlang C's shortcut equals the full recursion, small and large", () => {
    for (const [c, a] of [
      [1, 0.5],
      [2, 1],
      [10, 9.5],
      [100, 80],
      [1000, 950],
      [1000, 990],
      [5000, 4800],
      [20000, 19900],
    ]) {
      expect(erlangC(c, a)).toBeCloseTo(erlangCFull(c, a), 12);
    }
    // Far above the load waiting is negligible, and the shortcut says 0.
    expect(erlangCFull(1000, 500)).toBeLessThan(1e-30);
    expect(erlangC(1000, 500)).toBe(0);
    expect(erlangC(4, 4)).toBe(1);
  });

  it("M/M/1 response time is exponential at rate μ − λ: its quantiles in closed form", () => {
    // With one server C = ρ and T ~ Exp(μ − λ) (Kleinrock §3.2).
    const lambda = 7;
    const mu = 10;
    const c = erlangC(1, lambda / mu);
    expect(c).toBeCloseTo(0.7, 12);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      expect(responseQuantile(q, c, mu - lambda, mu)).toBeCloseTo(Math.log(1 / (1 - q)) / (mu - lambda), 9);
    }
    expect(responseTail(0.2, c, mu - lambda, mu)).toBeCloseTo(Math.exp(-(mu - lambda) * 0.2), 12);
  });

  it("each quantile is where the response time's tail equals 1 − q, for many queues (its definition)", () => {
    for (const c of [1, 2, 8, 50, 400]) {
      for (const rho of [0.3, 0.7, 0.9, 0.99]) {
        const mu = 10;
        const lambda = rho * c * mu;
        const C = erlangC(c, lambda / mu);
        for (const q of [0.5, 0.95, 0.99, 0.999]) {
          const t = responseQuantile(q, C, c * mu - lambda, mu);
          expect(responseTail(t, C, c * mu - lambda, mu)).toBeCloseTo(1 - q, 10);
        }
      }
    }
  });
});

const MEAN_SERVICE_S = 0.1;
const SERVERS = 10;
const CAPACITY = SERVERS / MEAN_SERVICE_S;
const EXPONENTIAL_SHAPE = new ServiceTimeShape(exponentialServiceTime(MEAN_SERVICE_S));

function perRequest(seed: number, timeoutS: number, all?: number[]): PerRequestLatency {
  const rng = new Simulation({ seed }).random.get("requests");
  const params = { shape: EXPONENTIAL_SHAPE, targetS: 1, timeoutS };
  return new PerRequestLatency(params, rng, (r) => r.exponential(1 / MEAN_SERVICE_S), all && ((l) => all.push(l)));
}

function fluid(timeoutS: number): FluidLatency {
  return new FluidLatency({ shape: EXPONENTIAL_SHAPE, targetS: 1, timeoutS });
}

/** Run `model` through a rate per 1-second tick; the queue at the end of each tick, and drops. */
function drive(model: LatencyModel, rates: number[]): { queued: number[]; dropped: number; served: number } {
  const out = emptyFigures();
  const queued: number[] = [];
  let dropped = 0;
  let served = 0;
  rates.forEach((rate, t) => {
    model.tick(t, 1, rate, SERVERS, out);
    queued.push(out.queued);
    dropped += out.dropped;
    served += out.served;
  });
  return { queued, dropped, served };
}

describe("fluid against per-request latency, one service of 10 servers at 100 requests/s", () => {
  for (const rho of [0.5, 0.8, 0.95]) {
    it(`steady load ρ = ${rho}: mean and p99 within 10%`, () => {
      const seconds = rho === 0.95 ? 20_000 : 5_000;
      const rates = new Array<number>(seconds).fill(rho * CAPACITY);
      const all: number[] = [];
      drive(perRequest(11, 1e9, all), rates);
      all.sort((a, b) => a - b);
      const simMean = all.reduce((s, x) => s + x, 0) / all.length;
      const simP99 = quantileSorted(all, 0.99);
      // The fluid model from an empty queue settles to its steady state (at ρ 0.95 within about 100 s).
      const out = emptyFigures();
      const model = fluid(1e9);
      for (let t = 0; t < 2000; t++) model.tick(t, 1, rho * CAPACITY, SERVERS, out);
      expect(Math.abs(out.meanS / simMean - 1)).toBeLessThan(0.1);
      expect(Math.abs(model.lastQuantile(0.99) / simP99 - 1)).toBeLessThan(0.1);
      // And both match theory's mean: C/(cμ − λ) + 1/μ (the fluid one on its grid of waits, to 0.2%).
      const lambda = rho * CAPACITY;
      const theory = erlangC(SERVERS, lambda * MEAN_SERVICE_S) / (CAPACITY - lambda) + MEAN_SERVICE_S;
      expect(Math.abs(out.meanS / theory - 1)).toBeLessThan(2e-3);
    });
  }

  it("a 10× step (ρ 0.5 → 5): the backlog grows alike, within 10% from 10 s after the step", () => {
    const rates = [...new Array<number>(300).fill(50), ...new Array<number>(60).fill(500)];
    const sim = drive(perRequest(5, 1e9), rates);
    const flu = drive(fluid(1e9), rates);
    for (let t = 310; t < 360; t += 10) {
      // The backlog after k seconds of overload: (λ − cμ)·k, here 400 per second, and the queue's
      // random spread on top (the fluid model's is reflected at no wait: a few percent more).
      expect(flu.queued[t]).toBeGreaterThan(400 * (t - 299));
      expect(Math.abs(flu.queued[t] / sim.queued[t] - 1)).toBeLessThan(0.1);
    }
  });

  it("overload with a 5 s timeout: both drop the same share of requests, within 10%", () => {
    const rates = [...new Array<number>(100).fill(50), ...new Array<number>(200).fill(200)];
    const sim = drive(perRequest(3, 5), rates);
    const flu = drive(fluid(5), rates);
    // Half of the 200/s offered in overload can be served; the queue holds at most 5 s of service.
    expect(flu.dropped).toBeGreaterThan(0);
    expect(Math.abs(flu.dropped / sim.dropped - 1)).toBeLessThan(0.1);
    expect(Math.abs(flu.served / sim.served - 1)).toBeLessThan(0.02);
  });

  it("per request: requests waiting with no server start as soon as servers come, with no new arrival", () => {
    const model = perRequest(3, 60);
    const out = emptyFigures();
    model.tick(0, 1, 50, 0, out);
    const waiting = out.queued;
    expect(waiting).toBeGreaterThan(20);
    // Ten servers at the next tick and no more traffic: every waiting request starts then.
    model.tick(1, 1, 0, 10, out);
    expect(out.served).toBe(waiting);
    expect(out.dropped).toBe(0);
  });
});
