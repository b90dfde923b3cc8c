import {
  type AutoscalerMetric,
  constantServiceTime,
  erlangC,
  exponentialServiceTime,
  ServicesController,
} from "@clustersim/engine";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { hpa, nodes, runServices, service } from "./service-fixtures.js";

describe("services in a run", () => {
  it("four fixed replicas: ready after their start-up, then M/M/4 latency; replica hours from placement", () => {
    const c = runServices(
      nodes(2, 4),
      [service({ initialReplicas: 4, rate: new RateCurve([{ type: "constant", ratePerS: 20 }]) })],
      100,
    );
    const set = c.sets[0];
    expect(set.ready.size).toBe(4);
    const last = c.tallies[0].last;
    // λ = 20/s, μ = 10/s, c = 4: W = C/(cμ − λ) + 1/μ (the fluid model's steady state, on its grid of waits).
    const theory = erlangC(4, 2) / (40 - 20) + 0.1;
    expect(Math.abs(last.meanS / theory - 1)).toBeLessThan(1e-4);
    const s = c.summary().web;
    // Counted at each 1-second tick's start: placed at the end of instant 0, after the first tick began.
    expect(s.replicaHours).toBeCloseTo((4 * 99) / 3600, 9);
    // Ready from 5 s (the start-up; no sandbox start without hardware effects).
    expect(s.readyReplicaHours).toBeCloseTo((4 * 95) / 3600, 9);
    // CPU used: the requests served × 0.05 core-seconds; 20/s all served once the 100-request backlog drained.
    expect(s.requestsServed).toBeCloseTo(2000, 6);
    expect(s.cpuUsedCoreHours).toBeCloseTo((2000 * 0.05) / 3600, 9);
    // No replica for 5 s, then the backlog drains at 20/s for 5 s: the 100 requests that came before
    // any replica, and most of those queued behind them until about 10 s, wait beyond the 1 s target;
    // fewer than 300 of the 2000 do. That breaks the first minute (p99 objective), not the second.
    expect(s.sloViolationMinutes).toBe(1);
    expect(s.sloAttainment).toBeLessThan(1 - 100 / 2000);
    expect(s.sloAttainment).toBeGreaterThan(1 - 300 / 2000);
  });

  it("HPA on CPU: 5 cores of demand at a 50% target of 500m requests settles at 20 replicas, within the scale-up policy", () => {
    const counts: number[] = [];
    const c = runServices(
      nodes(10, 8),
      [
        service({
          initialReplicas: 2,
          replica: { cpuMilli: 500, memoryMiB: 128, gpus: 0, gpuMilli: 0, nicGbps: 0, runtime: "", priority: 0 },
          concurrency: 1000,
          serviceTime: constantServiceTime(0.01),
          rate: new RateCurve([{ type: "constant", ratePerS: 100 }]),
          autoscaler: hpa({ type: "cpu", targetUtilizationPercent: 50 }),
        }),
      ],
      600,
      (s) => counts.push(s.sets[0].replicas),
    );
    expect(c.sets[0].replicas).toBe(20);
    // Each sync may add at most max(4 pods, 100%) of the count 15 s before.
    for (let k = 1; k < counts.length; k++)
      expect(counts[k]).toBeLessThanOrEqual(Math.max(counts[k - 1] + 4, 2 * counts[k - 1]));
    // Pods ready for less than a metric window are unready within the CPU initialisation period: at
    // 15 s both replicas (ready at 5 s) are, so the first scale-up waits for the sync at 30 s. Their CPU
    // is their 500m (CPU as the server: the demand of 5 cores is throttled there), so the HPA sees 100%
    // of the request against the 50% target and doubles the count: 4, not the 6 its policy would allow.
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(4);
  });

  it("a call graph: each order served makes 3 cart calls and 1 payment call in the same tick", () => {
    const c = runServices(
      nodes(4, 8),
      [
        service({
          name: "order",
          // Each order holds its replica about 0.5 s (0.1 s of its own, 3 cart calls and a payment
          // call of about 0.1 s each): 10 replicas for 10 orders a second.
          initialReplicas: 10,
          rate: new RateCurve([{ type: "constant", ratePerS: 10 }]),
          calls: [
            { service: "cart", perRequest: 3 },
            { service: "payment", perRequest: 1 },
          ],
        }),
        service({ name: "cart", initialReplicas: 8 }),
        service({ name: "payment", initialReplicas: 4 }),
      ],
      200,
    );
    const [order, cart, payment] = c.tallies;
    expect(order.lastRatePerS).toBeCloseTo(10, 9);
    expect(cart.lastRatePerS).toBeCloseTo(30, 9);
    expect(payment.lastRatePerS).toBeCloseTo(10, 9);
    // Every request is eventually served once replicas are ready: the callee saw 3× the caller's.
    expect(cart.arrivals).toBeCloseTo(3 * order.served, 6);
  });

  it("a wide fan-out: 200 calls one after another add their times; 200 at once take the slowest", () => {
    // A callee of constant 1 ms with slots to spare: 200 sequential calls take 0.2 s; at once, 1 ms. On
    // exponential 1 ms calls at once, the slowest of 200 has mean H(200) ms ≈ 5.878 ms (the harmonic
    // number). The fluid model composes them by doubling (about 2·log2 200 steps, not 199).
    const caller = (parallel: boolean, callee: "fixed" | "exp") =>
      runServices(
        nodes(4, 64),
        [
          service({
            name: "front",
            initialReplicas: 40,
            concurrency: 64,
            serviceTime: constantServiceTime(0.001),
            cpuSecondsPerRequest: 0.0001,
            rate: new RateCurve([{ type: "constant", ratePerS: 10 }]),
            calls: [{ service: callee, perRequest: 200, parallel }],
          }),
          service({
            name: callee,
            initialReplicas: 40,
            concurrency: 64,
            serviceTime: callee === "fixed" ? constantServiceTime(0.001) : exponentialServiceTime(0.001),
            cpuSecondsPerRequest: 0.0001,
          }),
        ],
        60,
      ).tallies[0].last.meanS;
    expect(caller(false, "fixed")).toBeCloseTo(0.001 + 200 * 0.001, 4);
    expect(caller(true, "fixed")).toBeCloseTo(0.001 + 0.001, 4);
    let harmonic = 0;
    for (let k = 1; k <= 200; k++) harmonic += 1 / k;
    expect(caller(true, "exp") / (0.001 + harmonic * 0.001)).toBeCloseTo(1, 1);
  });

  it("a call graph with a cycle is refused, naming it", () => {
    expect(
      () =>
        new ServicesController([
          service({ name: "a", calls: [{ service: "b", perRequest: 1 }] }),
          service({ name: "b", calls: [{ service: "a", perRequest: 1 }] }),
        ]),
    ).toThrow(/cycle: a → b → a/);
  });

  it("KEDA on a queue: zero replicas until traffic, up while the queue holds, back to zero after the cool-down", () => {
    const seen = new Map<number, number>();
    runServices(
      nodes(4, 8),
      [
        service({
          initialReplicas: 0,
          minReplicas: 0,
          maxReplicas: 20,
          rate: new RateCurve([
            {
              type: "piecewise",
              points: [
                [0, 0],
                [99.999, 0],
                [100, 50],
                [400, 50],
                [400.001, 0],
              ],
            },
          ]),
          autoscaler: hpa({ type: "queue", targetPerReplica: 5, activationThreshold: 0, cooldownS: 300 }),
        }),
      ],
      900,
      (s, t) => seen.set(t, s.sets[0].replicas),
    );
    expect(seen.get(90)).toBe(0);
    expect(seen.get(105)).toBe(1);
    expect(seen.get(300)).toBeGreaterThan(1);
    // The last activity is about 400 s (the queue empties then): zero again once 300 s have passed.
    expect(seen.get(690)).toBeGreaterThan(0);
    expect(seen.get(720)).toBe(0);
  });
});

