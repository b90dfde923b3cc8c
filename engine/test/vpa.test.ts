import {
  type Controller,
  CPU_HISTOGRAM,
  constantServiceTime,
  DecayingHistogram,
  exponentialServiceTime,
  InvariantChecker,
  OnlineLoop,
  Run,
  type ServiceConfig,
  ServicesController,
  VPA_INTERVAL_S,
  type VpaMode,
  VpaRecommender,
  vpaEvictionBudget,
} from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { RateCurve, type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { service } from "./service-fixtures.js";

describe("the VPA's decaying histogram", () => {
  it("has upstream's CPU buckets: 176 of them, the n-th starting at 0.01·(1.05ⁿ − 1)/0.05", () => {
    const h = new DecayingHistogram(CPU_HISTOGRAM);
    expect(h.buckets).toBe(176);
    expect(h.bucketStart(1)).toBeCloseTo(0.01, 12);
    expect(h.bucketStart(2)).toBeCloseTo(0.0205, 12);
    // 0.015 cores: log₁.₀₅(0.015·0.05/0.01 + 1) = 1.48, bucket 1.
    expect(h.findBucket(0.015)).toBe(1);
    expect(h.findBucket(0.005)).toBe(0);
    expect(h.findBucket(5000)).toBe(175);
  });

  it("returns the end of the bucket where the weight reaches the percentile; a sample a half-life later counts twice", () => {
    const h = new DecayingHistogram(CPU_HISTOGRAM);
    expect(h.percentile(0.5)).toBe(0);
    h.addSample(0.015, 1, 0);
    expect(h.percentile(0.5)).toBeCloseTo(0.0205, 12);
    // 2 cores one day later: weights 1 and 2. The 30th percentile is in the first sample's bucket, the 50th in the second's.
    h.addSample(2, 1, 86400);
    expect(h.percentile(0.3)).toBeCloseTo(0.0205, 12);
    const b = h.findBucket(2);
    expect(h.percentile(0.5)).toBeCloseTo(h.bucketStart(b + 1), 12);
    expect(h.bucketStart(b)).toBeLessThanOrEqual(2);
  });
});

describe("the VPA recommender", () => {
  it("recommends the 90th percentile plus 15%, with bounds that narrow as its history grows", () => {
    const r = new VpaRecommender();
    expect(r.recommend()).toBeUndefined();
    // Ten replicas at 0.5 cores each, sampled every minute for an hour: confidence min(1/24, 600/1440).
    for (let m = 1; m <= 60; m++) r.addSample(0.5, m * 60, 10);
    const h = new DecayingHistogram(CPU_HISTOGRAM);
    const end = h.bucketStart(h.findBucket(0.5) + 1);
    const rec = r.recommend()!;
    expect(rec.targetMilli).toBe(Math.ceil(end * 1.15 * 1000));
    const confidence = 3540 / 86400;
    expect(rec.upperMilli).toBe(Math.ceil(end * 1.15 * (1 + 1 / confidence) * 1000));
    expect(rec.lowerMilli).toBe(Math.ceil(end * 1.15 * (1 + 0.001 / confidence) ** -2 * 1000));
    // Over 24 × the bound: a 4-core request is within [lower, upper] after an hour.
    expect(rec.upperMilli).toBeGreaterThan(4000);
  });
});

describe("the VPA updater's eviction budget (pkg/updater/eviction, CanEvict)", () => {
  it("counts only running replicas as alive: configured − floor(configured × 0.5) must stay up", () => {
    // 10 configured, 4 pending: 6 running, 5 must stay alive, so 1 may go (a budget of 5 ignored the pending).
    expect(vpaEvictionBudget(10, 6)).toBe(1);
    // All 10 running: 5 may go; 5 running: none.
    expect(vpaEvictionBudget(10, 10)).toBe(5);
    expect(vpaEvictionBudget(10, 5)).toBe(0);
    // 3 configured, tolerance 1: with all running, 1; with one pending, none.
    expect(vpaEvictionBudget(3, 3)).toBe(1);
    expect(vpaEvictionBudget(3, 2)).toBe(0);
  });

  it("lets one go when every replica runs and the tolerance rounds to 0", () => {
    // Upstream's special case: running == configured, tolerance 0, nothing evicted yet.
    expect(vpaEvictionBudget(1, 1)).toBe(1);
    expect(vpaEvictionBudget(1, 0)).toBe(0);
  });
});

/** Nodes of the given CPUs (millicores), 4 GiB of memory each. */
const cluster = (...cpus: number[]) => new ClusterState(cpus.map((cpuMilli) => ({ cpuMilli, memoryMiB: 4096 })));

/**
 * `svc` under the invariant checker until `untilS`, beside `tasks`; what its run events said of its
 * replicas (resized: task, from, to, time; removed from a node: task, time), and the loop after which
 * each replica first had a resize pending (asked for, not applied).
 */
function vpaRun(nodes: ClusterState, svc: ServiceConfig, untilS: number, tasks: Task[] = []) {
  const controller = new ServicesController([svc]);
  const resized: [number, number, number, number][] = [];
  const removed: [number, number][] = [];
  const pendingSince = new Map<number, number>();
  const probe: Controller = {
    name: "probe",
    // After the services' own minute timer at the same instants (scheduled first, it fires first).
    start: (ctx) =>
      ctx.every(VPA_INTERVAL_S, () => {
        for (const t of controller.sets[0].resizePending.keys())
          if (!pendingSince.has(t.id)) pendingSince.set(t.id, ctx.nowS);
      }),
  };
  const run = new Run({
    cluster: nodes,
    tasks,
    loop: new OnlineLoop({
      strategy: createPlacement("kubernetes-default", {}, { rng: new RandomStreams(1).get("s") }),
    }),
    untilS,
    listeners: [
      new InvariantChecker(nodes, 1),
      {
        resize: (t, _n, from, now) => resized.push([t.id, from, t.cpuMilli, now]),
        remove: (t, nodes, _s, now) => {
          if (nodes.length > 0) removed.push([t.id, now]);
        },
      },
    ],
    controllers: [controller, probe],
    services: controller.views,
  });
  run.runToEndSync();
  return { s: controller.summary()[svc.name], resized, removed, pendingSince, set: controller.sets[0] };
}

/**
 * Four replicas requesting 2 cores and using 0.05 each (40 requests/s of 5 ms of CPU), on two 16-core
 * nodes: the recommender's upper bound falls below 2 cores at the 49th minute (derivation below), and
 * the updater right-sizes two replicas per minute (its budget: 4 − (4 − 2)).
 */
const overProvisioned = (mode: VpaMode) =>
  service({
    name: "api",
    replica: { cpuMilli: 2000, memoryMiB: 256, gpus: 0, gpuMilli: 0, nicGbps: 0, runtime: "", priority: 0 },
    initialReplicas: 4,
    minReplicas: 4,
    maxReplicas: 4,
    concurrency: 4,
    serviceTime: exponentialServiceTime(0.05),
    cpuSecondsPerRequest: 0.005,
    rate: new RateCurve([{ type: "constant", ratePerS: 40 }]),
    vpa: { mode },
  });

describe("the VPA updater in InPlaceOrRecreate mode", () => {
  it("resizes running replicas in place where Recreate restarts them: no restart, no ready time lost", () => {
    const [inPlace, recreate, off] = (["InPlaceOrRecreate", "Recreate", "Off"] as const).map((m) =>
      vpaRun(cluster(16_000, 16_000), overProvisioned(m), 7200),
    );
    // 0.05 cores lies in the histogram's bucket 4, [0.0431, 0.0553): target ⌈0.05526 × 1.15 × 1000⌉ = 64 m.
    // Upper bound 0.05526 × 1.15 × (1 + 1/c), c at the k-th minute the history's 60(k − 1)/86,400 days
    // (its 4k samples per 1,440 are more): minute 48 gives 2,011 m, minute 49 (c = 1/30) 1,970 m < 2,000 m.
    const T = 49 * 60;
    expect(inPlace.s.vpaTargetMilli).toBe(64);
    expect(inPlace.resized).toEqual([
      [1e12, 2000, 64, T],
      [1e12 + 1, 2000, 64, T],
      [1e12 + 2, 2000, 64, T + 60],
      [1e12 + 3, 2000, 64, T + 60],
    ]);
    expect(inPlace.removed).toEqual([]);
    expect(recreate.resized).toEqual([]);
    expect(recreate.removed.map(([, at]) => at)).toEqual([T, T, T + 60, T + 60]);
    expect([inPlace.s.vpaRestarts, inPlace.s.vpaInPlaceResizes, inPlace.s.vpaInPlaceFallbacks]).toEqual([0, 4, 0]);
    expect([recreate.s.vpaRestarts, recreate.s.vpaInPlaceResizes]).toEqual([4, 0]);
    expect(inPlace.s.cpuRequestMilliAtEnd).toBe(64);
    expect(recreate.s.cpuRequestMilliAtEnd).toBe(64);
    // Ready from 5 s (the readiness delay) to the end, 7,200 one-second ticks: 4 × 7,195 replica-seconds,
    // as with the updater off. Recreate's replacements are placed at the end of the loop's instant,
    // after its tick, and ready 5 s later: 5 ticks lost each, 20 in all.
    expect(off.s.readyReplicaHours * 3600).toBeCloseTo(4 * 7195, 6);
    expect(inPlace.s.readyReplicaHours * 3600).toBeCloseTo(4 * 7195, 6);
    expect(recreate.s.readyReplicaHours * 3600).toBeCloseTo(4 * 7195 - 20, 6);
    // Requested CPU, tick by tick (each tick after the minute's loop): the replicas are placed after the
    // tick at 0, then 4 × 2 cores until T, 2 × 2 + 2 × 0.064 for a minute, 4 × 0.064 to the end.
    const requestedCoreS = (r: typeof inPlace) => r.s.cpuRequestedCoreHours * 3600;
    expect(requestedCoreS(off)).toBeCloseTo(8 * 7199, 6);
    expect(requestedCoreS(inPlace)).toBeCloseTo(8 * (T - 1) + 4.128 * 60 + 0.256 * (7200 - T - 60), 6);
    // Recreate's differs by the tick in which each restarted replica was not placed (64 m for 1 s).
    expect(requestedCoreS(inPlace) - requestedCoreS(recreate)).toBeCloseTo(4 * 0.064, 6);
  });

  /**
   * Two replicas of 500 m whose traffic asks for a core each: they use all of their 500 m (CPU-bound),
   * 0.5 cores in bucket 25, [0.4773, 0.5111): target ⌈0.5111 × 1.15 × 1000⌉ = 588 m. Their request is
   * below the lower bound 0.5111 × 1.15 × (1 + 0.001/c)⁻² once c = (k − 1)/1,440 days at the k-th minute
   * makes it over 500 m: minute 18 gives ⌈499.6⌉ = 500 m (not below), minute 19 gives 504 m. So the
   * updater first acts at 1,140 s, on one replica a minute (budget 2 − (2 − 1)).
   */
  const cpuBound = () =>
    service({
      name: "api",
      replica: { cpuMilli: 500, memoryMiB: 256, gpus: 0, gpuMilli: 0, nicGbps: 0, runtime: "", priority: 0 },
      initialReplicas: 2,
      minReplicas: 2,
      maxReplicas: 2,
      serviceTime: constantServiceTime(0.1),
      cpuSecondsPerRequest: 0.1,
      rate: new RateCurve([{ type: "constant", ratePerS: 20 }]),
      vpa: { mode: "InPlaceOrRecreate" },
    });
  const T1 = 19 * 60;
  /** A task of `cpuMilli` from 0 for `runS`, placed before the replicas (higher priority). */
  const filler = (cpuMilli: number, runS: number) =>
    task({ id: 0, arrivalS: 0, runS, cpuMilli, memoryMiB: 256, priority: 10 });

  it("evicts a replica whose resize stays Deferred more than 5 minutes after the updater first saw it", () => {
    // One 4-core node kept full: 3 cores of a long task and the two replicas. Each resize (+88 m) is
    // deferred: A's asked at T1, B's at T1 + 60. The updater first sees A's pending a loop later
    // (T1 + 60) and evicts A when more than 300 s have passed since: T1 + 420 (at T1 + 360, exactly 300).
    // A's replacement (588 m) finds 500 m free and waits; at the next loop the kubelet's retry of B's
    // deferred resize fits in that room: B is resized in place at T1 + 480 (its own eviction, due then,
    // had no budget: one of two replicas placed).
    const r = vpaRun(cluster(4000), cpuBound(), 1800, [filler(3000, 1e9)]);
    const [a, b, replacement] = [1e12, 1e12 + 1, 1e12 + 2];
    expect(r.s.vpaTargetMilli).toBe(588);
    expect([...r.pendingSince]).toEqual([
      [a, T1],
      [b, T1 + 60],
    ]);
    expect(r.removed).toEqual([[a, T1 + 420]]);
    expect(r.resized).toEqual([[b, 500, 588, T1 + 480]]);
    expect([r.s.vpaRestarts, r.s.vpaInPlaceFallbacks, r.s.vpaInPlaceResizes]).toEqual([1, 1, 1]);
    expect([...r.set.pending].map((t) => [t.id, t.cpuMilli])).toEqual([[replacement, 588]]);
    expect(r.set.resizePending.size).toBe(0);
  });

  it("evicts a replica whose resize is Infeasible at the next loop, within the budget its resizes share", () => {
    // A and B on 550 m nodes (a 1-core task holds the third, 1-core node until 600 s): 588 m exceeds
    // their nodes' allocatable. T1: A's resize, infeasible. T1 + 60: A seen infeasible, to evict; B's
    // resize takes the loop's one disruption first (resizes go before evictions), so A stays.
    // T1 + 120: A evicted, its replacement placed on the third node. T1 + 180: B evicted (2 placed
    // again); its replacement fits nowhere (412 m left there, 550 m nodes) and waits.
    const r = vpaRun(cluster(550, 550, 1000), cpuBound(), 1800, [filler(1000, 600)]);
    const [a, b] = [1e12, 1e12 + 1];
    expect([...r.pendingSince]).toEqual([
      [a, T1],
      [b, T1 + 60],
    ]);
    expect(r.removed).toEqual([
      [a, T1 + 120],
      [b, T1 + 180],
    ]);
    expect(r.resized).toEqual([]);
    expect([r.s.vpaRestarts, r.s.vpaInPlaceFallbacks, r.s.vpaInPlaceResizes]).toEqual([2, 2, 0]);
    expect(r.set.placed).toBe(1);
    expect([...r.set.nodeOf.values()]).toEqual([2]);
  });
});
