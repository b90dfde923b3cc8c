import {
  type Controller,
  CRASH_LOOP_INITIAL_S,
  CRASH_LOOP_MAX_S,
  CrashLoopBackOff,
  type ReplicaSet,
  type ServiceConfig,
} from "@clustersim/engine";
import { RateCurve, type Task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { nodes, runServices, service } from "./service-fixtures.js";

/**
 * Two replicas of 100 slots, 0.1 s per request: λ requests per second keep λ · 0.1 / 2 in service on
 * each (Little's law; the queue's wait is negligible at these loads: Erlang C of 200 servers below ρ
 * 0.3). A 256 MiB limit (the request), 56 MiB at idle and 10 MiB per request leave room for 20:
 * 200/s (10 each, 156 MiB) and 400/s (20 each, 256 MiB, at the limit) never kill; 600/s (30 each,
 * 356 MiB) does. Ready 5 s after a container starts. Traffic starts at 10 s, after the first readiness.
 */
function oomService(points: [number, number][], fields: Partial<ServiceConfig> = {}): ServiceConfig {
  return service({
    initialReplicas: 2,
    concurrency: 100,
    cpuSecondsPerRequest: 0,
    readinessS: 5,
    memory: { perRequestMiB: 10, baseMiB: 56 },
    rate: new RateCurve([{ type: "piecewise", points: [[0, 0], [10, 0], [10, points[0][1]], ...points] }]),
    ...fields,
  });
}

/** The run's controllers, and the times replicas became ready (once per time, whichever replicas). */
function run(s: ServiceConfig, untilS: number) {
  const readyTimes: number[] = [];
  const watch: Controller = {
    name: "watch",
    start: (ctx) =>
      ctx.on({
        ready: (_t, _node, now) => {
          if (readyTimes.at(-1) !== now) readyTimes.push(now);
        },
      }),
  };
  const c = runServices(nodes(2, 8), [s], untilS, undefined, [watch]);
  return { c, summary: c.summary().web, readyTimes };
}

/**
 * The kubelet's back-off, by hand: the first exit starts again at once, then 10 s doubling to 300 s.
 * From a kill at `firstKillS` under a load that never fits, each container starts `delay` after its
 * kill and is killed again 5 s later, on its first tick ready: kill k+1 = kill k + delay k + 5.
 */
function killsFrom(firstKillS: number, untilS: number): { kills: number[]; starts: number[] } {
  const delays = [0, 10, 20, 40, 80, 160, 300];
  const kills = [firstKillS];
  const starts: number[] = [];
  for (let k = 0; ; k++) {
    const start = kills[k] + (delays[k] ?? 300);
    if (start >= untilS) break;
    starts.push(start);
    if (start + 5 >= untilS) break;
    kills.push(start + 5);
  }
  return { kills, starts };
}

describe("CrashLoopBackOff (kubelet v1.34 on client-go's flowcontrol.Backoff)", () => {
  const t = { id: 1 } as Task;

  it("starts a container again at once after its first exit, then after 10, 20, 40, … s, capped at 300 s", () => {
    const b = new CrashLoopBackOff();
    // Each exit 5 s after the container's start.
    let exit = 100;
    const delays: number[] = [];
    for (let k = 0; k < 9; k++) {
      const d = b.delayS(t, exit, 0);
      delays.push(d);
      exit += d + 5;
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
    expect(CRASH_LOOP_INITIAL_S).toBe(10);
    expect(CRASH_LOOP_MAX_S).toBe(300);
  });

  it("starts over after the container ran more than 10 minutes (an exit over 600 s after its last start), not at 600 s", () => {
    const b = new CrashLoopBackOff();
    expect(b.delayS(t, 0, 0)).toBe(0); // started again at 0
    expect(b.delayS(t, 5, 0)).toBe(10); // started at 15
    expect(b.delayS(t, 20, 0)).toBe(20); // started at 40
    // 600 s after the last start is not over 600 s: the back-off goes on (40 s).
    expect(b.delayS(t, 640, 0)).toBe(40); // started at 680
    // 601 s after it: started again at once, and 10 s the next time.
    expect(b.delayS(t, 1281, 0)).toBe(0);
    expect(b.delayS(t, 1290, 0)).toBe(10);
  });

  it("gives a replica placed again (a new pod) a back-off of its own, and forgets replicas that went", () => {
    const b = new CrashLoopBackOff();
    expect(b.delayS(t, 0, 0)).toBe(0);
    expect(b.delayS(t, 5, 0)).toBe(10);
    // Its node failed and it was placed again at 50: a fresh pod.
    expect(b.delayS(t, 60, 50)).toBe(0);
    expect(b.delayS(t, 65, 50)).toBe(10);
    // Pruned once no longer placed: the entry is gone, so it starts at once.
    b.prune({ startedAt: new Map() } as unknown as ReplicaSet);
    expect(b.delayS(t, 70, 50)).toBe(0);
  });
});

describe("service replicas over their memory limit", () => {
  it("never kills below the limit: 10 requests held per replica (156 MiB), nor at it (20, 256 MiB)", () => {
    for (const [rate, peak] of [
      [200, 156],
      [400, 256],
    ]) {
      const { summary, readyTimes } = run(oomService([[600, rate]]), 600);
      expect(summary.oomKills).toBe(0);
      expect(summary.containerRestarts).toBe(0);
      expect(summary.memoryPeakMiB).toBeCloseTo(peak, 6);
      expect(readyTimes).toEqual([5]);
      expect(summary.requestsFailed).toBe(0);
      expect(summary.requestsDropped).toBe(0);
    }
  });

  it("a step to 30 held per replica kills both at once; they restart in place at 0, 10, 20, 40, 80, 160, 300 s and are killed again on becoming ready", () => {
    const untilS = 1100;
    const { c, summary, readyTimes } = run(
      oomService([
        [100, 200],
        [100, 600],
      ]),
      untilS,
    );
    const { kills, starts } = killsFrom(100, untilS);
    // By hand: kills at 100, 105, 120, 145, 190, 275, 440, 745, 1050; starts 0, 10, 20, 40, 80, 160, 300, 300 s after them.
    expect(kills).toEqual([100, 105, 120, 145, 190, 275, 440, 745, 1050]);
    expect(starts).toEqual([100, 115, 140, 185, 270, 435, 740, 1045]);
    // Ready at 5 s, then 5 s after each start (no image pull, no sandbox start: the pod kept both).
    expect(readyTimes).toEqual([5, ...starts.map((s) => s + 5)]);
    // Both replicas each time; the kill at 1050 starts again at 1350, after the run.
    expect(summary.oomKills).toBe(2 * kills.length);
    expect(summary.containerRestarts).toBe(2 * starts.length);
    expect(summary.memoryPeakMiB).toBe(256);
    // The same two pods throughout, on their nodes: no replica created or placed again.
    const set = c.sets[0];
    expect(set.replicas).toBe(2);
    expect(set.ready.size).toBe(0);
    expect(set.starting.size).toBe(2);
    expect(summary.replicasMax).toBe(2);
    expect(summary.scaleUps).toBe(1);
    // Every request served, dropped (its replica's queue went, or it timed out) or still waiting.
    expect(summary.requests).toBeCloseTo(
      summary.requestsServed + summary.requestsDropped + summary.requestsQueuedAtEnd,
      6,
    );
  });

  it("at the first kill, the 60 requests in service (600/s × 0.1 s) fail and none is dropped", () => {
    const { summary } = run(
      oomService([
        [100, 200],
        [100, 600],
      ]),
      101,
    );
    expect(summary.oomKills).toBe(2);
    expect(summary.requestsFailed).toBeCloseTo(60, 6);
    expect(summary.requestsDropped).toBe(0);
    // Started again at once: a restart each, ready at 105 (after the run).
    expect(summary.containerRestarts).toBe(2);
  });

  it("recovers when the load drops, and the back-off starts over only after 10 minutes of running", () => {
    // 600/s from 100 s to 1100 s, none until 1400 s (what waited times out), 200/s, then 600/s again.
    const after = (againS: number, untilS: number) =>
      run(
        oomService([
          [100, 200],
          [100, 600],
          [1100, 600],
          [1100, 0],
          [1400, 0],
          [1400, 200],
          [againS, 200],
          [againS, 600],
        ]),
        untilS,
      );
    // The kill at 1050 starts again at 1350 (back-off 300 s), ready at 1355 with nothing waiting.
    const early = after(1900, 2300);
    const late = after(2000, 2030);
    for (const r of [early, late]) expect(r.readyTimes.slice(9, 10)).toEqual([1355]);
    // Load again at 2000: 650 s since the start at 1350 (over 600): at once, then 10 s: ready at 2005, 2020.
    expect(late.readyTimes.slice(10)).toEqual([2005, 2020]);
    // Load again at 1900: 550 s since it (not over 600): the back-off is still 300 s: ready at 2205.
    expect(early.readyTimes.slice(10)).toEqual([2205]);
    // Kills: nine before the drop; then 2000, 2005, 2020 (and 1900, 2205) for both replicas.
    expect(late.summary.oomKills).toBe(2 * 12);
    expect(early.summary.oomKills).toBe(2 * 11);
  });

  it("is deterministic, and conserves requests exactly per request (served, dropped or waiting)", () => {
    const s = () =>
      run(
        oomService(
          [
            [100, 200],
            [100, 600],
          ],
          { latency: "per-request" },
        ),
        400,
      ).summary;
    const [a, b] = [s(), s()];
    expect(a).toEqual(b);
    expect(a.oomKills).toBeGreaterThan(0);
    expect(a.requestsFailed).toBeGreaterThan(0);
    expect(a.requests).toBe(a.requestsServed + a.requestsDropped + a.requestsQueuedAtEnd);
  });

  it("without memory modelled, reports no memory figures and kills nothing", () => {
    const { summary } = run(oomService([[100, 600]], { memory: undefined }), 300);
    expect(summary.oomKills).toBeUndefined();
    expect(summary.memoryPeakMiB).toBeUndefined();
    expect(summary.requestsFailed).toBe(0);
  });

  it("refuses a limit below the request and memory below zero, naming the service", () => {
    const bad = (memory: ServiceConfig["memory"]) => () => run(oomService([[100, 200]], { memory }), 20);
    expect(bad({ perRequestMiB: 10, baseMiB: 0, limitMiB: 128 })).toThrow(
      /service web: expected a memory limit ≥ the replica's request \(256 MiB\), found 128 MiB/,
    );
    expect(bad({ perRequestMiB: -1, baseMiB: 0 })).toThrow(/service web: expected memory per request and at idle ≥ 0/);
  });
});
