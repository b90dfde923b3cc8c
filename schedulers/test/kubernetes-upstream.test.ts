import { ClusterState, type NodeSpec, type Taint, type Toleration } from "@clustersim/hardware-models";
import {
  balancedAllocation,
  Code,
  type CycleContext,
  CycleState,
  createPlacement,
  defaultProfileKernel,
  fitsFilter,
  leastAllocated,
  nodeAffinity,
  type Pod,
  type PreferredSchedulingTerm,
  Profile,
  type ScorePlugin,
  taintToleration,
} from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/**
 * Golden cases ported from kube-scheduler's own tests (Kubernetes v1.33, pkg/scheduler/...), each
 * named after its upstream case. Memory is in MiB here where upstream writes bytes: every case below
 * depends on ratios only, so the scores are upstream's. Cases whose pods set a request to an explicit
 * 0 are left out: here 0 means no request at all (see kubernetes-resources.ts).
 */

const rng = () => new RandomStreams(1).get("scheduler");
const pod = (cpuMilli: number, memoryMiB: number, extra: Partial<Pod> = {}): Pod => ({
  id: 0,
  cpuMilli,
  memoryMiB,
  ...extra,
});
const ctxOf = (view: ClusterState, p: Pod): CycleContext => ({ view, pod: p, state: new CycleState(), rng: rng() });

/** Score every node with one plugin and normalise, as a test of upstream's Score + NormalizeScore. */
function scores(plugin: ScorePlugin, c: ClusterState, p: Pod): number[] {
  const ctx = ctxOf(c, p);
  const out = Float64Array.from({ length: c.nodeCount }, (_, i) => plugin.score(ctx, i));
  plugin.normalize?.(out, c.nodeCount);
  return Array.from(out);
}

/** A cluster with pods already bound: [node, cpu, memory] each. */
function cluster(nodes: NodeSpec[], placed: [number, number, number][] = []): ClusterState {
  const c = new ClusterState(nodes);
  for (const [n, cpuMilli, memoryMiB] of placed) c.place(n, { cpuMilli, memoryMiB });
  return c;
}

describe("NodeResourcesFit filter: pods per node (fit_test.go, TestNotEnoughRequests)", () => {
  // Upstream: a node of 10m CPU, 20 memory and 1 allowed pod, already running a pod of (10m, 20).
  const full = (maxPods: number) => cluster([{ cpuMilli: 10, memoryMiB: 20, maxPods }], [[0, 10, 20]]);
  const filter = (c: ClusterState, p: Pod) => fitsFilter.filter(ctxOf(c, p), 0);

  it("even without specified resources, predicate fails when there's no space for additional pod", () => {
    expect(filter(full(1), pod(0, 0))).toBe(Code.Unschedulable);
  });

  it("even if both resources fit, predicate fails when there's no space for additional pod", () => {
    // Upstream's pod (1m, 1) and existing pod (5m, 5) on a (10m, 20, 1 pod) node.
    const c = cluster([{ cpuMilli: 10, memoryMiB: 20, maxPods: 1 }], [[0, 5, 5]]);
    expect(filter(c, pod(1, 1))).toBe(Code.Unschedulable);
    const roomy = cluster([{ cpuMilli: 10, memoryMiB: 20, maxPods: 2 }], [[0, 5, 5]]);
    expect(filter(roomy, pod(1, 1))).toBe(Code.Success);
  });

  it("the limit holds in the bulk walk and for every strategy, and frees up when a pod leaves", () => {
    const c = new ClusterState([
      { cpuMilli: 64000, memoryMiB: 65536, maxPods: 2 },
      { cpuMilli: 64000, memoryMiB: 65536, maxPods: 2 },
    ]);
    const ids = [c.place(0, pod(100, 100)), c.place(0, pod(100, 100))];
    expect(c.fits(0, pod(100, 100))).toBe(false);
    const out = new Int32Array(2);
    expect(c.collectFitting(pod(100, 100), 0, 2, out)).toEqual([1, 2]);
    expect(out[0]).toBe(1);
    for (const name of ["first-fit", "best-fit", "kubernetes-default"])
      expect(createPlacement(name, {}, { rng: rng() }).decide(c, pod(100, 100))?.node).toBe(1);
    c.release(ids[0]);
    expect(c.fits(0, pod(100, 100))).toBe(true);
  });
});

