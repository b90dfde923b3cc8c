import { loadScenarioFile } from "@clustersim/scenarios";
import { RateCurve, type RateSpec } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

// The full-scale day takes minutes (npm run bench:double11 runs it); these check the file itself:
// its traffic against the published figures, from the gateway's rate curve (each second's requests
// are Poisson draws around it: at 362,000 a second before midnight, 0.2% of noise), and its order
// path against the scaled preset's.
const FULL = new URL("../../examples/double11/double11-full.yaml", import.meta.url).pathname;
const SCALED = new URL("../../examples/double11/double11.yaml", import.meta.url).pathname;
const MIDNIGHT = 43_200;

const full = loadScenarioFile(FULL);
const gateway = new RateCurve(full.services.find((s) => s.name === "gateway")!.rate as RateSpec[]);
/** Gateway requests expected in [fromS, toS) after midnight. */
const over = (fromS: number, toS: number) => gateway.expectedCount(MIDNIGHT + fromS, MIDNIGHT + toS);

describe("the Double-11 day at full scale (examples/double11/double11-full.yaml)", () => {
  it("is at full scale: 10,000 nodes, 24 hours around midnight", () => {
    const machines = full.cluster.nodeGroups!.filter((g) => !g.virtual).reduce((n, g) => n + g.count, 0);
    expect(machines).toBe(10_000);
    expect(full.duration).toBe(24 * 3600);
    expect(full.outputs.clock).toBe("12:00");
  });

  it("the first minute brings 10× the minute before (2011)", () => {
    // 9.95 by the trapezoid rule, which reads midnight's own second at the rate before; the scaled
    // preset's ticks, each at its midpoint, give 10.0.
    expect(over(0, 60) / over(-60, 0)).toBeGreaterThan(9.8);
    expect(over(0, 60) / over(-60, 0)).toBeLessThan(10.2);
  });

  it("the first 96 s run at about 4× the first hour's mean (2019): 3.8× as in the scaled preset", () => {
    const ratio = over(0, 96) / 96 / (over(0, 3600) / 3600);
    expect(ratio).toBeGreaterThan(3.6);
    expect(ratio).toBeLessThan(4.0);
  });

  it("the peak falls 5 to 10 minutes after midnight, at 2019's 544,000 orders/s (one gateway request in ten)", () => {
    let peakS = 0;
    for (let t = 0; t < 3600; t++) if (gateway.at(MIDNIGHT + t) > gateway.at(MIDNIGHT + peakS)) peakS = t;
    expect(peakS).toBeGreaterThanOrEqual(300);
    expect(peakS).toBeLessThanOrEqual(600);
    // 362,000 × 15 / 10 = 543,000: the scaled preset's 272 at 1:2000.
    const peakOrders = 0.1 * gateway.at(MIDNIGHT + peakS);
    expect(peakOrders).toBeGreaterThan(0.99 * 544_000);
    expect(peakOrders).toBeLessThan(1.01 * 544_000);
  });

  it("after the first 64 minutes, orders come at 7.8% of their rate: 2019's ¥168B in 1,376 min after ¥100B in 64", () => {
    const first = over(0, 64 * 60) / (64 * 60);
    // The run sees the morning to 12:00 (the rest of the day is past its end): its mean is held to it.
    const after = over(64 * 60, 12 * 3600) / (12 * 3600 - 64 * 60);
    const published = 168 / 1376 / (100 / 64);
    expect(after / first / published).toBeGreaterThan(0.95);
    expect(after / first / published).toBeLessThan(1.05);
  });

  it("runs the scaled preset's order path: the same services, calls, service times, objectives and HPA targets", () => {
    const scaled = loadScenarioFile(SCALED);
    const path = (s: (typeof full.services)[number]) => ({
      name: s.name,
      replica: s.replica,
      concurrency: s.concurrency,
      serviceTime: s.serviceTime,
      cpuPerRequest: s.cpuPerRequest,
      slo: s.slo,
      calls: s.calls,
      autoscaler: s.autoscaler,
    });
    expect(full.services.map(path)).toEqual(scaled.services.map(path));
    expect(full.workloads.map((w) => w.type)).toEqual(scaled.workloads.map((w) => w.type));
    expect(full.colocation).toEqual(scaled.colocation);
    expect(full.scheduler).toEqual(scaled.scheduler);
  });

  it("runs on the scaled preset's machines: cores, DRAM, CXL pool, NIC, DPU and price per node", () => {
    const scaled = loadScenarioFile(SCALED);
    const machine = (spec: typeof full) => {
      const g = spec.cluster.nodeGroups!.find((x) => !x.virtual)!;
      return { cpu: g.cpu, memory: g.memory, cxlPool: g.cxlPool, nicGbps: g.nicGbps, dpu: g.dpu, price: g.price };
    };
    expect(machine(full)).toEqual(machine(scaled));
    // Half of each node's 128 GiB on the pool.
    expect(machine(full).cxlPool).toEqual({ nodesPerPool: 4, capacityPerPool: 256 * 1024 });
  });
});
