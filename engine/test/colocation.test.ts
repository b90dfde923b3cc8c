import { BatchTier, KOORDINATOR_DEFAULTS } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { task } from "@clustersim/workloads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("the batch tier (Koordinator's co-location)", () => {
  /** Two nodes of 32 cores and 64 GiB; node 0 has 20 cores and 16 GiB allocated to online pods. */
  function tier() {
    const cluster = new ClusterState([
      { cpuMilli: 32_000, memoryMiB: 65_536 },
      { cpuMilli: 32_000, memoryMiB: 65_536 },
    ]);
    cluster.place(0, { cpuMilli: 20_000, memoryMiB: 16_384 });
    return new BatchTier(cluster, KOORDINATOR_DEFAULTS);
  }

  it("batch allocatable is 60% of CPU less online usage, 65% of memory less online requests, averaged over 5 updates", () => {
    const t = tier();
    // Online usage 4 cores on node 0 (of 20 requested), 0 on node 1: batch CPU 19.2 − 4 = 15.2 cores
    // on node 0; memory 65% of 64 GiB = 42,598.4 MiB less 16,384 online = 26,214.4 MiB.
    t.update(Float64Array.of(4000, 0));
    // Node 1 has more batch CPU free (19.2 cores): the least-allocated pick, while it fits.
    expect(t.pick({ cpuMilli: 1000, memoryMiB: 1 })).toBe(1);
    expect(t.pick({ cpuMilli: 19_200, memoryMiB: 1 })).toBe(1);
    expect(t.pick({ cpuMilli: 19_201, memoryMiB: 1 })).toBe(-1);
    // With node 1's batch room taken, node 0 offers exactly 15.2 cores and 26,214.4 MiB.
    t.bound(task({ id: 9, arrivalS: 0, qos: "batch" }), 1, 19_200, 1);
    expect(t.pick({ cpuMilli: 15_200, memoryMiB: 26_214 })).toBe(0);
    expect(t.pick({ cpuMilli: 15_201, memoryMiB: 1 })).toBe(-1);
    expect(t.pick({ cpuMilli: 1, memoryMiB: 26_215 })).toBe(-1);
    // A second update with 12 cores of online use on node 0: its average is 8 cores, 11.2 free.
    t.update(Float64Array.of(12_000, 0));
    expect(t.pick({ cpuMilli: 11_200, memoryMiB: 1 })).toBe(0);
    expect(t.pick({ cpuMilli: 11_201, memoryMiB: 1 })).toBe(-1);
  });

  it("with a predicted room: 60% of CPU less the online usage predicted over the pod's lifetime", () => {
    const cluster = new ClusterState([
      { cpuMilli: 32_000, memoryMiB: 65_536 },
      { cpuMilli: 32_000, memoryMiB: 65_536 },
    ]);
    const reclaim = { predictor: "trend" as const, windowSamples: 30, risk: 0.05, sampleS: 60 };
    const t = new BatchTier(cluster, { ...KOORDINATOR_DEFAULTS, reclaim });
    t.update(Float64Array.of(0, 0));
    // Online usage predicted to reach 4 cores on node 0 and 10 on node 1 within 10 minutes, 12 on node
    // 1 within 30 (the window, which also stands for a pod with no requested run time).
    const asked: number[] = [];
    t.predictOnline = (node, horizonS) => {
      asked.push(horizonS);
      return node === 0 ? 4000 : horizonS <= 600 ? 10_000 : 12_000;
    };
    // Room: node 0 19.2 − 4 = 15.2 cores; node 1 19.2 − 10 = 9.2 for a 10-minute pod, 7.2 for longer.
    expect(t.pick({ cpuMilli: 15_200, memoryMiB: 1, reqTimeS: 600 })).toBe(0);
    expect(t.pick({ cpuMilli: 15_201, memoryMiB: 1, reqTimeS: 600 })).toBe(-1);
    t.bound(task({ id: 9, arrivalS: 0, qos: "batch" }), 0, 15_200, 1);
    expect(t.pick({ cpuMilli: 9200, memoryMiB: 1, reqTimeS: 600 })).toBe(1);
    expect(t.pick({ cpuMilli: 9200, memoryMiB: 1, reqTimeS: 3600 })).toBe(-1);
    expect(t.pick({ cpuMilli: 7200, memoryMiB: 1 })).toBe(1);
    expect([...new Set(asked)]).toEqual([600, 1800]);
  });

  it("suppression: batch pods share 65% of the node less online usage (at least 2 cores), and slow together", () => {
    const t = tier();
    t.update(Float64Array.of(0, 0));
    const a = task({ id: 0, arrivalS: 0, cpuMilli: 8000, memoryMiB: 1, qos: "batch" });
    const b = task({ id: 1, arrivalS: 0, cpuMilli: 8000, memoryMiB: 1, qos: "batch" });
    t.bound(a, 1, 8000, 1);
    t.bound(b, 1, 8000, 1);
    const rates = new Map<number, number>();
    // Online usage 10 cores on node 1: 20.8 − 10 = 10.8 cores for 16 requested: rate 0.675.
    let used = t.suppress(Float64Array.of(0, 10_000), (x, r) => rates.set(x.id, r));
    expect(rates.get(0)).toBeCloseTo(0.675, 12);
    expect(rates.get(1)).toBeCloseTo(0.675, 12);
    expect(used).toBeCloseTo(10_800, 9);
    expect(t.asked).toBe(16_000);
    // Online usage 20 cores: 0.8 left, below the 2-core floor: 2 cores for 16, rate 0.125.
    used = t.suppress(Float64Array.of(0, 20_000), (x, r) => rates.set(x.id, r));
    expect(rates.get(0)).toBeCloseTo(0.125, 12);
    expect(used).toBeCloseTo(2000, 9);
    // Online usage back to 0: 20.8 ≥ 16, full speed.
    t.suppress(Float64Array.of(0, 0), (x, r) => rates.set(x.id, r));
    expect(rates.get(1)).toBe(1);
    // A move of 1% or less leaves the rate where it was, and the CPU in use is counted at that rate:
    // 20.8 − 4.9 = 15.9 of 16 asked is 0.994, not applied: 16 in use.
    expect(t.suppress(Float64Array.of(0, 4900), (x, r) => rates.set(x.id, r))).toBe(16_000);
    expect(rates.get(1)).toBe(1);
  });

  it("places a batch pod only where the node admits it: taints, and its pod count", () => {
    const cluster = new ClusterState([
      { cpuMilli: 32_000, memoryMiB: 65_536, taints: [{ key: "online", value: "only", effect: "NoSchedule" }] },
      { cpuMilli: 32_000, memoryMiB: 65_536, maxPods: 1 },
    ]);
    cluster.place(1, { cpuMilli: 1000, memoryMiB: 1024 });
    const t = new BatchTier(cluster, KOORDINATOR_DEFAULTS);
    t.update(Float64Array.of(0, 0));
    // Node 0 is tainted and node 1 full (its one pod): nowhere, though both have batch room.
    expect(t.pick({ cpuMilli: 1000, memoryMiB: 1 })).toBe(-1);
    expect(
      t.pick({
        cpuMilli: 1000,
        memoryMiB: 1,
        tolerations: [{ key: "online", operator: "Equal", value: "only", effect: "NoSchedule" }],
      }),
    ).toBe(0);
  });

  it("picks as a scan of every node would: most batch CPU free, the lowest node on ties, among nodes that admit the pod", () => {
    // Random clusters (alike nodes for ties, some virtual, some full of pods) under random picks (each
    // found node bound), releases, updates of online usage and nodes going down and up; the reference
    // below is the rule written as a scan of what the test fed. The usage window is one update long,
    // so a node's batch room is 60% of its CPU less the last usage and 65% of its memory less the
    // online requests, less what batch pods hold.
    const node = fc.record({
      cores: fc.constantFrom(8, 16, 32),
      onlineCores: fc.integer({ min: 0, max: 8 }),
      usage: fc.constantFrom(0, 1000, 2500),
      virtual: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
      down: fc.boolean(),
      maxPods: fc.constantFrom(undefined, 1, 2),
    });
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("pick" as const),
        cpu: fc.constantFrom(500, 1000, 4000),
        mem: fc.constantFrom(1, 4096),
      }),
      fc.record({ kind: fc.constant("release" as const), which: fc.nat() }),
      fc.record({ kind: fc.constant("update" as const), usage: fc.array(fc.constantFrom(0, 1500, 6000)) }),
      fc.record({ kind: fc.constant("toggle" as const), which: fc.nat() }),
    );
    const options = { ...KOORDINATOR_DEFAULTS, windowS: KOORDINATOR_DEFAULTS.updateS };
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 40 }), fc.array(op, { maxLength: 60 }), (nodes, ops) => {
        const cluster = new ClusterState(
          nodes.map((n) => ({
            cpuMilli: n.cores * 1000,
            memoryMiB: n.cores * 4096,
            virtual: n.virtual || undefined,
            maxPods: n.maxPods,
          })),
        );
        nodes.forEach((n, i) => {
          if (n.onlineCores > 0 && !n.virtual)
            cluster.place(i, { cpuMilli: n.onlineCores * 1000, memoryMiB: n.onlineCores * 1024 });
          if (n.down) cluster.setUp(i, false);
        });
        const t = new BatchTier(cluster, options);
        const usage: number[] = nodes.map((n) => n.usage);
        t.update(Float64Array.from(usage));
        const usedCpu = new Float64Array(nodes.length);
        const usedMem = new Float64Array(nodes.length);
        const running: Array<{ task: ReturnType<typeof task>; node: number; cpu: number; mem: number; pod: number }> =
          [];
        const scan = (cpu: number, mem: number) => {
          let best = -1;
          let bestFree = -1;
          nodes.forEach((n, i) => {
            if (n.virtual || !cluster.isUp(i)) return;
            const free = Math.max(0, n.cores * 600 - usage[i]) - usedCpu[i];
            const freeMem = Math.max(0, n.cores * 4096 * 0.65 - n.onlineCores * 1024) - usedMem[i];
            if (free < cpu || freeMem < mem) return;
            if (cluster.podsOn(i) >= cluster.maxPods(i)) return;
            if (free > bestFree) [best, bestFree] = [i, free];
          });
          return best;
        };
        let id = 0;
        for (const o of ops) {
          if (o.kind === "pick") {
            const got = t.pick({ cpuMilli: o.cpu, memoryMiB: o.mem });
            expect(got).toBe(scan(o.cpu, o.mem));
            if (got >= 0) {
              // The pod takes no allocatable CPU or memory, but one of the node's pods.
              const pod = cluster.place(got, { cpuMilli: 0, memoryMiB: 0 });
              const b = { task: task({ id: id++, arrivalS: 0, qos: "batch" }), node: got, cpu: o.cpu, mem: o.mem, pod };
              t.bound(b.task, got, o.cpu, o.mem);
              usedCpu[got] += o.cpu;
              usedMem[got] += o.mem;
              running.push(b);
            }
          } else if (o.kind === "release") {
            if (running.length === 0) continue;
            const [b] = running.splice(o.which % running.length, 1);
            t.released(b.task, b.node, b.mem);
            cluster.release(b.pod);
            usedCpu[b.node] -= b.cpu;
            usedMem[b.node] -= b.mem;
          } else if (o.kind === "update") {
            nodes.forEach((n, i) => {
              usage[i] = n.virtual ? 0 : (o.usage[i] ?? usage[i]);
            });
            t.update(Float64Array.from(usage));
          } else {
            const i = o.which % nodes.length;
            cluster.setUp(i, !cluster.isUp(i));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