describe("TaintToleration score (taint_toleration_test.go, TestTaintTolerationScore)", () => {
  const prefer = (key: string, value: string): Taint => ({ key, value, effect: "PreferNoSchedule" });
  const tol = (key: string, value: string, effect: Toleration["effect"]): Toleration => ({
    key,
    operator: "Equal",
    value,
    effect,
  });
  const nodes = (...taints: Taint[][]): ClusterState =>
    new ClusterState(taints.map((t) => ({ cpuMilli: 4000, memoryMiB: 4096, taints: t })));

  it("node with taints tolerated by the pod, gets a higher score than those node with intolerable taints", () => {
    const c = nodes([prefer("foo", "bar")], [prefer("foo", "blah")]);
    expect(scores(taintToleration, c, pod(1, 1, { tolerations: [tol("foo", "bar", "PreferNoSchedule")] }))).toEqual([
      100, 0,
    ]);
  });

  it("the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has", () => {
    const c = nodes([], [prefer("cpu-type", "arm64")], [prefer("cpu-type", "arm64"), prefer("disk-type", "ssd")]);
    const p = pod(1, 1, {
      tolerations: [tol("cpu-type", "arm64", "PreferNoSchedule"), tol("disk-type", "ssd", "PreferNoSchedule")],
    });
    expect(scores(taintToleration, c, p)).toEqual([100, 100, 100]);
  });

  it("the more intolerable taints a node has, the lower score it gets.", () => {
    const c = nodes([], [prefer("cpu-type", "arm64")], [prefer("cpu-type", "arm64"), prefer("disk-type", "ssd")]);
    expect(scores(taintToleration, c, pod(1, 1, { tolerations: [tol("foo", "bar", "PreferNoSchedule")] }))).toEqual([
      100, 50, 0,
    ]);
  });

  it("only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function", () => {
    const c = nodes(
      [],
      [{ key: "cpu-type", value: "arm64", effect: "NoSchedule" }],
      [prefer("cpu-type", "arm64"), prefer("disk-type", "ssd")],
    );
    const p = pod(1, 1, {
      tolerations: [tol("cpu-type", "arm64", "NoSchedule"), tol("disk-type", "ssd", "NoSchedule")],
    });
    expect(scores(taintToleration, c, p)).toEqual([100, 100, 0]);
  });

  it("Default behaviour No taints and tolerations, lands on node with no taints", () => {
    const c = nodes([], [prefer("cpu-type", "arm64")]);
    expect(scores(taintToleration, c, pod(1, 1))).toEqual([100, 0]);
    // And through the default profile (fused kernel): the untainted node wins.
    expect(createPlacement("kubernetes-default", {}, { rng: rng() }).decide(c, pod(1, 1))?.node).toBe(0);
  });
});

describe("NodeAffinity score (node_affinity_test.go, TestNodeAffinityPriority)", () => {
  const label1 = { foo: "bar" };
  const label2 = { key: "value" };
  const label3 = { az: "az1" };
  const label4 = { abc: "az11", def: "az22" };
  const label5 = { foo: "bar", key: "value", az: "az1" };
  const inTerm = (weight: number, ...kv: [string, string][]): PreferredSchedulingTerm => ({
    weight,
    matchExpressions: kv.map(([key, v]) => ({ key, operator: "In", values: [v] })),
  });
  const affinity1 = [inTerm(2, ["foo", "bar"])];
  const affinity2 = [
    inTerm(2, ["foo", "bar"]),
    inTerm(4, ["key", "value"]),
    inTerm(5, ["foo", "bar"], ["key", "value"], ["az", "az1"]),
  ];
  const nodes = (...labels: Record<string, string>[]) =>
    new ClusterState(labels.map((l) => ({ cpuMilli: 4000, memoryMiB: 4096, labels: l })));

  it("all nodes are same priority as NodeAffinity is nil", () => {
    expect(scores(nodeAffinity, nodes(label1, label2, label3), pod(1, 1))).toEqual([0, 0, 0]);
  });

  it("no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero", () => {
    expect(scores(nodeAffinity, nodes(label4, label2, label3), pod(1, 1, { preferredAffinity: affinity1 }))).toEqual([
      0, 0, 0,
    ]);
  });

  it("only node1 matches the preferred scheduling requirements of pod", () => {
    expect(scores(nodeAffinity, nodes(label1, label2, label3), pod(1, 1, { preferredAffinity: affinity1 }))).toEqual([
      100, 0, 0,
    ]);
  });

  it("all nodes matches the preferred scheduling requirements of pod but with different priorities", () => {
    // Raw sums 2, 11, 4; normalised 100·2/11 = 18, 100, 100·4/11 = 36.
    const c = nodes(label1, label5, label2);
    expect(scores(nodeAffinity, c, pod(1, 1, { preferredAffinity: affinity2 }))).toEqual([18, 100, 36]);
    // Through the default profile: node5 (index 1) wins on affinity alone, the resources being equal.
    expect(
      createPlacement("kubernetes-default", {}, { rng: rng() }).decide(c, pod(1, 1, { preferredAffinity: affinity2 }))
        ?.node,
    ).toBe(1);
  });
});

