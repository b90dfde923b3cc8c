import {
  type Controller,
  constantServiceTime,
  DiscreteTime,
  exponentialServiceTime,
  type ServiceConfig,
} from "@clustersim/engine";
import { RandomStreams } from "@clustersim/sim-core";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { CallEdgeTally } from "../src/services/call-edge-tally.js";
import { nodes, runServices, service } from "./service-fixtures.js";

const exp = (mean: number) => DiscreteTime.fromQuantile((u) => -mean * Math.log1p(-u));

describe("time distributions in strata (what call graphs compose)", () => {
  it("a sum of two exponentials is Erlang-2: mean 2, p99 6.638 (1 − (1 + x)e^−x = 0.99)", () => {
    const sum = exp(1).with(exp(1));
    expect(sum.mean()).toBeCloseTo(exp(1).mean() * 2, 9);
    expect(sum.mean()).toBeCloseTo(2, 1);
    expect(sum.quantile(0.99)).toBeCloseTo(6.638, 1);
    expect(sum.quantile(0.5)).toBeCloseTo(1.678, 1);
  });

  it("the longer of two exponentials: (1 − e^−x)² = q, so p99 = −ln(1 − √0.99) = 5.296, mean 1.5", () => {
    const max = exp(1).with(exp(1), true);
    expect(max.quantile(0.99)).toBeCloseTo(5.296, 1);
    expect(max.mean()).toBeCloseTo(1.5, 1);
  });

  it("a call made by half the requests: mean half the call's; the CDF inverts the quantile", () => {
    const half = DiscreteTime.zero().withProbability(exp(1), 0.5);
    expect(half.mean()).toBeCloseTo(exp(1).mean() / 2, 9);
    expect(half.quantile(0.25)).toBe(0);
    for (const q of [0.3, 0.6, 0.9, 0.99, 0.999]) expect(exp(1).cdf(exp(1).quantile(q))).toBeCloseTo(q, 6);
  });
});

/** Each stratum's weighted mean of the times filling its share, by sorting: what fromWeighted bins. */
function exactStrata(values: number[], weights: number[]): number[] {
  const shares: number[] = [];
  DiscreteTime.zero().forEachPoint((_, share) => shares.push(share));
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const total = weights.reduce((s, w) => s + w, 0);
  const points: number[] = [];
  let i = 0;
  let left = weights[order[0]] / total;
  for (const share of shares) {
    let need = share;
    let sum = 0;
    while (need > 1e-15 && i < order.length) {
      const take = Math.min(need, left);
      sum += take * values[order[i]];
      need -= take;
      left -= take;
      if (left <= 1e-15 && ++i < order.length) left = weights[order[i]] / total;
    }
    points.push((sum + need * values[order[order.length - 1]]) / share);
  }
  return points;
}

describe("folding weighted times into strata", () => {
  it("reads only the first n times, from a view at an offset, as callers' scratch arrays give them", () => {
    const values = Float64Array.from({ length: 600 }, (_, i) => 0.001 * (1 + (i % 300)));
    const weights = new Float64Array(600).fill(1);
    // Stale times after n and before the view's start: 1,000 s each, which would move the top strata.
    values.fill(1000, 400);
    values.fill(1000, 0, 100);
    const whole = DiscreteTime.fromWeighted(values.slice(100, 400), weights.slice(100, 400), 300);
    const view = DiscreteTime.fromWeighted(values.subarray(100), weights.subarray(100), 300);
    expect([...view.points]).toEqual([...whole.points]);
    expect(view.points[DiscreteTime.STRATA - 1]).toBeLessThan(0.31);
  });

  const rng = new RandomStreams(5).get("strata");
  for (const [name, lo, hi] of [
    ["a range of 10⁶ (2⁷ bins an octave)", 1e-4, 1e2],
    ["a range of 10¹⁸ (2⁶ bins an octave)", 1e-9, 1e9],
    ["one octave (2¹² bins)", 1, 2],
  ] as const) {
    it(`${name}: every stratum's point within a bin's width of the exact one`, () => {
      const values: number[] = [];
      const weights: number[] = [];
      for (let i = 0; i < 3000; i++) {
        values.push(i < 300 ? 0 : lo * (hi / lo) ** rng.next());
        weights.push(rng.next());
      }
      const folded = DiscreteTime.fromWeighted(Float64Array.from(values), Float64Array.from(weights), values.length);
      const exact = exactStrata(values, weights);
      // A bin's relative width: as many bins an octave, 2^b, as keep the octaves spanned within 4,096.
      const octaves = Math.floor(Math.log2(hi)) - Math.floor(Math.log2(lo)) + 1;
      const width = 2 ** -Math.floor(Math.log2(4096 / octaves));
      exact.forEach((x, k) => {
        expect(Math.abs(folded.points[k] - x)).toBeLessThanOrEqual(width * x + 1e-15);
      });
    });
  }
});

