import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { beforeAll, describe, expect, it } from "vitest";

const FILE = new URL("../../examples/double11/double11.yaml", import.meta.url).pathname;
const MIDNIGHT = 3600;

type Figures = Record<string, number>;
let summary: Record<string, unknown> & {
  services: Record<string, Figures>;
  serviceWindows: Record<string, Record<string, Figures>>;
};
/** Requests arriving at each service in each second of the run (its 1 s rows). */
const arrivals = new Map<string, Float64Array>();

beforeAll(async () => {
  const r = await runScenario(loadScenarioFile(FILE, ["outputs.timeseriesInterval=1"]), FILE, {
    onServiceValues: (v) => {
      const [t, service, ratePerS] = v as [number, string, number];
      if (!arrivals.has(service)) arrivals.set(service, new Float64Array(7201));
      // The row at t holds the tick [t − 1, t).
      if (t > 0) arrivals.get(service)![t - 1] = ratePerS;
    },
  });
  summary = r.summary as typeof summary;
});

/** Gateway requests in [fromS, toS) after midnight. */
const gatewayOver = (fromS: number, toS: number) => {
  let n = 0;
  const a = arrivals.get("gateway")!;
  for (let t = MIDNIGHT + fromS; t < MIDNIGHT + toS; t++) n += a[t];
  return n;
};

describe("the Double-11 midnight (examples/double11/double11.yaml), from the run's own arrivals", () => {
  it("the first minute brings 10× the minute before (2011)", () => {
    expect(gatewayOver(0, 60) / gatewayOver(-60, 0)).toBeCloseTo(10, 1);
  });

  it("the first 96 s run at about 4× the first hour's mean (2019: ¥10B in 96 s, ¥100B in 64 min): 3.8× here", () => {
    const ratio = gatewayOver(0, 96) / 96 / (gatewayOver(0, 3600) / 3600);
    expect(ratio).toBeGreaterThan(3.6);
    expect(ratio).toBeLessThan(4.0);
  });

  it("the peak minute falls 5 to 10 minutes after midnight, at 272 orders/s (2019's 544,000 scaled 1:2000)", () => {
    let best = -1;
    let bestRate = 0;
    for (let m = 0; m < 60; m++) {
      const rate = gatewayOver(60 * m, 60 * m + 60) / 60;
      if (rate > bestRate) [best, bestRate] = [m, rate];
    }
    expect(best).toBeGreaterThanOrEqual(4);
    expect(best).toBeLessThan(10);
    // One gateway request in ten is an order; the peak second is 15× the 181/s before midnight.
    const peakOrders = 0.1 * Math.max(...arrivals.get("gateway")!);
    expect(peakOrders).toBeGreaterThan(0.97 * 272);
    expect(peakOrders).toBeLessThan(1.01 * 272);
  });

  it("calls carry the traffic down the order path: each callee receives its callers' calls", () => {
    const s = summary.services;
    expect(s.search.requests).toBeCloseTo(0.5 * s.gateway.requestsServed, 0);
    expect(s.cart.requests).toBeCloseTo(0.3 * s.gateway.requestsServed, 0);
    expect(s.order.requests).toBeCloseTo(0.1 * s.gateway.requestsServed, 0);
    expect(s.payment.requests).toBeCloseTo(s.order.requestsServed, 0);
  });

  it("its figures hold together: percentiles in order, attainment a share, replicas within bounds, cost of nodes and containers", () => {
    const bounds: Record<string, [number, number]> = {
      gateway: [2, 60],
      search: [2, 80],
      recommendation: [2, 80],
      cart: [2, 40],
      order: [2, 40],
      inventory: [2, 40],
      payment: [2, 40],
    };
    for (const [name, f] of Object.entries(summary.services)) {
      expect(f.latencyP50S).toBeLessThanOrEqual(f.latencyP90S);
      expect(f.latencyP90S).toBeLessThanOrEqual(f.latencyP99S);
      expect(f.latencyP99S).toBeLessThanOrEqual(f.latencyP999S);
      expect(f.sloAttainment).toBeGreaterThanOrEqual(0);
      expect(f.sloAttainment).toBeLessThanOrEqual(1);
      expect(f.replicasMax).toBeLessThanOrEqual(bounds[name][1]);
      expect(f.replicasAtEnd).toBeGreaterThanOrEqual(bounds[name][0]);
    }
    // 4 nodes at 1.6 an hour and their DPUs at 0.07 for 2 h, plus the containers' bill.
    expect(summary.cost as number).toBeCloseTo(4 * (1.6 + 0.07) * 2, 9);
    expect(summary.costWithServerless as number).toBeCloseTo(
      (summary.cost as number) + (summary.serverlessCost as number),
      9,
    );
  });

  it("its other tiers ran: co-located batch, functions kept warm, a rack outage, the DPUs' power", () => {
    const s = summary as unknown as Record<string, number>;
    expect(s.batchTierCoreHours).toBeGreaterThan(0);
    // Functions kept warm 10 minutes start warm mostly, not always.
    expect(s.coldStartRate).toBeGreaterThan(0);
    expect(s.coldStartRate).toBeLessThan(0.5);
    expect(s.warmIdleMemoryGiBh).toBeGreaterThan(0);
    // Rack 0 lost power at 00:05: what ran there was killed.
    expect(s.taskRunsKilled).toBeGreaterThan(0);
    // The DPUs draw 50 W each at least, on 4 nodes up for most of 2 h.
    expect(s.energyKWh).toBeGreaterThan(0.05 * 4 * 1.5);
  });

  it("the HPA alone reacts after midnight: the objective breaks in the first minutes, and holds after", () => {
    const m = summary.serviceWindows.midnight;
    expect(m.gateway.sloViolationMinutes).toBeGreaterThan(0);
    expect(m.gateway.sloAttainment).toBeLessThan(summary.services.gateway.sloAttainment);
    // Replicas grew past what the two nodes hold: some ran as serverless containers.
    expect(summary.serverlessCost as number).toBeGreaterThan(0);
  });
});
