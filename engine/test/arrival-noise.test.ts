import { RandomStreams } from "@clustersim/sim-core";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { exponentialServiceTime } from "../src/index.js";
import { FluidLatency } from "../src/services/latency/fluid-latency.js";
import { emptyFigures } from "../src/services/latency/latency-model.js";
import { ServiceTimeShape } from "../src/services/latency/service-time.js";
import { nodes, runServices, service } from "./service-fixtures.js";

describe("drawn arrivals (the fluid model's default)", () => {
  it("counts every drawn request once (served, dropped or still waiting) and serves no more than the servers can while a backlog lasts", () => {
    const shape = new ServiceTimeShape(exponentialServiceTime(0.1));
    const model = new FluidLatency({ shape, targetS: 1, timeoutS: 20 });
    const counts = new RandomStreams(3).get("arrivals");
    const f = emptyFigures();
    const servers = 10; // 100 requests/s
    let arrived = 0;
    let served = 0;
    let dropped = 0;
    for (let t = 0; t < 400; t++) {
      // 150/s for 60 s (some wait past the 20 s timeout), then 50/s: the backlog drains.
      const rate = t < 60 ? 150 : 50;
      model.tick(t, 1, rate, servers, f, 1, undefined, counts.poisson(rate));
      arrived += f.arrivals;
      served += f.served;
      dropped += f.dropped;
      if (t > 0 && t < 60) expect(f.served).toBeLessThanOrEqual(100 + 1e-9);
    }
    expect(dropped).toBeGreaterThan(0);
    // The backlog has drained by the end: every request is served or dropped.
    expect(served + dropped).toBeCloseTo(arrived, 6);
    // Of the first 60 s's ~9,000 requests, 6,000 are served in it, the rest wait; ~20 s's worth past the timeout are dropped.
    expect(arrived).toBeGreaterThan(150 * 60 + 50 * 340 - 4 * Math.sqrt(150 * 60 + 50 * 340));
  });

  it("makes seeds matter: two seeds give different counts and the same waits; fluid-mean gives every seed the same run", () => {
    const run = (latency: "fluid" | "fluid-mean", seed: number) =>
      runServices(
        nodes(2, 8),
        [service({ initialReplicas: 8, latency, rate: new RateCurve([{ type: "constant", ratePerS: 40 }]) })],
        1800,
        undefined,
        [],
        { warmupS: 60 },
        seed,
      ).summary().web;
    const [a, b] = [run("fluid", 1), run("fluid", 2)];
    const [m1, m2] = [run("fluid-mean", 1), run("fluid-mean", 2)];
    expect(m1).toEqual(m2);
    expect(a.requests).not.toBe(b.requests);
    // 40/s for 1,800 s, drawn: within 4 standard deviations of 72,000.
    for (const s of [a, b]) expect(Math.abs(s.requests - 72_000)).toBeLessThan(4 * Math.sqrt(72_000));
    // ρ 0.5 on 8 servers: no backlog, so the waits are the mean rate's on every seed (M/M/8's).
    expect(a.latencyP99S).toBeCloseTo(m1.latencyP99S, 2);
    expect(a.latencyMeanS).toBeCloseTo(m1.latencyMeanS, 3);
  });
});
