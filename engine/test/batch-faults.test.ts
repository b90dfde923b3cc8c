import { BatchLoop, type Controller, InvariantChecker, Run, type RunListener } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

/** Node `node` goes down at each of `downs` (time, repair after) and comes back. */
function outages(node: number, downs: [number, number][]): Controller {
  return {
    name: "outages",
    start(ctx) {
      for (const [at, repair] of downs) {
        ctx.at(at, () => ctx.setNodeUp(node, false));
        ctx.at(at + repair, () => ctx.setNodeUp(node, true));
      }
    },
  };
}

function run(tasks: ReturnType<typeof task>[], controller: Controller, maxRetries?: number) {
  const cluster = new ClusterState([
    { cpuMilli: 4000, memoryMiB: 4096 },
    { cpuMilli: 4000, memoryMiB: 4096 },
  ]);
  const loop = new BatchLoop({
    placement: createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") }),
    policy: "fcfs",
    backfill: false,
    maxRetries,
  });
  const log: string[] = [];
  const listener: RunListener = {
    start: (t, nodes, now) => log.push(`${now} s ${t.id} ${nodes.join("+")}`),
    finish: (t, _n, _s, now) => log.push(`${now} f ${t.id}`),
    kill: (t, _n, now) => log.push(`${now} k ${t.id}`),
    fail: (t, now) => log.push(`${now} x ${t.id}`),
  };
  new Run({
    cluster,
    tasks,
    loop,
    listeners: [new InvariantChecker(cluster, 1), listener],
    controllers: [controller],
  }).runToEndSync();
  return { log, counts: loop.counts };
}

describe("faults in batch runs", () => {
  it("a failed node kills its job, which loses its work and starts over when a node is free", () => {
    // Job 0 (4 cores, 100 s) on node 0 from 0; node 0 fails at 30 s for 50 s. Node 1 is free: the
    // job restarts there at 30 s and finishes at 130 s; 30 s × 4 cores are lost.
    const r = run([task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 4000, memoryMiB: 1 })], outages(0, [[30, 50]]));
    expect(r.log).toEqual(["0 s 0 0", "30 k 0", "30 s 0 1", "130 f 0"]);
    expect(r.counts.workLostCoreS).toBe(120);
    expect(r.counts.killed).toBe(1);
  });

  it("kills a whole gang when one of its nodes fails: it cannot run short", () => {
    // A 2-task gang (8 cores in all) over both nodes; node 1 fails at 10 s for 20 s: the gang waits
    // for both nodes, restarts at 30 s and ends at 90 s.
    const r = run(
      [task({ id: 0, arrivalS: 0, runS: 60, cpuMilli: 8000, memoryMiB: 2, procs: 2 })],
      outages(1, [[10, 20]]),
    );
    expect(r.log).toEqual(["0 s 0 0+1", "10 k 0", "30 s 0 0+1", "90 f 0"]);
    expect(r.counts.workLostCoreS).toBe(80);
  });

  it("a job killed more often than the retries allow counts as failed", () => {
    const gang = task({ id: 0, arrivalS: 0, runS: 60, cpuMilli: 8000, memoryMiB: 2, procs: 2 });
    const r = run(
      [gang],
      outages(1, [
        [10, 5],
        [20, 5],
        [30, 5],
      ]),
      1,
    );
    expect(r.log).toEqual(["0 s 0 0+1", "10 k 0", "15 s 0 0+1", "20 k 0", "20 x 0"]);
    expect(r.counts.failed).toBe(1);
  });
});
