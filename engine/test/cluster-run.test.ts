import { runCluster } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { poissonWorkload, type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const rng = () => new RandomStreams(1).get("scheduler");
const oneNode = () => new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096 }]);

describe("online cluster run", () => {
  it("runs every task to completion, with the waits a hand simulation gives", () => {
    // One 4-core node: A (3 cores, 0-10 s), B (2 cores, arrives 1 s: waits for A, 10-15 s), C (1 core, arrives 2 s).
    const tasks: Task[] = [
      task({ id: 0, arrivalS: 0, runS: 10, cpuMilli: 3000, memoryMiB: 1 }),
      task({ id: 1, arrivalS: 1, runS: 5, cpuMilli: 2000, memoryMiB: 1 }),
      task({ id: 2, arrivalS: 2, runS: 1, cpuMilli: 1000, memoryMiB: 1 }),
    ];
    const starts: [number, number][] = [];
    const k8s = runCluster({
      cluster: oneNode(),
      strategy: createPlacement("best-fit", {}, { rng: rng() }),
      tasks: tasks.values(),
      onStart: (t, _n, now) => starts.push([t.id, now]),
    });
    // Kubernetes queueing: C starts at once beside A although B waits.
    expect(starts).toEqual([
      [0, 0],
      [2, 2],
      [1, 10],
    ]);
    expect(k8s).toMatchObject({ submitted: 3, started: 3, completed: 3, neverScheduled: 0, waitSumS: 9, waitMaxS: 9 });
    expect(k8s.run.simTime).toBe(15);

    starts.length = 0;
    const fifo = runCluster({
      cluster: oneNode(),
      strategy: createPlacement("best-fit", {}, { rng: rng() }),
      tasks: tasks.values(),
      queue: "fifo",
      onStart: (t, _n, now) => starts.push([t.id, now]),
    });
    // Strict FIFO: C waits behind B and starts with it at 10.
    expect(starts).toEqual([
      [0, 0],
      [1, 10],
      [2, 10],
    ]);
    expect(fifo.waitSumS).toBe(9 + 8);
  });

  it("counts a task larger than every node as never scheduled instead of blocking the queue", () => {
    const tasks = [
      task({ id: 0, arrivalS: 0, runS: 1, cpuMilli: 8000, memoryMiB: 1 }),
      task({ id: 1, arrivalS: 1, runS: 1, cpuMilli: 1000, memoryMiB: 1 }),
    ];
    const r = runCluster({
      cluster: oneNode(),
      strategy: createPlacement("first-fit", {}, { rng: rng() }),
      tasks: tasks.values(),
      queue: "fifo",
    });
    expect(r).toMatchObject({ submitted: 2, started: 1, completed: 1, neverScheduled: 1, tooLarge: 1 });
  });

  it("is deterministic for a seed and keeps every placement consistent with the cluster", () => {
    const go = (policy: string) => {
      const streams = new RandomStreams(5);
      const cluster = new ClusterState(Array.from({ length: 50 }, () => ({ cpuMilli: 16000, memoryMiB: 65536 })));
      const load = poissonWorkload(
        "w",
        4,
        {
          runS: { dist: "exponential", mean: 60 },
          cpuMilli: { dist: "lognormal", mu: Math.log(1000), sigma: 0.7 },
          memoryMiB: 2048,
        },
        streams,
        { startS: 0, endS: 3600 },
      );
      const trace: number[] = [];
      const r = runCluster({
        cluster,
        strategy: createPlacement(policy, {}, { rng: streams.get("scheduler") }),
        tasks: load,
        onStart: (t, n) => trace.push(t.id, n),
      });
      expect(cluster.placements).toBe(0); // everything released at the end
      expect(r.completed + r.tooLarge).toBe(r.submitted);
      expect(r.neverScheduled).toBe(r.tooLarge);
      return trace;
    };
    for (const p of ["kubernetes-default", "best-fit", "random"]) expect(go(p)).toEqual(go(p));
  });
});