describe("the HPA on requests per second, where replicas' capacity never binds", () => {
  const rps = (ratePerS: RateCurve) =>
    service({
      initialReplicas: 10,
      minReplicas: 1,
      maxReplicas: 100,
      readinessS: 5,
      // A replica serves 100 requests at once for 10 ms: its capacity never binds here.
      concurrency: 100,
      serviceTime: exponentialServiceTime(0.01),
      cpuSecondsPerRequest: 0,
      rate: ratePerS,
      autoscaler: hpa({ type: "servedRps", targetPerReplica: 10 }),
    });
  // 100 requests/s from 5 s, when the replicas become ready.
  const fromReady = (points: [number, number][] = [[1e6, 100]]) =>
    new RateCurve([{ type: "piecewise", points: [[0, 0], [4.999, 0], [5, 100], ...points] }]);

  it("10 replicas at exactly their target (100 requests/s, 10 per replica) stay at 10", () => {
    const counts: number[] = [];
    runServices(nodes(10, 16), [rps(fromReady())], 300, (s) => counts.push(s.sets[0].replicas));
    expect(counts.every((n) => n === 10)).toBe(true);
  });

  it("traffic while the replicas start: each reports the backlog it drained since it became ready", () => {
    const counts: number[] = [];
    const from0 = new RateCurve([{ type: "constant", ratePerS: 100 }]);
    runServices(nodes(10, 16), [rps(from0)], 15, (s) => counts.push(s.sets[0].replicas));
    // The 500 requests of 0–5 s plus 100/s for 5–15 s, served by 10 pods over their 10 ready seconds:
    // 15 per pod against 10, so ceil(1.5 × 10) = 15 at the first sync. (Averaging over the whole window,
    // not-ready seconds as zeros, gave exactly 10 by coincidence.)
    expect(counts).toEqual([15]);
  });

  it("a 10× step: 20, 40, 80, 100 on consecutive syncs (the scale-up policy's doubling, to the 100 needed)", () => {
    const counts: number[] = [];
    runServices(
      nodes(10, 64),
      [
        rps(
          fromReady([
            [300, 100],
            [300.001, 1000],
            [1e6, 1000],
          ]),
        ),
      ],
      420,
      (s, now) => {
        if (now > 300) counts.push(s.sets[0].replicas);
      },
    );
    // Syncs at 315, 330, 345, 360 s. At 330 the 10 old pods report (5 × 100 + 10 × 50) / 15 per second
    // and the 10 ready since 320 s their own 50: 58 on average, far above the target; every sync the
    // policy allows at most double the count of 15 s before, up to the 100 that 1,000/s needs.
    expect(counts.slice(0, 5)).toEqual([20, 40, 80, 100, 100]);
  });
});

