import { type Controller, InvariantChecker, OnlineLoop, Run, type RunListener } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

describe("a CXL pool's outage", () => {
  it("kills only the tasks holding its memory; its nodes stay up, and nothing spills into it until repaired", () => {
    // Two nodes sharing pool 0. Task 0 keeps 2,000 MiB in the pool, task 1 none; the pool fails at 10 s
    // and is repaired at 20 s.
    const cluster = new ClusterState(
      [
        { cpuMilli: 4000, memoryMiB: 4096, cxlPool: 0 },
        { cpuMilli: 4000, memoryMiB: 4096, cxlPool: 0 },
      ],
      [10_000],
    );
    const pooled = {
      ...task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 1000, memoryMiB: 3000 }),
      poolMiB: 2000,
    } as Task;
    const local = task({ id: 1, arrivalS: 0, runS: 100, cpuMilli: 1000, memoryMiB: 1000 });
    const outage: Controller = {
      name: "pool-outage",
      start(ctx) {
        ctx.at(10, () => ctx.setPoolUp(0, false));
        ctx.at(20, () => ctx.setPoolUp(0, true));
      },
    };
    const log: string[] = [];
    const listener: RunListener = {
      start: (t, n, now) => log.push(`${now} s ${t.id} ${n[0]}`),
      finish: (t, _n, _s, now) => log.push(`${now} f ${t.id}`),
      kill: (t, _n, now) => log.push(`${now} k ${t.id}`),
      nodeDown: (n, now) => log.push(`${now} down ${n}`),
    };
    const loop = new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") }) });
    new Run({
      cluster,
      tasks: [pooled, local],
      loop,
      listeners: [new InvariantChecker(cluster, 1), listener],
      controllers: [outage],
    }).runToEndSync();
    // Task 0 waits for the pool's repair, restarts at 20 s and ends at 120 s; task 1 runs through.
    expect(log).toEqual(["0 s 0 0", "0 s 1 0", "10 k 0", "20 s 0 0", "100 f 1", "120 f 0"]);
    // 10 s of task 0's work on 1 core lost.
    expect(loop.counts.workLostCoreS).toBe(10);
  });
});