describe("BalancedAllocation (balanced_allocation_test.go, TestNodeResourcesBalancedAllocation)", () => {
  // Upstream's pods: cpuOnly (1000m + 2000m, no memory), cpuAndMemory (1000m + 2000m, 2000 + 3000).
  const cpuOnly = [3000, 0] as const;
  const cpuAndMemory = [3000, 5000] as const;
  const node = (cpuMilli: number, memoryMiB: number): NodeSpec => ({ cpuMilli, memoryMiB });

  it("nothing scheduled, nothing requested, skip in PreScore", () => {
    // Skipped: the plugin adds nothing on any node (here: 0 everywhere).
    expect(scores(balancedAllocation, cluster([node(4000, 10000), node(4000, 10000)]), pod(0, 0))).toEqual([0, 0]);
  });

  it("nothing scheduled, resources requested, differently sized nodes", () => {
    const c = cluster([node(4000, 10000), node(6000, 10000)]);
    expect(scores(balancedAllocation, c, pod(...cpuAndMemory))).toEqual([87, 100]);
  });

  it("resources requested, pods scheduled with resources", () => {
    const c = cluster(
      [node(10000, 20000), node(10000, 20000)],
      [
        [0, ...cpuOnly],
        [1, ...cpuAndMemory],
      ],
    );
    expect(scores(balancedAllocation, c, pod(...cpuAndMemory))).toEqual([82, 95]);
  });

  it("resources requested, pods scheduled with resources, differently sized nodes", () => {
    const c = cluster(
      [node(10000, 20000), node(10000, 50000)],
      [
        [0, ...cpuOnly],
        [1, ...cpuAndMemory],
      ],
    );
    expect(scores(balancedAllocation, c, pod(...cpuAndMemory))).toEqual([82, 80]);
  });

  it("requested resources at node capacity", () => {
    const c = cluster(
      [node(6000, 10000), node(6000, 10000)],
      [
        [0, ...cpuOnly],
        [1, ...cpuAndMemory],
      ],
    );
    expect(scores(balancedAllocation, c, pod(...cpuOnly))).toEqual([50, 75]);
  });
});

describe("LeastAllocated (least_allocated_test.go, TestLeastAllocatedScoringStrategy)", () => {
  it("nothing scheduled, resources requested, differently sized nodes", () => {
    const c = cluster([
      { cpuMilli: 4000, memoryMiB: 10000 },
      { cpuMilli: 6000, memoryMiB: 10000 },
    ]);
    expect(scores(leastAllocated, c, pod(3000, 5000))).toEqual([37, 50]);
  });
});

describe("zero requests in the whole score (schedule_one_test.go, TestZeroRequest)", () => {
  // Upstream: two nodes of 1000m and 10 × 200 MiB; node1 runs `large` (300m, 600 MiB) and a pod without
  // requests, node2 `large` and `small` (100m, 200 MiB: the defaults). NodeResourcesFit (LeastAllocated)
  // and BalancedAllocation, weight 1 each. Totals worked by hand for v1.33 (upstream's own expectations
  // add a spreading plugin's 100 and predate the best-effort skip):
  // - LeastAllocated counts the request-less pod, placed or being placed, as 100m and 200 MiB:
  //   with `small` or no requests: CPU (1000 − 500)·100/1000 = 50, memory (2000 − 1000)·100/2000 = 50 → 50;
  //   with `large`: CPU 300, memory 300 → 30.
  // - BalancedAllocation uses the requests as they are: with `small`, node1 CPU 0.4 and memory 0.4, node2
  //   0.5 and 0.5 → 100 on both; with `large`, 0.6/0.6 and 0.7/0.7 → 100; the request-less pod is
  //   best-effort and skipped → 0.
  const c = () =>
    cluster(
      [
        { cpuMilli: 1000, memoryMiB: 2000 },
        { cpuMilli: 1000, memoryMiB: 2000 },
      ],
      [
        [0, 300, 600],
        [0, 0, 0],
        [1, 300, 600],
        [1, 100, 200],
      ],
    );
  const totals = (p: Pod): number[] => {
    const profile = new Profile(
      {
        name: "fit-and-balanced",
        filter: [fitsFilter],
        score: [
          { plugin: leastAllocated, weight: 1 },
          { plugin: balancedAllocation, weight: 1 },
        ],
        percentageOfNodesToScore: 100,
      },
      rng(),
    );
    profile.record = true;
    profile.decide(c(), p);
    return profile.lastRecord!.top.sort((a, b) => a.node - b.node).map((t) => t.total);
  };

  it("test priority of zero-request pod with node with zero-request pod", () => {
    expect(totals(pod(0, 0))).toEqual([50, 50]);
  });
  it("test priority of nonzero-request pod with node with zero-request pod", () => {
    expect(totals(pod(100, 200))).toEqual([150, 150]);
  });
  it("test priority of larger pod with node with zero-request pod", () => {
    expect(totals(pod(300, 600))).toEqual([130, 130]);
  });
});

