import { type PoolTask, poolDramSavings, rejectionRate } from "@clustersim/hardware-models";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

/** Memory-heavy tasks with widely varying footprints: the case pooling helps (stranding). */
function tasks(n: number): PoolTask[] {
  const r = new RandomStreams(1).get("tasks");
  const out: PoolTask[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += r.exponential(1 / 8);
    out.push({
      arrivalS: t,
      runS: r.exponential(1 / 3600),
      cpuMilli: 1000 * r.int(1, 8),
      memoryMiB: r.lognormal(Math.log(16_384), 0.9),
    });
  }
  return out;
}

describe("DRAM saved by CXL pools at the same rejection rate", () => {
  const work = tasks(8000);
  const base = { nodes: 64, nodeCpuMilli: 64_000, nodeMemoryMiB: 256 * 1024 };

  it("is nothing without sharing and grows with the pool size", () => {
    const saved = [1, 4, 16].map((poolNodes) => poolDramSavings(work, { ...base, poolNodes }));
    expect(saved[0].dramSaved).toBe(0);
    expect(saved[1].dramSaved).toBeGreaterThan(0.02);
    expect(saved[2].dramSaved).toBeGreaterThan(saved[1].dramSaved);
    for (const s of saved.slice(1)) expect(s.pooledRejection).toBeLessThanOrEqual(s.baselineRejection);
  });

  it("measures rejections: a cluster too small for the load rejects, a large one does not", () => {
    const small = Array.from({ length: 4 }, () => ({ cpuMilli: 64_000, memoryMiB: 64 * 1024 }));
    const large = Array.from({ length: 256 }, () => ({ cpuMilli: 64_000, memoryMiB: 2048 * 1024 }));
    expect(rejectionRate(small, [], work)).toBeGreaterThan(0.3);
    expect(rejectionRate(large, [], work)).toBe(0);
  });
});
