import type { PredictiveConfig, ServicesController } from "@clustersim/engine";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { hpa, nodes, runServices, service } from "./service-fixtures.js";

/** 100 requests/s, 600 from 30 to 40 minutes past every hour, for `hours` hours. */
const hourly = (hours: number) =>
  new RateCurve([
    {
      type: "piecewise",
      points: [...Array(hours).keys()].flatMap((h) => [
        [3600 * h, 100],
        [3600 * h + 1800, 100],
        [3600 * h + 1800, 600],
        [3600 * h + 2400, 600],
        [3600 * h + 2400, 100],
      ]) as [number, number][],
    },
  ]);

/** The service scaled on offered requests (10 per replica), its replicas ready 60 s after creation. */
function run(predictive?: PredictiveConfig, hours = 3) {
  const seen = new Map<number, { desired: number; ready: number }>();
  const c = runServices(
    nodes(10, 64),
    [
      service({
        initialReplicas: 10,
        minReplicas: 10,
        maxReplicas: 100,
        readinessS: 60,
        concurrency: 2,
        cpuSecondsPerRequest: 0,
        rate: hourly(hours),
        autoscaler: hpa({ type: "offeredRps", targetPerReplica: 10 }, { predictive }),
      }),
    ],
    hours * 3600,
    (s: ServicesController, now) => seen.set(now, { desired: s.sets[0].replicas, ready: s.sets[0].ready.size }),
  );
  return { seen, summary: c.summary().web };
}

describe("the predictive HPA (seasonal naive over an hour of minutes)", () => {
  it("has the replicas ready when the recurring step comes; the reactive one scales after it", () => {
    const reactive = run();
    const predictive = run({ forecaster: "seasonal-naive", seasonS: 3600, intervalS: 60, margin: 0.1 });
    // Hour 2's step at 5,400 s: 600 requests/s need 60 replicas. The forecast has seen hour 1's.
    expect(predictive.seen.get(5400)!.ready).toBeGreaterThanOrEqual(60);
    expect(reactive.seen.get(5400)!.ready).toBe(10);
    // In hour 1 it has no season to go by yet: both react.
    expect(predictive.seen.get(1800)!.ready).toBe(10);
    // Through the steps, fewer requests miss the objective.
    expect(predictive.summary.sloAttainment).toBeGreaterThan(reactive.summary.sloAttainment);
    // It forecast hours 2 and 3 from the hour before: exactly, but for hour 1's own minutes.
    expect(predictive.summary.forecastError).toBeLessThan(0.05);
  });
});

describe("the predictive HPA on ARIMA and on the MLP (an hour's season of minutes)", () => {
  const hours = 6;
  const reactive = run(undefined, hours);
  for (const predictive of [
    // ARIMA(1,0,0)(0,1,0): fits once the window has a season and 50 rows of its seasonal difference.
    { forecaster: "arima", order: { p: 1, d: 0, q: 0, P: 0, D: 1, Q: 0 } },
    // The MLP's lags (10) miss the step; its season inputs see it. It trains from 64 rows past a season.
    { forecaster: "mlp", lags: 10 },
  ] as const) {
    it(`${predictive.forecaster}: the replicas are ready at hour 5's step; fewer requests miss`, () => {
      const r = run({ ...predictive, seasonS: 3600, intervalS: 60, margin: 0.1 }, hours);
      // 600 requests/s at 10 per replica: 60 ready when the step comes at 4:30, the reactive 10.
      expect(r.seen.get(4 * 3600 + 1800)!.ready).toBeGreaterThanOrEqual(60);
      expect(reactive.seen.get(4 * 3600 + 1800)!.ready).toBe(10);
      expect(r.summary.sloAttainment).toBeGreaterThan(reactive.summary.sloAttainment);
      expect(r.summary.forecastError).toBeLessThan(0.1);
    });
  }
});

describe("the predictive HPA with a history (the seasons before t = 0)", () => {
  /** The hour the run starts with, per minute: 100 requests/s, 600 from minute 30 to 39. */
  const lastHour = [...Array(60).keys()].map((m) => (m >= 30 && m < 40 ? 600 : 100));

  it("meets the first hour's step, which without it only the reactive HPA meets", () => {
    const cold = run({ forecaster: "seasonal-naive", seasonS: 3600, intervalS: 60, margin: 0.1 }, 1);
    const warm = run({ forecaster: "seasonal-naive", seasonS: 3600, intervalS: 60, margin: 0.1, history: lastHour }, 1);
    // 600 requests/s at 10 per replica: 60 ready when the step comes at 30 minutes.
    expect(warm.seen.get(1800)!.ready).toBeGreaterThanOrEqual(60);
    expect(cold.seen.get(1800)!.ready).toBe(10);
    expect(warm.summary.sloAttainment).toBeGreaterThan(cold.summary.sloAttainment);
    // Every minute of the run was forecast from the history's same minute: the rate itself.
    expect(warm.summary.forecastError).toBeLessThan(1e-9);
  });

  it("scaled down (a smaller last year), asks for that much less ahead of the step", () => {
    const half = lastHour.map((x) => x / 2);
    const r = run({ forecaster: "seasonal-naive", seasonS: 3600, intervalS: 60, margin: 0.1, history: half }, 1);
    // 300 requests/s forecast, 10% on top: 33 replicas from the forecast before the step. At the step
    // the reactive HPA sees 600 and doubles from there, so only the moment before it tells.
    expect(r.seen.get(1785)!.desired).toBe(33);
    // Each minute's forecast half the rate that came: an error of a half.
    expect(r.summary.forecastError).toBeCloseTo(0.5, 9);
  });
});
