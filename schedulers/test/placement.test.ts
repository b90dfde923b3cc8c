import { ClusterState, type NodeSpec } from "@clustersim/hardware-models";
import {
  balancedAllocation,
  type CycleContext,
  CycleState,
  createPlacement,
  feasibleNodesToFind,
  fitsFilter,
  leastAllocated,
  leastBalancedKernel,
  mostAllocated,
  nodeFragMilli,
  type Pod,
  Profile,
  strategy,
  strategyNames,
  typicalPods,
  type WeightedScore,
} from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const rng = (seed = 1) => new RandomStreams(seed).get("scheduler");
const pod = (id: number, cpuMilli: number, memoryMiB = 1024, extra: Partial<Pod> = {}): Pod => ({
  id,
  cpuMilli,
  memoryMiB,
  ...extra,
});
const nodes = (...cpus: number[]): NodeSpec[] => cpus.map((c) => ({ cpuMilli: c, memoryMiB: 64 * 1024 }));

/** Apply a strategy's decision the way a run does. */
function place(c: ClusterState, name: string, p: Pod, s = createPlacement(name, {}, { rng: rng() })) {
  const d = s.decide(c, p);
  if (d) {
    c.place(d.node, d.gpuIndex === undefined ? p : { ...p, gpuIndex: d.gpuIndex });
    s.bound?.(c, p, d);
  }
  return d?.node ?? -1;
}

describe("framework", () => {
  it("scores as many nodes as upstream kube-scheduler would", () => {
    expect(feasibleNodesToFind(50, 0)).toBe(50); // small clusters: all
    expect(feasibleNodesToFind(5000, 0)).toBe(500); // 50% - 5000/125 = 10%
    expect(feasibleNodesToFind(100_000, 0)).toBe(5000); // at least 5%
    expect(feasibleNodesToFind(1000, 100)).toBe(1000);
    expect(feasibleNodesToFind(1000, 3)).toBe(100); // at least 100 nodes
  });

  it("breaks ties at random but reproducibly, and uses every tied node", () => {
    const picks = (seed: number) => {
      const c = new ClusterState(nodes(...Array(8).fill(16000)));
      const s = createPlacement("least-allocated", { percentageOfNodesToScore: 100 }, { rng: rng(seed) });
      return Array.from({ length: 200 }, (_, i) => s.decide(c, pod(i, 100))!.node);
    };
    expect(picks(7)).toEqual(picks(7));
    expect(picks(7)).not.toEqual(picks(8));
    expect(new Set(picks(7)).size).toBe(8);
  });

  it("records why and where a pod went when asked", () => {
    const c = new ClusterState(nodes(1000, 4000, 8000));
    const s = createPlacement("most-allocated", { percentageOfNodesToScore: 100 }, { rng: rng() });
    s.record = true;
    const d = s.decide(c, pod(1, 2000))!;
    expect(d.node).toBe(1);
    expect(s.lastRecord!.rejectedBy).toEqual({ NodeResourcesFit: 1 });
    expect(s.lastRecord!.top.map((t) => t.node)).toEqual([1, 2]);
    expect(Object.keys(s.lastRecord!.top[0].scores)).toEqual(["NodeResourcesMostAllocated"]);
  });

  it("knows every strategy by name and checks their parameters", () => {
    expect(strategyNames()).toEqual(
      expect.arrayContaining(["first-fit", "best-fit", "worst-fit", "random", "kubernetes-default", "fgd", "fcfs"]),
    );
    expect(() => createPlacement("bestfit", {}, { rng: rng() })).toThrow(/unknown scheduler "bestfit"/);
    expect(() => createPlacement("kubernetes-default", { percentageOfNodesToScore: 150 }, { rng: rng() })).toThrow();
    expect(strategy("fcfs")!.params.parse({ backfill: "easy" })).toEqual({
      backfill: "easy",
      placement: "first-fit",
      runtime: "requested",
      backfillOrder: "arrival",
    });
    expect(() => strategy("fcfs")!.params.parse({ runtime: "guessed" })).toThrow(/requested|predicted/);
  });
});

/** The fused kernel over every node of `c` picks exactly the nodes the two plugins' totals rank first, in order. */
function expectKernelPicksPlugins(c: ClusterState, p: Pod, wl: number, wb: number) {
  const ctx: CycleContext = { view: c, pod: p, state: new CycleState(), rng: rng() };
  const totals = Array.from(
    { length: c.nodeCount },
    (_, i) => wl * leastAllocated.score(ctx, i) + wb * balancedAllocation.score(ctx, i),
  );
  const best = Math.max(...totals);
  const ties = new Int32Array(c.nodeCount);
  const n = leastBalancedKernel(wl, wb).selectBest(ctx, Int32Array.from(totals.keys()), c.nodeCount, ties);
  expect(Array.from(ties.subarray(0, n))).toEqual([...totals.keys()].filter((i) => totals[i] === best));
}

