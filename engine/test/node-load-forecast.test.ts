import { NodeLoadForecast, type ServiceUsage, studentTQuantile } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import type { NodeLoadOptions } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

/** One service's replicas (node, ready, request) and its usage now: what the forecast reads of services. */
class OneService implements ServiceUsage {
  readonly serviceCount = 1;
  replicaChanges = 0;
  usage = 0;
  constructor(readonly replicas: { node: number; ready: boolean; cpuMilli: number }[]) {}
  usageMilli(): number {
    return this.usage;
  }
  readyReplicas(): number {
    return this.replicas.filter((r) => r.ready).length;
  }
  addReplicaDelta(_i: number, usageMilli: number, out: Float64Array, starting: boolean): void {
    const sharing = this.replicas.filter((r) => starting || r.ready).length;
    for (const r of this.replicas) out[r.node] += (starting || r.ready ? usageMilli / sharing : 0) - r.cpuMilli;
  }
}

/** Two 32-core nodes, `allocated` requested on each, a service over them, and a forecast started at 0 s. */
function setUp(o: Partial<NodeLoadOptions>, allocated: number[], service?: OneService) {
  const cluster = new ClusterState([0, 1].map(() => ({ cpuMilli: 32_000, memoryMiB: 1024 })));
  const ids = allocated.map((a, node) => (a > 0 ? cluster.place(node, { cpuMilli: a, memoryMiB: 0 }) : -1));
  const forecast = new NodeLoadForecast(cluster, {
    predictor: "average",
    windowSamples: 30,
    risk: 0.05,
    sampleS: 60,
    ...o,
  });
  const clock = { nowS: 0 };
  forecast.start({ services: service }, () => clock.nowS);
  const delta = new Float64Array(2);
  /** Samples at each minute, the service using each of `usages` in turn. */
  const observe = (...usages: number[]) => {
    for (const u of usages) {
      if (service) service.usage = u;
      delta.fill(0);
      service?.addReplicaDelta(0, u, delta, false);
      forecast.observe(clock.nowS, delta);
      clock.nowS += 60;
    }
    clock.nowS -= 60;
  };
  return { cluster, ids, forecast, clock, observe };
}

