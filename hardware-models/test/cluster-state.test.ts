import { ClusterState, FitIndex, NodeOrderIndex, type NodeSpec, type Request } from "@clustersim/hardware-models";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** The obvious best fit: scan every node, least free CPU among those that fit. */
function naiveBestFreeCpu(c: ClusterState, r: Request): number {
  let best = Infinity;
  for (let i = 0; i < c.nodeCount; i++) if (c.fits(i, r)) best = Math.min(best, c.freeCpuMilli(i));
  return best;
}

describe("ClusterState", () => {
  it("places, releases and refuses what does not fit", () => {
    const c = new ClusterState([
      { cpuMilli: 4000, memoryMiB: 8192 },
      { cpuMilli: 2000, memoryMiB: 4096 },
    ]);
    const a = c.place(0, { cpuMilli: 3000, memoryMiB: 1024 });
    expect([c.freeCpuMilli(0), c.freeMemoryMiB(0), c.placements]).toEqual([1000, 7168, 1]);
    expect(() => c.place(0, { cpuMilli: 1500, memoryMiB: 1 })).toThrow(/does not fit node 0/);
    c.release(a);
    expect([c.freeCpuMilli(0), c.placements]).toEqual([4000, 0]);
    expect(() => c.release(a)).toThrow(/not applied/);
    expect(() => c.release(99)).toThrow(/not applied/);
  });

  it("resizes a placement's CPU in place: free CPU, totals and the best-fit index move by the difference", () => {
    const c = new ClusterState([
      { cpuMilli: 4000, memoryMiB: 4096 },
      { cpuMilli: 4000, memoryMiB: 4096 },
    ]);
    const a = c.place(0, { cpuMilli: 1000, memoryMiB: 512 });
    c.place(1, { cpuMilli: 2500, memoryMiB: 512 });
    const small = { cpuMilli: 1, memoryMiB: 1 };
    expect(c.bestFitNode(small)).toBe(1); // 1500 m free against node 0's 3000 m
    c.resize(a, 3000);
    // Node 0: 1000 m free, the tightest now; booked 3000 + 2500; utilisation 3000/4000 + 2500/4000.
    expect([c.freeCpuMilli(0), c.cpuMilliOf(a), c.bestFitNode(small)]).toEqual([1000, 3000, 0]);
    expect(c.totals(-1).allocatedCpuMilli).toBe(5500);
    expect(c.totals(-1).cpuUtilisationSum).toBeCloseTo(1.375, 12);
    expect(c.totals(-1).pods).toBe(2);
    expect(() => c.resize(a, 4500)).toThrow(/by 1500 m does not fit node 0 \(1000 m free\)/);
    c.resize(a, 500);
    expect([c.freeCpuMilli(0), c.totals(-1).allocatedCpuMilli]).toEqual([3500, 3000]);
    // Released, it gives back what it holds now: 500 m.
    c.release(a);
    expect([c.freeCpuMilli(0), c.totals(-1).allocatedCpuMilli]).toEqual([4000, 2500]);
    expect(c.totals(-1).cpuUtilisationSum).toBeCloseTo(0.625, 12);
    expect(() => c.resize(a, 100)).toThrow(/not applied/);
    const none = c.place(0, { cpuMilli: 0, memoryMiB: 1 });
    expect(() => c.resize(none, 100)).toThrow(/placed without a CPU request/);
    expect(() => c.resize(none, 10.5)).toThrow(/whole millicores above 0/);
  });

  it("honours overcommit ratios", () => {
    const c = new ClusterState([{ cpuMilli: 1000, memoryMiB: 1000, cpuOvercommit: 2 }]);
    c.place(0, { cpuMilli: 1500, memoryMiB: 500 });
    expect(c.fits(0, { cpuMilli: 500, memoryMiB: 500 })).toBe(true);
    expect(c.fits(0, { cpuMilli: 501, memoryMiB: 1 })).toBe(false);
  });

  it("shares GPUs in thousandths (best fit among a node's GPUs) and hands out whole GPUs", () => {
    const c = new ClusterState([{ cpuMilli: 64_000, memoryMiB: 262_144, gpus: 2, gpuModel: "V100M32" }]);
    const s1 = c.place(0, { cpuMilli: 1000, memoryMiB: 1, gpus: 1, gpuMilli: 600 });
    c.place(0, { cpuMilli: 1000, memoryMiB: 1, gpus: 1, gpuMilli: 300 }); // onto the same GPU: the tighter fit
    expect([c.gpuFreeMilli(0, 0), c.gpuFreeMilli(0, 1)]).toEqual([100, 1000]);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, gpus: 2, gpuMilli: 1000 })).toBe(false);
    const whole = c.place(0, { cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuMilli: 1000 });
    expect(c.gpuFreeMilli(0, 1)).toBe(0);
    c.release(whole);
    c.release(s1);
    expect([c.gpuFreeMilli(0, 0), c.gpuFreeMilli(0, 1), c.gpuModel(0)]).toEqual([700, 1000, "V100M32"]);
  });

  it("puts a share on the GPU the scheduler chose, and only on a GPU model the request accepts", () => {
    const c = new ClusterState([{ cpuMilli: 64_000, memoryMiB: 262_144, gpus: 2, gpuModel: "T4" }]);
    c.place(0, { cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuMilli: 500, gpuIndex: 1 });
    expect([c.gpuFreeMilli(0, 0), c.gpuFreeMilli(0, 1)]).toEqual([1000, 500]);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuMilli: 600, gpuIndex: 1 })).toBe(false);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuMilli: 600, gpuIndex: 2 })).toBe(false);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuMilli: 1000, gpuModels: ["A100", "T4"] })).toBe(true);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, gpus: 1, gpuMilli: 1000, gpuModels: ["A100"] })).toBe(false);
    // A request without GPUs ignores models.
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, gpuModels: ["A100"] })).toBe(true);
  });

  it("lets memory spill from full local DRAM into the node's CXL pool when asked", () => {
    const c = new ClusterState(
      [
        { cpuMilli: 8000, memoryMiB: 1000, cxlPool: 0 },
        { cpuMilli: 8000, memoryMiB: 1000 },
      ],
      [500],
    );
    const big = { cpuMilli: 1000, memoryMiB: 1200 };
    expect([c.fits(0, big), c.fits(1, big)]).toEqual([false, false]);
    expect([c.fits(0, { ...big, spillToPool: true }), c.fits(1, { ...big, spillToPool: true })]).toEqual([true, false]);
    expect(c.bestFitNode({ ...big, spillToPool: true })).toBe(0);
    const id = c.place(0, { ...big, spillToPool: true });
    expect([c.poolMiBOf(id), c.freeMemoryMiB(0), c.poolUsedMiB(0)]).toEqual([200, 0, 200]);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 301, spillToPool: true })).toBe(false); // pool has 300 left
    c.release(id);
    expect([c.freeMemoryMiB(0), c.poolUsedMiB(0)]).toEqual([1000, 0]);
  });

  it("takes a failed node out of placement and back", () => {
    const c = new ClusterState([
      { cpuMilli: 1000, memoryMiB: 1000 },
      { cpuMilli: 2000, memoryMiB: 1000 },
    ]);
    c.setUp(0, false);
    expect(c.bestFitNode({ cpuMilli: 500, memoryMiB: 10 })).toBe(1);
    c.setUp(0, true);
    expect(c.bestFitNode({ cpuMilli: 500, memoryMiB: 10 })).toBe(0);
  });

  type Op =
    | { kind: "place"; cpu: number; mem: number; gpus: number; milli: number }
    | { kind: "release"; which: number }
    | { kind: "fail"; node: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant("place" as const),
        cpu: fc.integer({ min: 0, max: 9000 }),
        mem: fc.integer({ min: 0, max: 40 }),
        gpus: fc.constantFrom(0, 0, 1, 2),
        milli: fc.constantFrom(250, 500, 1000),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("release" as const), which: fc.nat(100) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("fail" as const), node: fc.nat(9) }) },
  );

  it("keeps its invariants and finds the true best fit under random place/release sequences", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const specs: NodeSpec[] = Array.from({ length: 10 }, (_, i) => ({
          cpuMilli: 4000 + 1000 * (i % 4),
          memoryMiB: 64,
          gpus: i % 3,
          cpuOvercommit: i === 0 ? 1.5 : 1,
        }));
        const c = new ClusterState(specs);
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === "place") {
            const r: Request = {
              cpuMilli: o.cpu,
              memoryMiB: o.mem,
              gpus: o.gpus,
              gpuMilli: o.gpus === 1 ? o.milli : 1000,
            };
            const node = c.bestFitNode(r);
            const best = naiveBestFreeCpu(c, r);
            if (node < 0) expect(best).toBe(Infinity);
            else {
              expect(c.fits(node, r)).toBe(true);
              expect(c.freeCpuMilli(node)).toBe(best);
              live.push(c.place(node, r));
            }
          } else if (o.kind === "release" && live.length > 0) {
            c.release(live.splice(o.which % live.length, 1)[0]);
          } else if (o.kind === "fail") {
            c.setUp(o.node, !c.isUp(o.node));
          }
          for (let i = 0; i < c.nodeCount; i++) {
            expect(c.freeCpuMilli(i)).toBeGreaterThanOrEqual(0);
            expect(c.freeMemoryMiB(i)).toBeGreaterThanOrEqual(0);
            expect(c.freeCpuMilli(i)).toBeLessThanOrEqual(c.allocatableCpuMilli(i));
            for (let g = 0; g < c.gpuCount(i); g++) expect(c.gpuFreeMilli(i, g)).toBeGreaterThanOrEqual(0);
          }
          expect(c.placements).toBe(live.length);
        }
        // Releasing everything restores every node exactly.
        for (const id of live) c.release(id);
        for (let i = 0; i < c.nodeCount; i++) {
          expect(c.freeCpuMilli(i)).toBe(c.allocatableCpuMilli(i));
          for (let g = 0; g < c.gpuCount(i); g++) expect(c.gpuFreeMilli(i, g)).toBe(1000);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("FitIndex", () => {
  it("finds the lowest feasible CPU level holding enough memory", () => {
    const ix = new FitIndex(4, 10_000);
    ix.update(0, 8000, 10);
    ix.update(1, 3000, 1);
    ix.update(2, 3000, 50);
    ix.update(3, 9000, 100);
    expect(ix.bestFit(2500, 5)).toBe(2);
    expect(ix.bestFit(2500, 60)).toBe(3);
    expect(ix.bestFit(9500, 1)).toBe(-1);
    ix.update(2, 3000, 2); // shrinks: the level's maximum must fall
    expect(ix.bestFit(2500, 5)).toBe(0);
    ix.remove(0);
    expect(ix.bestFit(2500, 5)).toBe(3);
  });
});

describe("ClusterState network, DPUs and taints", () => {
  it("without a DPU, pod traffic takes host CPU for virtio (0.8 core at 14.5 Gbps); with one, none", async () => {
    const { DPUS } = await import("@clustersim/hardware-models");
    const c = new ClusterState([
      { cpuMilli: 8000, memoryMiB: 1e6, nicGbps: 100 },
      { cpuMilli: 8000, memoryMiB: 1e6, nicGbps: 100, dpu: DPUS["bluefield-3"] },
    ]);
    const a = c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 14.5 });
    c.place(1, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 14.5 });
    expect(c.infraCpuMilli(0)).toBeCloseTo(800, 9);
    expect(c.freeCpuMilli(0)).toBeCloseTo(8000 - 1000 - 800, 9);
    expect(c.freeCpuMilli(1)).toBe(7000);
    // 6.2 cores free on node 0. A second pod of 10.5 Gbps costs its own virtio on the measured curve,
    // 0.8/14.5 · 10.5 = 0.5793 core → 580 millicores (not the 0.2 core the node's 25 Gbps in all would
    // add on the curve): it fits with up to 5620 millicores of its own.
    expect(c.fits(0, { cpuMilli: 5620, memoryMiB: 1, nicGbps: 10.5 })).toBe(true);
    expect(c.fits(0, { cpuMilli: 5621, memoryMiB: 1, nicGbps: 10.5 })).toBe(false);
    expect(c.fits(0, { cpuMilli: 6100, memoryMiB: 1 })).toBe(true);
    c.release(a);
    expect([c.freeCpuMilli(0), c.infraCpuMilli(0)]).toEqual([8000, 0]);
    expect(c.fits(0, { cpuMilli: 1, memoryMiB: 1, nicGbps: 101 })).toBe(false);
  });

  it("charges each pod's virtio traffic on the per-microVM curve and sums over the node's pods", () => {
    // Two pods of 12.5 Gbps: each 0.8/14.5 · 12.5 = 0.6897 core → 690 millicores, 1380 in all; the curve
    // applied to the node's 25 Gbps would say 1 core. A pod of 40 Gbps: 1 core (held beyond 25 Gbps [U]).
    const c = new ClusterState([{ cpuMilli: 16000, memoryMiB: 1e6, nicGbps: 100 }]);
    const a = c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 12.5 });
    c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 12.5 });
    expect(c.infraCpuMilli(0)).toBe(1380);
    expect(c.freeCpuMilli(0)).toBe(16000 - 2000 - 1380);
    c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 40 });
    expect(c.infraCpuMilli(0)).toBe(2380);
    c.release(a);
    expect(c.infraCpuMilli(0)).toBe(1690);
    expect(c.freeCpuMilli(0)).toBe(16000 - 2000 - 1690);
  });

  it("keeps each group's DPUs up and the sum of their loads (traffic over line rate, at most 1)", async () => {
    const { DPUS } = await import("@clustersim/hardware-models");
    const bf3 = DPUS["bluefield-3"]; // 400 Gbps
    const c = new ClusterState([
      { cpuMilli: 8000, memoryMiB: 1e6, dpu: bf3, group: 0 },
      { cpuMilli: 8000, memoryMiB: 1e6, dpu: bf3, group: 0, present: false },
      { cpuMilli: 8000, memoryMiB: 1e6, group: 1 },
    ]);
    expect([c.totals(0).dpusUp, c.totals(1).dpusUp, c.totals(-1).dpusUp]).toEqual([1, 0, 1]);
    // 100 Gbps then 200 more on node 0: load 0.25, then 0.75; 200 more would be 1.25, held at 1.
    const a = c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 100 });
    expect(c.totals(0).dpuLoadSum).toBeCloseTo(0.25, 12);
    const b = c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 200 });
    const d = c.place(0, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 200 });
    expect(c.totals(0).dpuLoadSum).toBeCloseTo(1, 12);
    c.release(d);
    expect(c.totals(0).dpuLoadSum).toBeCloseTo(0.75, 12);
    // Traffic on a node without a DPU loads no DPU.
    c.place(2, { cpuMilli: 1000, memoryMiB: 1, nicGbps: 100 });
    expect([c.totals(1).dpuLoadSum, c.totals(-1).dpuLoadSum]).toEqual([0, c.totals(0).dpuLoadSum]);
    // A DPU counts up with its node: down, added, removed.
    c.setUp(0, false);
    expect(c.totals(0).dpusUp).toBe(0);
    c.setPresent(1, true);
    expect(c.totals(0).dpusUp).toBe(1);
    c.setUp(0, true);
    expect(c.totals(0).dpusUp).toBe(2);
    c.setPresent(1, false);
    expect(c.totals(0).dpusUp).toBe(1);
    c.release(a);
    c.release(b);
    expect(c.totals(0).dpuLoadSum).toBeCloseTo(0, 12);
  });

  it("direct-NIC pods each take a virtual function: the DPU's 126 cap the node", async () => {
    const { DPUS } = await import("@clustersim/hardware-models");
    const c = new ClusterState([
      { cpuMilli: 1e6, memoryMiB: 1e6, dpu: DPUS["bluefield-2"] },
      { cpuMilli: 1e6, memoryMiB: 1e6 },
    ]);
    const r = { cpuMilli: 1, memoryMiB: 1, directNic: true };
    const ids = Array.from({ length: 126 }, () => c.place(0, r));
    expect(c.fits(0, r)).toBe(false);
    expect(c.bestFitNode(r)).toBe(-1); // node 1 has no VFs at all
    c.release(ids[0]);
    expect(c.freeVfs(0)).toBe(1);
    expect(c.bestFitNode(r)).toBe(0);
  });

  it("keeps pods off tainted nodes unless tolerated, and honours nodeSelector", () => {
    const vmOnly = [{ key: "isolation", value: "vm", effect: "NoSchedule" as const }];
    const c = new ClusterState([
      { cpuMilli: 1000, memoryMiB: 100, taints: vmOnly, labels: { pool: "secure" } },
      { cpuMilli: 4000, memoryMiB: 100, labels: { pool: "general" } },
    ]);
    const plain = { cpuMilli: 500, memoryMiB: 1 };
    expect(c.bestFitNode(plain)).toBe(1);
    expect(c.bestFitNode({ ...plain, tolerations: [{ key: "isolation", value: "vm" }] })).toBe(0);
    expect(c.bestFitNode({ ...plain, tolerations: [{ key: "isolation", value: "container" }] })).toBe(1);
    expect(c.bestFitNode({ ...plain, tolerations: [{ key: "", operator: "Exists" }] })).toBe(0);
    expect(
      c.bestFitNode({
        ...plain,
        tolerations: [{ key: "isolation", operator: "Exists" }],
        nodeSelector: { pool: "general" },
      }),
    ).toBe(1);
    expect(c.bestFitNode({ ...plain, nodeSelector: { pool: "gpu" } })).toBe(-1);
    expect(c.labels(0)).toEqual({ pool: "secure" });
  });
});

