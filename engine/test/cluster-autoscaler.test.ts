import { ClusterAutoscaler, InvariantChecker, OnlineLoop, Run, type RunListener } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

/** A group of `max` nodes of 4 cores, `present` of them there at the start. */
const group = (present: number, max: number) =>
  new ClusterState(
    Array.from({ length: max }, (_, i) => ({ cpuMilli: 4000, memoryMiB: 4096, group: 0, present: i < present })),
  );

function run(
  cluster: ClusterState,
  tasks: ReturnType<typeof task>[],
  untilS: number,
  ca: ClusterAutoscaler,
  strategy = "first-fit",
) {
  const added: number[] = [];
  const removed: number[] = [];
  const log: RunListener = {
    nodeAdded: (_n, now) => added.push(now),
    nodeRemoved: (_n, now) => removed.push(now),
  };
  new Run({
    cluster,
    tasks,
    loop: new OnlineLoop({ strategy: createPlacement(strategy, {}, { rng: new RandomStreams(1).get("s") }) }),
    untilS,
    listeners: [new InvariantChecker(cluster, 1), log],
    controllers: [ca],
    groups: { names: ["workers"], nodeGroup: new Int32Array(cluster.nodeCount) },
  }).runToEndSync();
  return { added, removed };
}

describe("Cluster Autoscaler", () => {
  it("scales up by the nodes first-fit-decreasing packing needs, after the provisioning time, up to its maximum", () => {
    // One node of 4 cores, busy with a 4-core task; then six 3-core and two 1-core tasks arrive at 5 s.
    // They pack onto 6 nodes (3+1, 3+1, 3, 3, 3, 3); the maximum of 6 nodes leaves room for 5.
    const tasks = [
      task({ id: 0, arrivalS: 0, runS: 10_000, cpuMilli: 4000, memoryMiB: 1 }),
      ...Array.from({ length: 6 }, (_, i) =>
        task({ id: 1 + i, arrivalS: 5, runS: 10_000, cpuMilli: 3000, memoryMiB: 1 }),
      ),
      task({ id: 7, arrivalS: 5, runS: 10_000, cpuMilli: 1000, memoryMiB: 1 }),
      task({ id: 8, arrivalS: 5, runS: 10_000, cpuMilli: 1000, memoryMiB: 1 }),
    ];
    const ca = new ClusterAutoscaler({ group: "workers", minNodes: 1, maxNodes: 6, provisionS: 60 });
    const { added } = run(group(1, 8), tasks, 600, ca);
    // The first scan after the arrivals is at 10 s; the nodes join 60 s later.
    expect(added).toEqual([70, 70, 70, 70, 70]);
    expect(ca.added).toBe(5);
  });

  it("removes an empty node after it stays unneeded for 10 minutes, no sooner than 10 minutes after a scale-up", () => {
    // Three nodes; the only task leaves at 100 s. Nodes 1 and 2 are empty from the start, node 0 from 100 s.
    const tasks = [task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 4000, memoryMiB: 1 })];
    const ca = new ClusterAutoscaler({ group: "workers", minNodes: 1, maxNodes: 3, provisionS: 60 });
    const { removed } = run(group(3, 3), tasks, 2000, ca);
    // Scans every 10 s from 10 s: nodes 1 and 2 unneeded since 10 s, removed at 610 s (both: empty
    // nodes in bulk). Node 0 is not removed: the group is at its minimum of 1.
    expect(removed).toEqual([610, 610]);
  });

  it("keeps counting a node's unneeded time through the cool-down after a scale-up; only its removal waits", () => {
    // Node 0 busy; node 1 busy until 100 s; a third 4-core task at 5 s fits nowhere: scale-up at 10 s
    // (node 2 joins at 70 s). Node 1 is unneeded from the scan at 100 s. The cool-down ends at 610 s,
    // but the 10 unneeded minutes run from 100 s: removal at 700 s, not 600 s after the cool-down (1,210 s).
    const tasks = [
      task({ id: 0, arrivalS: 0, runS: 100_000, cpuMilli: 4000, memoryMiB: 1 }),
      task({ id: 1, arrivalS: 0, runS: 100, cpuMilli: 4000, memoryMiB: 1 }),
      task({ id: 2, arrivalS: 5, runS: 100_000, cpuMilli: 4000, memoryMiB: 1 }),
    ];
    const ca = new ClusterAutoscaler({ group: "workers", minNodes: 1, maxNodes: 3, provisionS: 60 });
    const { added, removed } = run(group(2, 3), tasks, 2000, ca);
    expect(added).toEqual([70]);
    expect(removed).toEqual([700]);
  });

  it("drains a node under the utilisation threshold when its pods fit elsewhere, and the scheduler places them again", () => {
    // Worst fit spreads two 1-core pods over two 4-core nodes: 25% each, both under the 50% threshold.
    // At 610 s node 0 is drained (its pod fits on node 1) and removed; its pod then runs on node 1,
    // at 50%, which is not under the threshold: it stays.
    const tasks = [0, 1].map((id) => task({ id, arrivalS: 0, runS: 100_000, cpuMilli: 1000, memoryMiB: 1 }));
    const cluster = group(2, 2);
    const ca = new ClusterAutoscaler({ group: "workers", minNodes: 1, maxNodes: 2, provisionS: 60 });
    const { removed } = run(cluster, tasks, 2000, ca, "worst-fit");
    expect(removed).toEqual([610]);
    expect(cluster.isPresent(0)).toBe(false);
    expect(cluster.freeCpuMilli(1)).toBe(2000);
  });
});