describe("the HPA where replicas' capacity binds: served against offered requests", () => {
  // A replica serves one request at a time for 50 ms: 20 per second at most; the target is 16 (80%).
  const bound = (metric: AutoscalerMetric) =>
    service({
      initialReplicas: 10,
      minReplicas: 1,
      maxReplicas: 100,
      readinessS: 5,
      concurrency: 1,
      serviceTime: constantServiceTime(0.05),
      cpuSecondsPerRequest: 0,
      // 160 requests/s from 5 s (10 replicas at target), 1,600 from 300 s.
      rate: new RateCurve([
        {
          type: "piecewise",
          points: [
            [0, 0],
            [4.999, 0],
            [5, 160],
            [300, 160],
            [300.001, 1600],
            [1e6, 1600],
          ],
        },
      ]),
      autoscaler: hpa(metric),
    });
  const after300 = (metric: AutoscalerMetric) => {
    const counts: number[] = [];
    runServices(nodes(10, 64), [bound(metric)], 375, (s, now) => {
      if (now > 300) counts.push(s.sets[0].replicas);
    });
    return counts;
  };

  it("requests served per pod see at most the capacity: 1.25× per sync (13, 17, 22, 28)", () => {
    // Every pod, old or new, serves 20/s while the backlog lasts: 20/16 = 1.25, so ceil(1.25 × n).
    expect(after300({ type: "servedRps", targetPerReplica: 16 }).slice(0, 4)).toEqual([13, 17, 22, 28]);
  });

  it("requests arriving (the ingress's object metric) see the step: 20, 40, 80, 100", () => {
    // 1,600/16 = 100 needed from the first sync; the policy doubles the count per 15 s.
    expect(after300({ type: "offeredRps", targetPerReplica: 16 }).slice(0, 4)).toEqual([20, 40, 80, 100]);
  });
});

describe("KEDA's cron trigger", () => {
  it("holds at least its replicas while its window is on, the metric's proposal when larger, and lets go after", () => {
    const counts: number[] = [];
    const config = service({
      initialReplicas: 1,
      minReplicas: 1,
      maxReplicas: 100,
      rate: new RateCurve([{ type: "constant", ratePerS: 5 }]),
      // 20 replicas from 600 s to 900 s of every 3,600 s.
      autoscaler: hpa(
        { type: "servedRps", targetPerReplica: 10 },
        { schedules: [{ fromS: 600, toS: 900, everyS: 3600, replicas: 20 }] },
      ),
    });
    runServices(nodes(10, 16), [config], 4230, (s, now) => counts.push(now, s.sets[0].replicas));
    const at = (t: number) => counts[counts.indexOf(t) + 1];
    // 5 requests/s need one replica before the window.
    expect(at(585)).toBe(1);
    // From the sync at 600 s: 1 → 5 → 10 → 20 (the scale-up policy: max(4 pods, 100%) per 15 s).
    expect([at(600), at(615), at(630), at(645)]).toEqual([5, 10, 20, 20]);
    expect(at(885)).toBe(20);
    // After the window, the metric's 1 once the 300 s scale-down stabilisation has passed: the last
    // sync with the window on was at 885 s, whose recommendation of 20 holds until (not at) 1,185 s.
    expect(at(1170)).toBe(20);
    expect(at(1185)).toBe(1);
    expect(at(1800)).toBe(1);
    // And again an hour later.
    expect([at(4185), at(4200), at(4215)]).toEqual([1, 5, 10]);
  });
});