/** A frontend of `replicas` (10 ms of its own per request) calling backends of one server each (100 ms, exponential). */
function chain(o: {
  latency?: ServiceConfig["latency"];
  frontendReplicas?: number;
  frontendConcurrency?: number;
  ratePerS?: number;
  backends?: number;
  parallel?: boolean;
  backendMeanS?: number;
  timeoutS?: number;
}) {
  const latency = o.latency ?? "fluid";
  const names = Array.from({ length: o.backends ?? 1 }, (_, k) => `backend${k}`);
  return [
    service({
      name: "frontend",
      latency,
      initialReplicas: o.frontendReplicas ?? 50,
      concurrency: o.frontendConcurrency ?? 1,
      serviceTime: constantServiceTime(0.01),
      cpuSecondsPerRequest: 0,
      rate: new RateCurve([{ type: "constant", ratePerS: o.ratePerS ?? 5 }]),
      calls: names.map((n) => ({ service: n, perRequest: 1, parallel: o.parallel })),
      timeoutS: o.timeoutS ?? 30,
    }),
    ...names.map((name) =>
      service({
        name,
        latency,
        initialReplicas: 1,
        serviceTime: exponentialServiceTime(o.backendMeanS ?? 0.1),
        cpuSecondsPerRequest: 0,
        timeoutS: o.timeoutS ?? 30,
      }),
    ),
  ];
}

/** The figures after a 60 s warm-up (the replicas start 5 s late: a backlog the theory does not have). */
const run = (services: ServiceConfig[], untilS = 3600) =>
  runServices(nodes(8, 16), services, untilS, undefined, [], { warmupS: 60 }).summary();