describe("Kubernetes' default scoring in one pass", () => {
  it("picks the nodes LeastAllocated + BalancedAllocation, weighted, rank first, on any nodes and pod", () => {
    const amount = fc.oneof(fc.integer({ min: 0, max: 256_000 }), fc.double({ min: 0, max: 256_000, noNaN: true }));
    const node = fc.record({ cap: amount, used: amount, capMem: amount, usedMem: amount });
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 1, maxLength: 20 }),
        amount,
        amount,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (specs, cpu, mem, wl, wb) => {
          const c = new ClusterState(specs.map((n) => ({ cpuMilli: n.cap, memoryMiB: n.capMem })));
          // Overfull nodes too: the pod is scored, not checked, here.
          // Placements are whole millicores and MiB; capacities may be fractional (overcommit ratios).
          specs.forEach((n, i) =>
            c.place(i, {
              cpuMilli: Math.floor(Math.min(n.used, n.cap)),
              memoryMiB: Math.floor(Math.min(n.usedMem, n.capMem)),
            }),
          );
          const ctx: CycleContext = { view: c, pod: pod(1, cpu, mem), state: new CycleState(), rng: rng() };
          // All nodes at once, then each with its neighbour: the kernel picks what the totals say, every tied node.
          const totals = specs.map((_, i) => wl * leastAllocated.score(ctx, i) + wb * balancedAllocation.score(ctx, i));
          const kernel = leastBalancedKernel(wl, wb);
          const ties = new Int32Array(specs.length + 1);
          const best = Math.max(...totals);
          const n = kernel.selectBest(ctx, Int32Array.from(specs.keys()), specs.length, ties);
          expect(Array.from(ties.subarray(0, n))).toEqual([...totals.keys()].filter((i) => totals[i] === best));
          for (let a = 0; a < specs.length; a++) {
            const b = (a + 1) % specs.length;
            const m = kernel.selectBest(ctx, Int32Array.of(a, b), 2, ties);
            const want = totals[a] === totals[b] ? [0, 1] : totals[a] > totals[b] ? [0] : [1];
            expect(Array.from(ties.subarray(0, m))).toEqual(want);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("picks the same nodes on many nodes built to tie and to sit on the scores' rounding boundaries", () => {
    // Capacities and amounts on multiples of a hundredth and a two-hundredth of them: totals that are
    // whole numbers before truncation, shares that differ by exact halves, and most nodes tied, which
    // is where a bound that skips nodes could lose a tie.
    const capacity = fc.constantFrom(1000, 3000, 32_000, 6400);
    const node = fc.record({ cap: capacity, capMem: capacity, used: fc.nat(200), usedMem: fc.nat(200) });
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 1, maxLength: 600 }),
        fc.nat(199),
        fc.nat(199),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (specs, cpu, mem, wl, wb) => {
          const c = new ClusterState(specs.map((n) => ({ cpuMilli: n.cap, memoryMiB: n.capMem })));
          specs.forEach((n, i) =>
            c.place(i, {
              cpuMilli: Math.min(n.cap, Math.round((n.used * n.cap) / 200)),
              memoryMiB: Math.min(n.capMem, Math.round((n.usedMem * n.capMem) / 200)),
            }),
          );
          expectKernelPicksPlugins(c, pod(1, 5 * (cpu + 1), 5 * (mem + 1)), wl, wb);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("scores apart nodes alike in what they have free but not in capacity", () => {
    // The fused selection reuses the last exact total for a node with the same free CPU, free memory and
    // capacities; here equal free amounts sit on different capacities side by side.
    const node = fc.record({
      cap: fc.constantFrom(4000, 6000, 8000),
      capMem: fc.constantFrom(4000, 6000, 8000),
      free: fc.constantFrom(2000, 4000),
      freeMem: fc.constantFrom(2000, 4000),
    });
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 2, maxLength: 40 }),
        fc.constantFrom(500, 1000, 2000),
        fc.constantFrom(500, 1000, 2000),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (specs, cpu, mem, wl, wb) => {
          const c = new ClusterState(specs.map((n) => ({ cpuMilli: n.cap, memoryMiB: n.capMem })));
          specs.forEach((n, i) => c.place(i, { cpuMilli: n.cap - n.free, memoryMiB: n.capMem - n.freeMem }));
          expectKernelPicksPlugins(c, pod(1, cpu, mem), wl, wb);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("places every pod where the plugins one by one would (the record path)", () => {
    const c = new ClusterState(
      Array.from({ length: 300 }, (_, i) => ({ cpuMilli: 16000 + 16000 * (i % 3), memoryMiB: 65536 * (1 + (i % 2)) })),
    );
    const fast = createPlacement("kubernetes-default", {}, { rng: rng(3) });
    const slow = createPlacement("kubernetes-default", {}, { rng: rng(3) });
    slow.record = true;
    const sizes = new RandomStreams(5).get("sizes");
    for (let i = 0; i < 2000; i++) {
      const p = pod(i, Math.round(500 + 4000 * sizes.next()), Math.round(1024 + 16384 * sizes.next()));
      const d = fast.decide(c, p);
      expect(slow.decide(c, p)).toEqual(d);
      if (d && sizes.next() < 0.7) c.place(d.node, p);
    }
  });

  it("refuses a kernel that does not fuse the profile's own score plugins", () => {
    const make = (score: WeightedScore[]) =>
      new Profile(
        {
          name: "p",
          filter: [fitsFilter],
          score,
          percentageOfNodesToScore: 100,
          scoreKernel: leastBalancedKernel(1, 1),
        },
        rng(),
      );
    expect(() =>
      make([
        { plugin: leastAllocated, weight: 1 },
        { plugin: mostAllocated, weight: 1 },
      ]),
    ).toThrow(/does not fuse/);
    expect(() =>
      make([
        { plugin: leastAllocated, weight: 1 },
        { plugin: balancedAllocation, weight: 2 },
      ]),
    ).toThrow(/does not fuse/);
    expect(() =>
      make([
        { plugin: leastAllocated, weight: 1 },
        { plugin: balancedAllocation, weight: 1 },
      ]),
    ).not.toThrow();
  });
});

describe("bin-packing strategies", () => {
  it("first fit takes the lowest-numbered node, best fit the tightest, worst fit the emptiest", () => {
    const mk = () => new ClusterState(nodes(8000, 3000, 16000, 4000));
    expect(place(mk(), "first-fit", pod(1, 2500))).toBe(0);
    expect(place(mk(), "best-fit", pod(1, 2500))).toBe(1);
    expect(place(mk(), "worst-fit", pod(1, 2500))).toBe(2);
    expect(place(mk(), "best-fit", pod(1, 20000))).toBe(-1);
  });

  it("Kubernetes' default spreads and MostAllocated packs", () => {
    const mk = () => {
      const c = new ClusterState(nodes(16000, 16000));
      c.place(0, pod(0, 8000, 8192));
      return c;
    };
    expect(place(mk(), "kubernetes-default", pod(1, 1000))).toBe(1);
    expect(place(mk(), "most-allocated", pod(1, 1000))).toBe(0);
  });
});

describe("GPU strategies", () => {
  const gpuNodes = (n: number): NodeSpec[] =>
    Array.from({ length: n }, () => ({ cpuMilli: 64000, memoryMiB: 256 * 1024, gpus: 2, gpuModel: "V100" }));
  const share = (id: number, milli: number): Pod => pod(id, 1000, 1024, { gpus: 1, gpuMilli: milli });

  it("GPU packing puts a share beside another share rather than on an idle GPU", () => {
    const c = new ClusterState(gpuNodes(3));
    c.place(1, share(0, 300));
    expect(place(c, "gpu-packing", share(1, 300))).toBe(1);
  });

  it("respects the pod's GPU models", () => {
    const c = new ClusterState([
      { cpuMilli: 64000, memoryMiB: 1 << 18, gpus: 8, gpuModel: "T4" },
      { cpuMilli: 64000, memoryMiB: 1 << 18, gpus: 1, gpuModel: "A100" },
    ]);
    expect(place(c, "gpu-best-fit", pod(1, 1000, 1024, { gpus: 1, gpuMilli: 1000, gpuModels: ["A100"] }))).toBe(1);
    expect(
      place(
        c,
        "fgd",
        pod(2, 1000, 1024, { gpus: 1, gpuMilli: 1000, gpuModels: ["A100"] }),
        createPlacement("fgd", {}, { rng: rng(), workload: [] }),
      ),
    ).toBe(-1);
  });

  it("fragmentation counts free GPU milli a typical pod cannot use", () => {
    // Typical pods: half whole-GPU pods, half 500-milli shares.
    const typical = typicalPods([
      pod(1, 1000, 1, { gpus: 1, gpuMilli: 1000 }),
      pod(2, 1000, 1, { gpus: 1, gpuMilli: 500 }),
    ]);
    expect(typical.map((t) => t.freq)).toEqual([0.5, 0.5]);
    // GPUs with 1000 and 300 free: the whole-GPU pod cannot use the 300; the share cannot use it either.
    expect(nodeFragMilli(8000, [1000, 300], "", typical)).toBeCloseTo(0.5 * 300 + 0.5 * 300, 10);
    // Without CPU, everything idle is a fragment.
    expect(nodeFragMilli(0, [1000, 300], "", typical)).toBeCloseTo(1300, 10);
  });

  it("FGD puts a share where it fragments least: on the partly used GPU that it fills, not on a fresh GPU", () => {
    const wholeGpuWorkload = [1, 2, 3].map((i) => pod(i, 1000, 1024, { gpus: 1, gpuMilli: 1000 }));
    const c = new ClusterState(gpuNodes(2));
    c.place(0, share(0, 500)); // node 0: GPUs free 500 and 1000
    const s = createPlacement("fgd", {}, { rng: rng(), workload: [...wholeGpuWorkload, share(9, 500)] });
    const d = s.decide(c, share(1, 500))!;
    expect(d).toEqual({ node: 0, gpuIndex: 0 });
  });
});