describe("the node usage forecast of load-aware placement", () => {
  it("without services, is what the node's pods request: exactly, whatever the horizon", () => {
    const { cluster, forecast, observe } = setUp({ predictor: "trend" }, [8000, 0]);
    observe(0, 0, 0);
    expect(forecast.cpuMilli(0, 60)).toBe(8000);
    cluster.place(0, { cpuMilli: 1000, memoryMiB: 0 });
    expect(forecast.cpuMilli(0, 3600)).toBe(9000);
    expect(forecast.cpuMilli(1, 3600)).toBe(0);
  });

  it("average: the service's mean usage over the last 5 samples, shared by its ready replicas where they are now", () => {
    // Two ready 2-core replicas, one per node; node 0 also holds 6 cores of other pods.
    const web = new OneService([
      { node: 0, ready: true, cpuMilli: 2000 },
      { node: 1, ready: true, cpuMilli: 2000 },
    ]);
    const { cluster, ids, forecast, observe } = setUp({}, [8000, 2000], web);
    // Before any sample: the usage now. 1,000 m over two replicas: node 0 uses 6,000 + 500.
    web.usage = 1000;
    expect(forecast.cpuMilli(0, 600)).toBe(6500);
    observe(1000, 2000, 3000, 4000, 5000, 6000);
    // The last five, 2,000 … 6,000, average 4,000: 2,000 per replica, its request.
    expect(forecast.cpuMilli(0, 600)).toBe(8000);
    expect(forecast.cpuMilli(1, 600)).toBe(2000);
    // The replica on node 1 leaves: the service's demand goes to the one left, at once.
    cluster.release(ids[1]);
    web.replicas.pop();
    web.replicaChanges++;
    expect(forecast.cpuMilli(1, 600)).toBe(0);
    expect(forecast.cpuMilli(0, 600)).toBe(6000 + 4000);
    // A replica placed and not ready yet takes its share, as it will once ready: 2,000 each again.
    cluster.place(1, { cpuMilli: 2000, memoryMiB: 0 });
    web.replicas.push({ node: 1, ready: false, cpuMilli: 2000 });
    web.replicaChanges++;
    expect(forecast.cpuMilli(1, 600)).toBe(2000);
    expect(forecast.cpuMilli(0, 600)).toBe(8000);
  });

  it("trend: a straight series is extrapolated exactly, from the last sample, at most as far as the samples reach back", () => {
    // One ready 2-core replica on node 0 (its request all of node 0's allocation): the node's predicted
    // usage is the service's. Usage rises 100 m a minute, 1,000 … 1,900, over a 10-sample window.
    const web = new OneService([{ node: 0, ready: true, cpuMilli: 2000 }]);
    const { forecast, clock, observe } = setUp({ predictor: "trend", windowSamples: 10 }, [2000, 0], web);
    observe(...Array.from({ length: 10 }, (_, i) => 1000 + 100 * i));
    expect(forecast.cpuMilli(0, 480)).toBeCloseTo(1900 + 800, 6); // 8 samples on
    // Half a minute after the sample, 90 s ahead is 2 samples on (2 minutes from the sample, rounded up).
    clock.nowS += 30;
    expect(forecast.cpuMilli(0, 90)).toBeCloseTo(1900 + 200, 6);
    // Ten hours ahead: no further than the 10 samples reach back, 9 intervals.
    expect(forecast.cpuMilli(0, 36_000)).toBeCloseTo(1900 + 900, 6);
  });

  it("trend: fits only the window's samples once the ring has wrapped", () => {
    // 15 flat samples at 5,000, then 10 rising from 1,000 by 100: a window of 10 sees the line alone.
    const web = new OneService([{ node: 0, ready: true, cpuMilli: 2000 }]);
    const { forecast, observe } = setUp({ predictor: "trend", windowSamples: 10 }, [2000, 0], web);
    observe(...Array.from({ length: 15 }, () => 5000), ...Array.from({ length: 10 }, (_, i) => 1000 + 100 * i));
    expect(forecast.cpuMilli(0, 300)).toBeCloseTo(1900 + 500, 6);
    // Falling: the larger end is now. And never below zero.
    const down = setUp({ predictor: "trend", windowSamples: 10 }, [2000, 0], web);
    down.observe(...Array.from({ length: 10 }, (_, i) => 1900 - 100 * i));
    expect(down.forecast.cpuMilli(0, 600)).toBeCloseTo(1000, 6);
    const gone = setUp({ predictor: "trend", windowSamples: 10 }, [2000, 0], web);
    gone.observe(...Array.from({ length: 10 }, (_, i) => 900 - 100 * i));
    expect(gone.forecast.cpuMilli(0, 600)).toBeCloseTo(0, 6);
  });

  it("samples a service only while it has a ready replica", () => {
    // Starting replicas: the service uses nothing yet, and that is no level to predict from.
    const web = new OneService([{ node: 0, ready: false, cpuMilli: 2000 }]);
    const { forecast, observe } = setUp({}, [2000, 0], web);
    observe(0, 0, 0);
    web.replicas[0].ready = true;
    web.replicaChanges++;
    observe(3000, 5000);
    expect(forecast.cpuMilli(0, 600)).toBe(4000);
  });

  it("trend: before 5 samples, the average's prediction", () => {
    const web = new OneService([{ node: 0, ready: true, cpuMilli: 2000 }]);
    const { forecast, observe } = setUp({ predictor: "trend" }, [2000, 0], web);
    observe(1000, 3000, 5000, 7000);
    expect(forecast.cpuMilli(0, 600)).toBe(4000);
  });

  it("trend: on a noisy line its bound is passed at the stated risk, a minute ahead and ten", () => {
    // u = 20,000 + 30 x + N(0, 500²) over 30 samples; the usage 1 and 10 samples on passes the bound when
    // its standardised error, Student's t with 28 degrees of freedom, passes t₀.₉₅: probability 0.05
    // exactly for normal residuals. Over 6,000 fits the binomial standard error is 0.0028: ±0.009 is
    // about 3 of them.
    const rng = new RandomStreams(7).get("noise");
    const fits = 6000;
    const over = [0, 0];
    const web = new OneService([{ node: 0, ready: true, cpuMilli: 2000 }]);
    for (let f = 0; f < fits; f++) {
      const { forecast, observe } = setUp({ predictor: "trend" }, [2000, 0], web);
      observe(...Array.from({ length: 30 }, (_, x) => 20_000 + 30 * x + rng.normal(0, 500)));
      [1, 10].forEach((k, j) => {
        if (20_000 + 30 * (29 + k) + rng.normal(0, 500) > forecast.cpuMilli(0, 60 * k)) over[j]++;
      });
    }
    for (const o of over) expect(Math.abs(o / fits - 0.05)).toBeLessThan(0.009);
  });

  it("watches each placement while its pod lives, for its node's usage passing its limit", () => {
    const web = new OneService([{ node: 0, ready: true, cpuMilli: 2000 }]);
    const { forecast, clock, observe } = setUp({}, [6000, 0], web);
    // Placed at 0 s under a 6,500 m limit: pod 1 expected to live 2 minutes, pod 2 5 minutes.
    forecast.placed(1, 0, 120, 6500);
    forecast.placed(2, 0, 300, 6500);
    // The node uses 6,000 − 2,000 + the service's usage: 6,000 at 0 s, 7,000 at 60 s (over), 6,000
    // at 120 s, 6,600 at 180 s (over), 6,000 at 240 s; pod 2 leaves before 240 s.
    observe(2000, 3000, 2000, 2600);
    // Pod 1 is resized in place at 150 s (released and bound again on its node): still watched.
    forecast.left(1);
    forecast.back(1, 0);
    clock.nowS += 30;
    forecast.left(2);
    // Pod 2 does not come back on another node.
    forecast.back(2, 1);
    clock.nowS += 30;
    observe(2000);
    expect(forecast.summary()).toMatchObject({
      loadAwarePlacements: 2,
      loadAwareLimitCrossedShare: 1,
      // Pod 1 watched at 0, 60 and 120 s (1 over), pod 2 at 0 … 180 s (2 over).
      loadAwareOverLimitShare: 3 / 7,
    });
  });

  it("counts the service samples whose usage passes what the forecast said a sample before", () => {
    // Average: 2,000 (the first sample's mean) is passed by 4,000, the mean of the two (3,000) by 5,000,
    // the mean of the three (3,667) not by 1,000: 2 of the 3 checked (nothing came before the first).
    const web = new OneService([{ node: 0, ready: true, cpuMilli: 2000 }]);
    const { forecast, observe } = setUp({}, [2000, 0], web);
    observe(2000, 4000, 5000, 1000);
    expect(forecast.summary().loadAwareUsageOverForecastShare).toBeCloseTo(2 / 3, 12);
  });

  it("Student's t quantile, from the tables", () => {
    // Abramowitz and Stegun, Table 26.10: t at 0.95 for 3, 5, 8, 28 degrees of freedom; 0.975 and 0.99.
    const table: [number, number, number][] = [
      [0.95, 3, 2.3534],
      [0.95, 5, 2.015],
      [0.95, 8, 1.8595],
      [0.95, 28, 1.7011],
      [0.975, 5, 2.5706],
      [0.975, 10, 2.2281],
      [0.99, 5, 3.3649],
      [0.99, 10, 2.7638],
    ];
    for (const [p, nu, t] of table) {
      const tolerance = nu >= 5 ? 0.0005 : 0.004;
      expect(Math.abs(studentTQuantile(p, nu) / t - 1), `${p} ${nu}`).toBeLessThan(tolerance);
    }
    expect(() => studentTQuantile(0.95, 2)).toThrow(/at least 3 degrees of freedom/);
  });
});