describe("ClusterState with CXL pools", () => {
  it("takes the pooled part of a task's memory from the node's pool, shared by its members", () => {
    const c = new ClusterState(
      [
        { cpuMilli: 8000, memoryMiB: 1000, cxlPool: 0 },
        { cpuMilli: 8000, memoryMiB: 1000, cxlPool: 0 },
        { cpuMilli: 8000, memoryMiB: 1000 },
      ],
      [1500],
    );
    const big = { cpuMilli: 1000, memoryMiB: 1800, poolMiB: 900 };
    expect(c.fits(2, big)).toBe(false); // no pool there
    const a = c.place(0, big);
    expect([c.freeMemoryMiB(0), c.poolUsedMiB(0), c.poolFreeMiB(0)]).toEqual([100, 900, 600]);
    expect(c.fits(1, big)).toBe(false); // the pool has 600 MiB left
    expect(c.bestFitNode({ cpuMilli: 1000, memoryMiB: 1500, poolMiB: 600 })).toBe(1);
    c.release(a);
    expect([c.freeMemoryMiB(0), c.poolUsedMiB(0)]).toEqual([1000, 0]);
    expect(() => new ClusterState([{ cpuMilli: 1, memoryMiB: 1, cxlPool: 3 }], [10])).toThrow(
      /cxlPool must index one of the 1 pools, found 3/,
    );
  });
});

