import {
  ClusterAutoscaler,
  type ClusterAutoscalerOptions,
  chooseOption,
  InvariantChecker,
  OnlineLoop,
  Run,
  type RunListener,
  wasteScore,
} from "@clustersim/engine";
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

/** The autoscaler over the one group "workers", of `min` to `max` nodes, provisioned in 60 s. */
const workers = (minNodes: number, maxNodes: number) =>
  new ClusterAutoscaler({ nodeGroups: [{ group: "workers", minNodes, maxNodes, provisionS: 60 }] });

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
    const ca = workers(1, 6);
    const { added } = run(group(1, 8), tasks, 600, ca);
    // The first scan after the arrivals is at 10 s; the nodes join 60 s later.
    expect(added).toEqual([70, 70, 70, 70, 70]);
    expect(ca.added).toBe(5);
  });

  it("removes an empty node after it stays unneeded for 10 minutes, no sooner than 10 minutes after a scale-up", () => {
    // Three nodes; the only task leaves at 100 s. Nodes 1 and 2 are empty from the start, node 0 from 100 s.
    const tasks = [task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 4000, memoryMiB: 1 })];
    const ca = workers(1, 3);
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
    const ca = workers(1, 3);
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
    const ca = workers(1, 2);
    const { removed } = run(cluster, tasks, 2000, ca, "worst-fit");
    expect(removed).toEqual([610]);
    expect(cluster.isPresent(0)).toBe(false);
    expect(cluster.freeCpuMilli(1)).toBe(2000);
  });
});

/**
 * Two node groups: `a` of nodes a0..a(n-1), then `b`; each with its first node present and busy with a
 * task of its whole CPU (so no pending pod fits a present node), the others spare.
 */
function twoGroups(a: { cpu: number; mem: number; count: number }, b: { cpu: number; mem: number; count: number }) {
  const specs = [a, b].flatMap((g, group) =>
    Array.from({ length: g.count }, (_, i) => ({ cpuMilli: g.cpu, memoryMiB: g.mem, group, present: i === 0 })),
  );
  const cluster = new ClusterState(specs);
  const nodeGroup = new Int32Array(specs.map((s) => s.group));
  const busy = [
    task({ id: 1000, arrivalS: 0, runS: 100_000, cpuMilli: a.cpu, memoryMiB: 1 }),
    task({ id: 1001, arrivalS: 0, runS: 100_000, cpuMilli: b.cpu, memoryMiB: 1 }),
  ];
  const groupName = (n: number) => (nodeGroup[n] === 0 ? "a" : "b");
  return { cluster, nodeGroup, busy, groupName };
}

function runGroups(
  g: ReturnType<typeof twoGroups>,
  tasks: ReturnType<typeof task>[],
  untilS: number,
  ca: ClusterAutoscaler,
  seed = 1,
) {
  const added: { node: number; atS: number }[] = [];
  const removed: number[] = [];
  new Run({
    cluster: g.cluster,
    tasks: [...g.busy, ...tasks],
    loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") }) }),
    untilS,
    seed,
    listeners: [
      new InvariantChecker(g.cluster, 1),
      { nodeAdded: (node, atS) => added.push({ node, atS }), nodeRemoved: (_n, atS) => removed.push(atS) },
    ],
    controllers: [ca],
    groups: { names: ["a", "b"], nodeGroup: g.nodeGroup },
  }).runToEndSync();
  return { added, removed, groupsAdded: [...new Set(added.map((x) => g.groupName(x.node)))] };
}

const both = (o: Partial<ClusterAutoscalerOptions> & { priorities?: [number?, number?] } = {}, max = [12, 12]) =>
  new ClusterAutoscaler({
    ...o,
    nodeGroups: ["a", "b"].map((group, i) => ({
      group,
      minNodes: 1,
      maxNodes: max[i],
      provisionS: 60,
      priority: o.priorities?.[i],
    })),
  });