describe("a call graph in a run", () => {
  // The backend is M/M/1 at ρ 0.5 (5 requests/s of 100 ms): its response is exponential at rate
  // μ − λ = 5/s, mean 0.2 s, p99 ln(100)/5 = 0.921 s. The frontend's 50 replicas hold each request
  // about 0.21 s, so none waits there: its end-to-end time is 10 ms plus the backend's response.
  const endToEndMean = 0.01 + 0.2;
  const endToEndP99 = 0.01 + Math.log(100) / 5;

  it("fluid: the caller reports end-to-end times, its own plus its call's (M/M/1 theory)", () => {
    const s = run(chain({}));
    expect(s.frontend.latencyMeanS).toBeCloseTo(endToEndMean, 2);
    expect(Math.abs(s.frontend.latencyP99S / endToEndP99 - 1)).toBeLessThan(0.03);
    // The backend's own figures are its M/M/1 response.
    expect(Math.abs(s.backend0.latencyP99S / (Math.log(100) / 5) - 1)).toBeLessThan(0.03);
    // 0.2 of the 0.21 s is the backend's.
    expect(s.frontend.criticalPathShare_backend0).toBeCloseTo(0.2 / 0.21, 2);
    expect(s.frontend.requestsFailed).toBe(0);
  });

  // Per request the two are simulated together, exactly: the backend is an M/M/1 fed by the frontend's
  // Poisson arrivals (delayed 10 ms each: still Poisson). Over 12 seeds at 36,000 requests the p99
  // came within a spread of 3.8% (one seed 7% low), so 144,000 requests: a spread near 1.9%.
  it("per request: the same within the reference's noise (144,000 requests)", () => {
    const s = run(chain({ latency: "per-request" }), 28_800);
    expect(Math.abs(s.frontend.latencyMeanS / endToEndMean - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.frontend.latencyP99S / endToEndP99 - 1)).toBeLessThan(0.08);
  });

  it("calls made at once: the request waits for the slower, (1 − e^−5x)² = 0.99 at x = 1.059 s", () => {
    const s = run(chain({ backends: 2, parallel: true }));
    expect(Math.abs(s.frontend.latencyP99S / (0.01 + 5.296 / 5) - 1)).toBeLessThan(0.03);
    // The longer of two exponentials at rate 5 has mean 1.5/5 = 0.3 s.
    expect(s.frontend.latencyMeanS).toBeCloseTo(0.01 + 0.3, 2);
    // Each is the slower half the time.
    expect(s.frontend.criticalPathShare_backend0).toBeCloseTo(0.15 / 0.31, 2);
    expect(s.frontend.criticalPathShare_backend1).toBeCloseTo(0.15 / 0.31, 2);
    // One after another instead: the two responses add, mean 0.4 s.
    const seq = run(chain({ backends: 2, parallel: false }));
    expect(seq.frontend.latencyMeanS).toBeCloseTo(0.01 + 0.4, 2);
  });

  it("a slow backend backs up its caller: each request holds a frontend replica while it waits", () => {
    // 2 frontend replicas hold a request 10 ms + 0.2 s: they can take 9.5/s, above the 5/s offered.
    const fine = run(chain({ frontendReplicas: 2 }));
    expect(fine.frontend.latencyMeanS).toBeLessThan(0.3);
    // With a backend of 150 ms, the frontend passes on what its 2 replicas can take, λ = 2/(0.01 + R),
    // R = 0.15/(1 − 0.15λ) the backend's M/M/1 response at that rate: a fixed point, found by bisection.
    let lo = 0;
    let hi = 1 / 0.15;
    for (let k = 0; k < 100; k++) {
      const mid = (lo + hi) / 2;
      if (mid < 2 / (0.01 + 0.15 / (1 - 0.15 * mid))) lo = mid;
      else hi = mid;
    }
    expect(lo).toBeCloseTo(4.41, 2);
    const slow = run(chain({ frontendReplicas: 2, backendMeanS: 0.15, timeoutS: 60 }));
    // The backend sees only that, not the 5/s offered; the rest waits at the frontend, and leaves.
    expect(Math.abs(slow.backend0.requests / 3600 / lo - 1)).toBeLessThan(0.02);
    expect(slow.frontend.requestsDropped).toBeGreaterThan(0);
    expect(slow.frontend.latencyMeanS).toBeGreaterThan(10 * slow.backend0.latencyMeanS);
  });

  // A frontend of 50 slots offered 15/s, calling a backend that serves 10/s: the 50 requests in hand
  // form a closed network (each 10 ms at the frontend, then a call to the backend), and the rest wait
  // at the frontend. With 50 in it the network saturates its bottleneck: X = 1/0.1 = 10 a second, and
  // by Little's law each request spends 50/X = 5 s in it, 4.99 s of them at the backend.
  it("a backend that is the bottleneck of a caller with many slots: the calls settle at what it serves (closed network)", () => {
    const x = 10;
    const r = 50 / x - 0.01;
    const rates: number[] = [];
    const sampler: Controller = {
      name: "sampler",
      start: (ctx) => ctx.every(1, () => ctx.nowS >= 60 && rates.push(ctx.services[1].offeredPerS), 0),
    };
    const services = chain({ ratePerS: 15, frontendReplicas: 50, timeoutS: 60 });
    const s = runServices(nodes(8, 16), services, 1800, undefined, [sampler], { warmupS: 60 }).summary();
    // The backend takes what it serves, tick after tick: no flood and famine in turn.
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    const spread = Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length);
    expect(Math.abs(mean / x - 1)).toBeLessThan(0.02);
    expect(spread / mean).toBeLessThan(0.05);
    expect(s.backend0.requestsDropped).toBe(0);
    // Its queue holds the network's other requests: its response is within 10% of 4.99 s.
    expect(Math.abs(s.backend0.latencyMeanS / r - 1)).toBeLessThan(0.1);
    // The excess, 5/s, waits out the frontend's timeout and leaves.
    expect(s.frontend.requestsDropped / (1800 - 60)).toBeCloseTo(15 - x, 0);
    expect(s.frontend.callSwingS_backend0).toBe(0);
  });

  // An order service backlogged (2,000/s offered to 80 slots of 20 ms each) calling inventory (8
  // servers of 10 ms: 800/s) and then payment (31 of 40 ms: 775/s), one call each. Its calls' time is
  // its callees' responses to the calls it sends; taken from the last tick's, an idle payment let the
  // orders flood it, the flood's wait starved it, and so on: 65, 1,144, 734, 75 a second, tick after
  // tick, 504 a second on average. The reference is the same run per request (each call a request in
  // its callee's queue): 763.5 a second, steady; payment's capacity bounds it above.
  it("a backlogged caller and a callee near capacity: the calls settle, near the per-request run's rate", () => {
    // Exponential service times, no CPU (so no node slows them).
    const timeOnly = (meanS: number) => ({ serviceTime: exponentialServiceTime(meanS), cpuSecondsPerRequest: 0 });
    const orders = (latency: ServiceConfig["latency"]) => {
      const call = (name: string, replicas: number, concurrency: number, meanS: number) =>
        service({ name, latency, initialReplicas: replicas, concurrency, ...timeOnly(meanS) });
      return [
        service({
          name: "order",
          latency,
          initialReplicas: 10,
          concurrency: 8,
          ...timeOnly(0.02),
          rate: new RateCurve([{ type: "constant", ratePerS: 2000 }]),
          calls: [
            { service: "inventory", perRequest: 1 },
            { service: "payment", perRequest: 1 },
          ],
        }),
        call("inventory", 2, 4, 0.01),
        call("payment", 31, 1, 0.04),
      ];
    };
    const sent = (latency: ServiceConfig["latency"]) => {
      const rates: number[] = [];
      const sampler: Controller = {
        name: "sampler",
        start: (ctx) => ctx.every(1, () => ctx.nowS >= 60 && rates.push(ctx.services[2].offeredPerS), 0),
      };
      const s = runServices(nodes(40, 16), orders(latency), 600, undefined, [sampler], { warmupS: 60 }).summary();
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      const spread = Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length);
      return { mean, spread, swingS: s.order.callSwingS_payment };
    };
    const reference = sent("per-request");
    expect(reference.mean).toBeLessThan(31 / 0.04);
    expect(reference.spread / reference.mean).toBeLessThan(0.05);
    const fluid = sent("fluid-mean");
    expect(fluid.spread / fluid.mean).toBeLessThan(0.01);
    expect(Math.abs(fluid.mean / reference.mean - 1)).toBeLessThan(0.05);
    expect(fluid.swingS).toBe(0);
  });

  it("a callee's drops fail its callers' requests: a backend at ρ 1.5 drops a third, a third of orders fail", () => {
    // 15 requests/s at a backend that serves 10/s: after its timeout, it drops 5/s. The frontend
    // has room to hold every request for the backend's 5 s (20 replicas of 10 slots).
    const s = run(chain({ ratePerS: 15, timeoutS: 5, frontendReplicas: 20, frontendConcurrency: 10 }));
    const b = s.backend0;
    const dropShare = b.requestsDropped / (b.requestsServed + b.requestsDropped);
    expect(dropShare).toBeCloseTo(1 / 3, 1);
    const f = s.frontend;
    expect(f.requestsFailed / f.requestsServed).toBeCloseTo(dropShare, 1);
    // A failed request is not within the objective.
    expect(f.sloAttainment).toBeLessThan(1 - f.requestsFailed / (f.requestsServed + f.requestsDropped) + 1e-9);
  });
});