describe("the placement index at scale", () => {
  it("agrees with a full scan on 20,000 operations over 500 heterogeneous nodes", async () => {
    const { RandomStreams } = await import("@clustersim/sim-core");
    const r = new RandomStreams(5).get("ops");
    const c = new ClusterState(
      Array.from({ length: 500 }, () => ({
        cpuMilli: 1000 * r.pick([16, 32, 64, 96]),
        memoryMiB: 4096 * r.int(16, 96),
      })),
    );
    const live: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (live.length > 0 && r.next() < 0.45) {
        c.release(live.splice(r.int(0, live.length - 1), 1)[0]);
        continue;
      }
      const req = { cpuMilli: r.int(100, 12_000), memoryMiB: r.int(100, 60_000) };
      const node = c.bestFitNode(req);
      const best = naiveBestFreeCpu(c, req);
      if (node < 0) expect(best).toBe(Infinity);
      else {
        if (c.freeCpuMilli(node) !== best)
          throw new Error(`op ${i}: index chose free CPU ${c.freeCpuMilli(node)}, scan ${best}`);
        live.push(c.place(node, req));
      }
    }
    expect(live.length).toBeGreaterThan(1000);
  });
});

describe("NodeOrderIndex", () => {
  it("finds the next node with both the CPU and the memory, past ranges whose maxima come from different nodes", () => {
    const ix = new NodeOrderIndex(6);
    [
      [8, 1],
      [1, 8],
      [2, 2],
      [9, 9],
      [0, 0],
      [5, 5],
    ].forEach(([c, m], i) => ix.update(i, c, m));
    expect(ix.next(0, 5, 5)).toBe(3); // nodes 0 and 1 pass one test each; their parent passes both
    expect(ix.next(4, 5, 5)).toBe(5);
    expect(ix.next(0, 10, 1)).toBe(-1);
    ix.remove(3);
    expect(ix.next(0, 5, 5)).toBe(5);
    expect(ix.next(6, 0, 0)).toBe(-1);
  });

  it("agrees with a scan under random updates", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(
          fc.tuple(
            fc.tuple(
              fc.nat(39),
              fc.integer({ min: -1, max: 9 }),
              fc.nat(9),
              fc.integer({ min: -1, max: 4 }),
              fc.nat(3),
            ),
            fc.tuple(
              fc.nat(40),
              fc.nat(9),
              fc.nat(9),
              fc.constantFrom(-Infinity, 0, 2),
              fc.constantFrom(-Infinity, 1, 2),
            ),
          ),
          { maxLength: 60 },
        ),
        (n, ops) => {
          const ix = new NodeOrderIndex(n);
          const keys = Array.from({ length: n }, () => [-Infinity, -Infinity, -Infinity, -Infinity]);
          for (const [[node, c, m, share, whole], [from, qc, qm, qs, qw]] of ops) {
            const i = node % n;
            if (c < 0) {
              ix.remove(i);
              keys[i] = [-Infinity, -Infinity, -Infinity, -Infinity];
            } else {
              ix.update(i, c, m, share, whole);
              keys[i] = [c, m, share, whole];
            }
            let want = -1;
            for (let k = from; k < n; k++) {
              const [kc, km, ks, kw] = keys[k]!;
              if (kc >= qc && km >= qm && ks >= qs && kw >= qw) {
                want = k;
                break;
              }
            }
            expect(ix.next(from, qc, qm, qs, qw)).toBe(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("collectFitting", () => {
  /** Whether a request's GPUs fit a node, by hand from its GPUs' free thousandths (openb's rules). */
  function gpusFit(c: ClusterState, node: number, r: Request): boolean {
    const gpus = r.gpus ?? 0;
    if (gpus === 0) return true;
    if (r.gpuModels && !r.gpuModels.includes(c.gpuModel(node))) return false;
    const free = Array.from({ length: c.gpuCount(node) }, (_, g) => c.gpuFreeMilli(node, g));
    const milli = r.gpuMilli ?? 1000;
    if (gpus === 1 && milli < 1000) return free.some((f) => f >= milli);
    return free.filter((f) => f === 1000).length >= gpus;
  }

  /** Kubernetes' filter walk, node by node: what collectFitting must reproduce. */
  function walk(c: ClusterState, r: Request, start: number, want: number): [number[], number] {
    const found: number[] = [];
    let scanned = 0;
    for (let node = start; scanned < c.nodeCount && found.length < want; scanned++) {
      const fits = c.fits(node, r);
      if (fits && !gpusFit(c, node, r)) throw new Error(`node ${node} said to fit a request its GPUs cannot hold`);
      if (fits) found.push(node);
      if (++node === c.nodeCount) node = 0;
    }
    return [found, scanned];
  }

  /** collectFitting finds what the walk finds and stops where it stops; returns how many it found. */
  function expectWalkFinds(c: ClusterState, r: Request, start: number, want: number, out: Int32Array): number {
    const [found, scanned] = c.collectFitting(r, start, want, out);
    const [expected, expectedScanned] = walk(c, r, start, want);
    expect([Array.from(out.subarray(0, found)), scanned]).toEqual([expected, expectedScanned]);
    return found;
  }

  const taint = { key: "tenant", value: "vm", effect: "NoSchedule" as const };
  const specs: NodeSpec[] = Array.from({ length: 37 }, (_, i) => ({
    cpuMilli: 2000 + 1000 * (i % 5),
    memoryMiB: 64 + 32 * (i % 3),
    gpus: i % 4 === 0 ? 2 : i % 5 === 1 ? 4 : 0,
    gpuModel: i % 3 === 0 ? "V100M32" : "T4",
    nicGbps: i % 2 === 0 ? 25 : 100,
    cxlPool: i % 6 === 0 ? 0 : undefined,
    labels: { zone: i % 2 === 0 ? "a" : "b" },
    taints: i % 7 === 3 ? [taint] : undefined,
  }));
  const request: fc.Arbitrary<Request> = fc.record(
    {
      cpuMilli: fc.integer({ min: 0, max: 7000 }),
      memoryMiB: fc.integer({ min: 0, max: 160 }),
      gpus: fc.constantFrom(0, 0, 0, 1, 1, 2),
      gpuMilli: fc.constantFrom(0, 300, 700, 1000),
      gpuModels: fc.constantFrom(undefined, ["T4"]),
      nicGbps: fc.constantFrom(0, 0, 10, 60),
      spillToPool: fc.boolean(),
      tolerations: fc.constantFrom(undefined, [{ key: "tenant", operator: "Exists" as const }]),
      nodeSelector: fc.constantFrom(undefined, { zone: "a" }),
    },
    { requiredKeys: ["cpuMilli", "memoryMiB"] },
  );

  it("on GPU nodes alone, finds exactly the nodes whose CPU, memory and GPUs fit, checked by hand", () => {
    // Shares of 300, 500 and 700 thousandths leave GPUs with exactly what a later request asks: the
    // boundaries the index and the check must get right. Runs of nodes without GPUs send the walk
    // through the index.
    const gpuSpecs: NodeSpec[] = Array.from({ length: 23 }, (_, i) => ({
      cpuMilli: 8000,
      memoryMiB: 64,
      gpus: i % 5 === 4 || i % 7 === 6 ? [1, 2, 4][i % 3] : 0,
      gpuModel: i % 3 === 0 ? "V100M32" : "T4",
    }));
    const gpuRequest: fc.Arbitrary<Request> = fc.record(
      {
        cpuMilli: fc.constantFrom(0, 500, 3000),
        memoryMiB: fc.constantFrom(0, 8),
        gpus: fc.constantFrom(1, 1, 1, 2, 3),
        gpuMilli: fc.constantFrom(0, 300, 500, 700, 1000),
        gpuModels: fc.constantFrom(undefined, ["T4"], ["V100M32"]),
      },
      { requiredKeys: ["cpuMilli", "memoryMiB", "gpus", "gpuMilli"] },
    );
    const byHand = (c: ClusterState, node: number, r: Request) =>
      c.isUp(node) && c.freeCpuMilli(node) >= r.cpuMilli && c.freeMemoryMiB(node) >= r.memoryMiB && gpusFit(c, node, r);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(gpuRequest, fc.nat(22), fc.integer({ min: 1, max: 30 }), fc.nat(4)), { maxLength: 120 }),
        (steps) => {
          const c = new ClusterState(gpuSpecs);
          const out = new Int32Array(c.nodeCount);
          const live: number[] = [];
          for (const [r, start, want, action] of steps) {
            const [found] = c.collectFitting(r, start, want, out);
            const expected: number[] = [];
            for (let k = 0; k < c.nodeCount && expected.length < want; k++) {
              const node = (start + k) % c.nodeCount;
              if (byHand(c, node, r)) expected.push(node);
            }
            expect(Array.from(out.subarray(0, found))).toEqual(expected);
            if (action <= 1 && found > 0) live.push(c.place(out[found - 1]!, r));
            else if (action === 2 && live.length > 0) c.release(live.splice(start % live.length, 1)[0]!);
            else if (action === 3) c.setUp(start, !c.isUp(start));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes whole blocks of nodes that all fit as a node-by-node walk would, on many similar nodes", () => {
    // 150 nodes: four whole blocks of 32 and a tail. Requests for CPU and memory alone, so that the
    // walk goes through the blocks; pod limits, a few taints and failures break blocks up; placements
    // lower a block's minimum and releases raise it.
    const similar: NodeSpec[] = Array.from({ length: 150 }, (_, i) => ({
      cpuMilli: 4000 + 1000 * (i % 2),
      memoryMiB: 64,
      maxPods: 6,
      taints: i === 40 || i === 41 || i === 140 ? [taint] : undefined,
    }));
    const plain: fc.Arbitrary<Request> = fc.record(
      {
        cpuMilli: fc.integer({ min: 0, max: 3000 }),
        memoryMiB: fc.integer({ min: 0, max: 40 }),
        tolerations: fc.constantFrom(undefined, undefined, [{ key: "tenant", operator: "Exists" as const }]),
      },
      { requiredKeys: ["cpuMilli", "memoryMiB"] },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(plain, fc.nat(149), fc.integer({ min: 1, max: 160 }), fc.nat(5)), { maxLength: 150 }),
        (steps) => {
          const c = new ClusterState(similar);
          const out = new Int32Array(c.nodeCount);
          const live: number[] = [];
          for (const [r, start, want, action] of steps) {
            const found = expectWalkFinds(c, r, start, want, out);
            // Fill the found nodes, free placements, or fail or repair a node.
            if (action <= 1) for (let k = 0; k < found; k += 2) live.push(c.place(out[k], r));
            else if (action <= 3)
              for (let k = 0; k < 8 && live.length > 0; k++) c.release(live.splice((start + k) % live.length, 1)[0]);
            else if (action === 4) c.setUp(start, !c.isUp(start));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("finds what a node-by-node walk finds, and says where that walk would stop", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(request, fc.nat(36), fc.integer({ min: 1, max: 40 }), fc.nat(3)), { maxLength: 80 }),
        (steps) => {
          const c = new ClusterState(specs, [400]);
          const out = new Int32Array(c.nodeCount);
          const live: number[] = [];
          for (const [r, start, want, action] of steps) {
            const found = expectWalkFinds(c, r, start, want, out);
            // Then change the cluster: place the request where it fits first, free a placement, or fail or repair a node.
            if (action === 0 && found > 0) live.push(c.place(out[0], r));
            else if (action === 1 && live.length > 0) c.release(live.splice(start % live.length, 1)[0]);
            else if (action === 2) c.setUp(start, !c.isUp(start));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