describe("one Cluster Autoscaler over several node groups", () => {
  // 21 pods of 2 cores arrive at 5 s; nodes of 4 cores hold two each: first-fit decreasing needs
  // ⌈21 / 2⌉ = 11 nodes. One group gets them at the 10 s scan; the next scans count those 11 nodes on
  // their way as holding the 21 pods, so no group scales again (one autoscaler per group added 22).
  const pods21 = Array.from({ length: 21 }, (_, i) =>
    task({ id: i, arrivalS: 5, runS: 100_000, cpuMilli: 2000, memoryMiB: 1 }),
  );
  const fourCores = () => twoGroups({ cpu: 4000, mem: 4096, count: 12 }, { cpu: 4000, mem: 4096, count: 12 });

  for (const [expander, priorities] of [
    [["least-waste"], undefined],
    [["most-pods"], undefined],
    [["random"], undefined],
    [["priority"], [1, 2]],
    [
      ["priority", "least-waste"],
      [3, 3],
    ],
  ] as const) {
    it(`adds the 11 nodes first-fit decreasing needs for 21 two-core pods on two groups of 4-core nodes, once (${expander.join(", ")})`, () => {
      const r = runGroups(fourCores(), pods21, 600, both({ expander, priorities: priorities && [...priorities] }));
      expect(r.added).toHaveLength(11);
      expect(r.groupsAdded).toHaveLength(1);
      expect(new Set(r.added.map((x) => x.atS))).toEqual(new Set([70]));
    });
  }

  // The hand-made case: group a of 4-core 4 GiB nodes, group b of 8-core 8 GiB nodes; pending at 5 s:
  // three pods of 3 cores and one of 6 cores, 1 GiB each. The 6-core pod fits only b.
  // - a: the three 3-core pods, one per node (3 + 3 > 4): 3 nodes, 3 pods; waste CPU (12 − 9) / 12 =
  //   0.25, memory (12 − 3) / 12 = 0.75: 1.
  // - b: first-fit decreasing, 6 first: [6], [3, 3], [3]: 3 nodes, 4 pods; waste CPU (24 − 15) / 24 =
  //   0.375, memory (24 − 4) / 24 = 0.8333: 1.2083.
  // least-waste picks a, most-pods b, priority the higher. The first choice is the group whose nodes
  // join at 70 s (a later scan adds b's node for the 6-core pod when a is chosen first).
  const mixed = () => twoGroups({ cpu: 4000, mem: 4096, count: 8 }, { cpu: 8000, mem: 8192, count: 8 });
  const mixedPods = [
    ...[0, 1, 2].map((id) => task({ id, arrivalS: 5, runS: 100_000, cpuMilli: 3000, memoryMiB: 1024 })),
    task({ id: 3, arrivalS: 5, runS: 100_000, cpuMilli: 6000, memoryMiB: 1024 }),
  ];
  const firstChoice = (ca: ClusterAutoscaler, seed = 1) => {
    const g = mixed();
    const r = runGroups(g, mixedPods, 300, ca, seed);
    return [...new Set(r.added.filter((x) => x.atS === 70).map((x) => g.groupName(x.node)))];
  };

  it("least-waste scores as upstream: idle CPU share plus idle memory share of the new nodes", () => {
    const pod = (cpuMilli: number) => ({ cpuMilli, memoryMiB: 1024 });
    const a = {
      group: 0,
      nodeCount: 3,
      pods: [3000, 3000, 3000].map(pod),
      shape: { cpuMilli: 4000, memoryMiB: 4096, gpus: 0 },
    };
    const b = {
      group: 1,
      nodeCount: 3,
      pods: [6000, 3000, 3000, 3000].map(pod),
      shape: { cpuMilli: 8000, memoryMiB: 8192, gpus: 0 },
    };
    expect(wasteScore(a)).toBeCloseTo(0.25 + 0.75, 12);
    expect(wasteScore(b)).toBeCloseTo(9 / 24 + 20 / 24, 12);
    const never = { int: () => Number.NaN };
    expect(chooseOption([b, a], ["least-waste"], never)).toBe(a);
    expect(chooseOption([b, a], ["most-pods"], never)).toBe(b);
  });

  it("least-waste adds the group whose nodes waste least; most-pods the group that holds most pods", () => {
    expect(firstChoice(both({ expander: ["least-waste"] }))).toEqual(["a"]);
    expect(firstChoice(both())).toEqual(["a"]); // least-waste is the default
    expect(firstChoice(both({ expander: ["most-pods"] }))).toEqual(["b"]);
  });

  it("priority adds the group of the highest priority; a group without one is left out while another has one", () => {
    expect(firstChoice(both({ expander: ["priority"], priorities: [10, 20] }))).toEqual(["b"]);
    expect(firstChoice(both({ expander: ["priority"], priorities: [30, 20] }))).toEqual(["a"]);
    expect(firstChoice(both({ expander: ["priority"], priorities: [undefined, 0] }))).toEqual(["b"]);
    // Equal priorities: the next expander decides.
    expect(firstChoice(both({ expander: ["priority", "most-pods"], priorities: [5, 5] }))).toEqual(["b"]);
  });

  it("random: the same seed makes the same choice, and over seeds both groups are chosen", () => {
    const seeds = Array.from({ length: 16 }, (_, i) => i + 1);
    const choices = seeds.map((s) => firstChoice(both({ expander: ["random"] }), s).join());
    expect(seeds.map((s) => firstChoice(both({ expander: ["random"] }), s).join())).toEqual(choices);
    expect(new Set(choices)).toEqual(new Set(["a", "b"]));
  });

  it("never passes --max-nodes-total or --cores-total's maximum", () => {
    // Two nodes present; at most 8 in all: 6 of the 11 nodes the 21 pods need.
    expect(runGroups(fourCores(), pods21, 600, both({ limits: { maxNodesTotal: 8 } })).added).toHaveLength(6);
    // 8 cores present; at most 20: 3 nodes of 4 cores.
    expect(runGroups(fourCores(), pods21, 600, both({ limits: { maxCpuMilli: 20_000 } })).added).toHaveLength(3);
    // A group's own maximum caps its option: a may reach 4 nodes (3 more), b 12 (most-pods picks b's 11).
    const r = runGroups(fourCores(), pods21, 600, both({ expander: ["most-pods"] }, [4, 12]));
    expect(r.groupsAdded).toEqual(["b"]);
    expect(r.added).toHaveLength(11);
  });

  it("never takes the cluster below --cores-total's minimum when scaling down", () => {
    // Three empty 4-core nodes and a 100 s task: 12 cores with a minimum of 8 leave room for one removal.
    const cluster = group(3, 3);
    const ca = new ClusterAutoscaler({
      nodeGroups: [{ group: "workers", minNodes: 0, maxNodes: 3, provisionS: 60 }],
      limits: { minCpuMilli: 8000 },
    });
    const { removed } = run(cluster, [task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 4000, memoryMiB: 1 })], 2000, ca);
    expect(removed).toEqual([610]);
  });

  it("waits out the delay after a scale-up of any group before removing a node of another", () => {
    // a0 busy, a1 empty (unneeded from 10 s: removable at 610 s). A 6-core pod at 300 s fits only b:
    // b scales up at 310 s, and a1 waits until 910 s, ten minutes after it.
    const g = twoGroups({ cpu: 4000, mem: 4096, count: 2 }, { cpu: 8000, mem: 8192, count: 2 });
    g.cluster.setPresent(1, true);
    const pod = task({ id: 0, arrivalS: 300, runS: 100_000, cpuMilli: 6000, memoryMiB: 1 });
    const r = runGroups(g, [pod], 2000, both({}, [2, 2]));
    expect(r.added.map((x) => x.atS)).toEqual([370]);
    expect(r.removed).toEqual([910]);
  });
});
