import {
  type ControllerContext,
  InvariantChecker,
  OnlineLoop,
  type ResizeOutcome,
  Run,
  type RunListener,
  RunMetrics,
  TaskLedger,
} from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

/**
 * One 4-core node under the invariant checker (and `listeners` made for the cluster); `act` is a
 * controller's start, with the run's tasks by id as they arrived (the objects the run holds). Returns
 * what the run's events said.
 */
function runOneNode(
  tasks: Task[],
  untilS: number,
  act: (ctx: ControllerContext, byId: Map<number, Task>) => void,
  listeners: (cluster: ClusterState) => RunListener[] = () => [],
) {
  const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096 }]);
  const byId = new Map<number, Task>();
  const starts: [number, number][] = [];
  const finishes: [number, number][] = [];
  const resizes: [number, number, number, number, number][] = [];
  const run = new Run({
    cluster,
    tasks,
    loop: new OnlineLoop({
      strategy: createPlacement("kubernetes-default", {}, { rng: new RandomStreams(1).get("s") }),
    }),
    untilS,
    listeners: [
      new InvariantChecker(cluster, 1),
      {
        arrive: (t) => byId.set(t.id, t),
        start: (t, _n, now) => starts.push([t.id, now]),
        finish: (t, _n, _s, now) => finishes.push([t.id, now]),
        resize: (t, node, from, now) => resizes.push([t.id, node, from, t.cpuMilli, now]),
      },
      ...listeners(cluster),
    ],
    controllers: [{ name: "resizer", start: (ctx) => act(ctx, byId) }],
  });
  run.runToEndSync();
  return { cluster, starts, finishes, resizes };
}

describe("resizing a running task's CPU request in place (ControllerContext.resize)", () => {
  it("applies an increase that fits, defers one that does not, refuses one beyond the node, and a decrease lets a waiting task in", () => {
    // A (1 core) and B (2 cores) run from 0 to 100 s on the 4-core node: 1 core free. C (1.5 cores)
    // arrives at 40 s and waits.
    const tasks = [
      task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 1000, memoryMiB: 512 }),
      task({ id: 1, arrivalS: 0, runS: 100, cpuMilli: 2000, memoryMiB: 512 }),
      task({ id: 2, arrivalS: 40, runS: 100, cpuMilli: 1500, memoryMiB: 512 }),
    ];
    const seen: { at: number; outcome: ResizeOutcome | undefined; free: number; booked: number; request: number }[] =
      [];
    const { cluster, starts, finishes, resizes } = runOneNode(tasks, 300, (ctx, byId) => {
      const step = (at: number, id: number, cpuMilli: number) =>
        ctx.at(at, () => {
          const t = byId.get(id)!;
          const outcome = ctx.resize(t, cpuMilli);
          seen.push({
            at,
            outcome,
            free: ctx.cluster.freeCpuMilli(0),
            booked: ctx.cluster.totals(-1).allocatedCpuMilli,
            request: t.cpuMilli,
          });
        });
      step(10, 0, 1500); // +500 m, 1000 m free: applied, 500 m left
      step(20, 0, 2500); // +1000 m, 500 m free: deferred, nothing moves
      step(30, 1, 4500); // above the node's 4000 m: infeasible
      step(45, 2, 1000); // C waits: not running
      step(50, 1, 1000); // −1000 m: 1500 m free, and C (1500 m) starts at once
      step(200, 0, 500); // A finished at 100 s
      ctx.at(60, () => expect(() => ctx.resize(byId.get(0)!, 2.5)).toThrow(/whole millicores above 0/));
    });
    expect(seen).toEqual([
      { at: 10, outcome: "resized", free: 500, booked: 3500, request: 1500 },
      { at: 20, outcome: "deferred", free: 500, booked: 3500, request: 1500 },
      { at: 30, outcome: "infeasible", free: 500, booked: 3500, request: 2000 },
      { at: 45, outcome: undefined, free: 500, booked: 3500, request: 1500 },
      // B's 1000 m given back, then C's 1500 m taken in the same instant's scheduling pass: the
      // controller reads the books before that pass.
      { at: 50, outcome: "resized", free: 1500, booked: 2500, request: 1000 },
      { at: 200, outcome: undefined, free: 4000, booked: 0, request: 1500 },
    ]);
    // One event per applied resize: task, node, from, to, time.
    expect(resizes).toEqual([
      [0, 0, 1000, 1500, 10],
      [1, 0, 2000, 1000, 50],
    ]);
    expect(starts).toEqual([
      [0, 0],
      [1, 0],
      [2, 50],
    ]);
    expect(finishes).toEqual([
      [0, 100],
      [1, 100],
      [2, 150],
    ]);
    // Finishing released what each held by then (1500 m and 1000 m), and C its 1500 m: all back.
    expect([cluster.freeCpuMilli(0), cluster.totals(-1).allocatedCpuMilli]).toEqual([4000, 0]);
  });

  it("books the free CPU a finish gives back at the resized request", () => {
    // A (1 core, 0-100 s) is resized to 3 cores at 10 s; at 50 s the books read 1 core free. Had the
    // finish at 100 s released the 1 core A started with, 2 cores would stay booked afterwards.
    const tasks = [task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 1000, memoryMiB: 512 })];
    const free: number[] = [];
    const { cluster } = runOneNode(tasks, 200, (ctx, byId) => {
      ctx.at(10, () => ctx.resize(byId.get(0)!, 3000));
      for (const at of [50, 150]) ctx.at(at, () => free.push(ctx.cluster.freeCpuMilli(0)));
    });
    expect(free).toEqual([1000, 4000]);
    expect(cluster.totals(-1).allocatedCpuMilli).toBe(0);
  });

  it("moves the run's allocated-CPU figures at the resize, not at the next start or end", () => {
    // A (1 core) runs 0-100 s and is resized to 3 cores at 50 s: the node's 4 cores are allocated
    // (1 × 50 + 3 × 50) / 100 = 2 cores on average, half, and at most 3 of 4.
    const tasks = [task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 1000, memoryMiB: 512 })];
    let metrics!: RunMetrics;
    runOneNode(
      tasks,
      100,
      (ctx, byId) => ctx.at(50, () => ctx.resize(byId.get(0)!, 3000)),
      (cluster) => {
        const ledger = new TaskLedger();
        metrics = new RunMetrics(cluster, ledger);
        return [ledger, metrics];
      },
    );
    const s = metrics.summary();
    expect(s.cpuAllocatedFraction).toBeCloseTo(0.5, 12);
    expect(s.cpuAllocatedPeakFraction).toBeCloseTo(0.75, 12);
  });
});