describe("the default profile's fused kernel", () => {
  it("picks the nodes the four plugins one by one rank first, with taints, labels and preferred terms", () => {
    const taint = fc.constantFrom<Taint[]>(
      [],
      [{ key: "a", value: "1", effect: "PreferNoSchedule" }],
      [
        { key: "a", value: "1", effect: "PreferNoSchedule" },
        { key: "b", value: "2", effect: "PreferNoSchedule" },
      ],
      [{ key: "b", value: "2", effect: "NoSchedule" }],
    );
    const labels = fc.constantFrom({}, { zone: "x" }, { zone: "y", gen: "3" }, { gen: "5" });
    const node = fc.record({
      cap: fc.integer({ min: 1, max: 64_000 }),
      used: fc.integer({ min: 0, max: 64_000 }),
      capMem: fc.integer({ min: 1, max: 256_000 }),
      usedMem: fc.integer({ min: 0, max: 256_000 }),
      empty: fc.integer({ min: 0, max: 3 }),
      taints: taint,
      labels,
    });
    const terms = fc.constantFrom<PreferredSchedulingTerm[] | undefined>(
      undefined,
      [{ weight: 10, matchExpressions: [{ key: "zone", operator: "In", values: ["x"] }] }],
      [
        { weight: 3, matchExpressions: [{ key: "zone", operator: "Exists" }] },
        { weight: 7, matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] },
      ],
    );
    const tolerations = fc.constantFrom<Toleration[] | undefined>(undefined, [{ key: "a", operator: "Exists" }]);
    const plugins = [
      { plugin: taintToleration, weight: 3 },
      { plugin: nodeAffinity, weight: 2 },
      { plugin: leastAllocated, weight: 1 },
      { plugin: balancedAllocation, weight: 1 },
    ];
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 8000 }),
        fc.integer({ min: 0, max: 16_000 }),
        terms,
        tolerations,
        (specs, cpu, mem, preferredAffinity, tols) => {
          const c = new ClusterState(
            specs.map((n) => ({
              cpuMilli: n.cap,
              memoryMiB: n.capMem,
              taints: n.taints,
              labels: n.labels as Readonly<Record<string, string>>,
            })),
          );
          // Pods already there tolerate everything (they may sit on NoSchedule nodes).
          const any: Toleration[] = [{ key: "", operator: "Exists" }];
          specs.forEach((n, i) => {
            c.place(i, {
              cpuMilli: Math.min(n.used, n.cap),
              memoryMiB: Math.min(n.usedMem, n.capMem),
              tolerations: any,
            });
            for (let k = 0; k < n.empty; k++) c.place(i, { cpuMilli: 0, memoryMiB: 0, tolerations: any });
          });
          const ctx = ctxOf(c, pod(cpu, mem, { preferredAffinity, tolerations: tols }));
          const total = new Array(specs.length).fill(0);
          for (const { plugin, weight } of plugins) {
            const s = Float64Array.from(specs, (_, i) => plugin.score(ctx, i));
            plugin.normalize?.(s, specs.length);
            s.forEach((v, i) => {
              total[i] += weight * v;
            });
          }
          const best = Math.max(...total);
          const ties = new Int32Array(specs.length);
          const n = defaultProfileKernel(3, 2, 1, 1).selectBest(ctx, Int32Array.from(specs.keys()), specs.length, ties);
          expect(Array.from(ties.subarray(0, n))).toEqual([...total.keys()].filter((i) => total[i] === best));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("is what the kubernetes-default profile runs, and only with exactly its plugins", () => {
    const make = (weights: number[]) =>
      new Profile(
        {
          name: "p",
          filter: [fitsFilter],
          score: [taintToleration, nodeAffinity, leastAllocated, balancedAllocation].map((plugin, k) => ({
            plugin,
            weight: weights[k],
          })),
          percentageOfNodesToScore: 100,
          scoreKernel: defaultProfileKernel(3, 2, 1, 1),
        },
        rng(),
      );
    expect(() => make([3, 2, 1, 1])).not.toThrow();
    expect(() => make([3, 2, 1, 2])).toThrow(/does not fuse/);
  });
});