describe("the swing guard (a backlogged caller's calls moving back and forth)", () => {
  const tally = () => new CallEdgeTally([service({ name: "order", calls: [{ service: "payment", perRequest: 1 }] })]);
  const swingOf = (t: CallEdgeTally) => t.callFigures(0).callSwingS_payment;

  it("counts a tick whose calls moved by more than half against the last such move, while backlogged", () => {
    const t = tally();
    // 65 and 1,144: up twice (no move against); 734, down 36%: under half, not a move; 75, down 90%
    // against the last move, up: 1 s; 65, not a move; 1,144, up against the last, down: 1 s.
    for (const sent of [65, 1144, 734, 75, 65, 1144]) t.addSent(0, 0, sent, true, 1);
    expect(swingOf(t)).toBe(2);
    expect(t.totals()?.swingS).toBe(2);
  });

  it("counts nothing while the caller keeps up, nor a steady climb", () => {
    const idle = tally();
    for (const sent of [65, 1144, 75, 1144, 75]) idle.addSent(0, 0, sent, false, 1);
    expect(swingOf(idle)).toBe(0);
    const climb = tally();
    for (const sent of [10, 30, 90, 270]) climb.addSent(0, 0, sent, true, 1);
    expect(swingOf(climb)).toBe(0);
  });
});
