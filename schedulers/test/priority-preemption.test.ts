import { preemptionVictims } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";

const job = (name: string, priority: number, startS: number, seq: number, cores: number) => ({
  name,
  priority,
  startS,
  seq,
  cpuMilli: cores * 1000,
  memoryMiB: cores * 1024,
  gpuMilli: 0,
});
const cores = (n: number) => ({ cpuMilli: n * 1000, memoryMiB: n * 1024, gpuMilli: 0 });

describe("the batch queue's preemption plan", () => {
  // Running: a (priority 0, started at 10 s, 2 cores), b (0, 30 s, 2), c (1, 5 s, 4), d (5, 0 s, 4).
  const running = [job("a", 0, 10, 1, 2), job("b", 0, 30, 2, 2), job("c", 1, 5, 3, 4), job("d", 5, 0, 4, 4)];

  it("takes the lowest priority first, the latest started among equals, and stops once the need is covered", () => {
    // Priority 3 needing 3 cores with 0 free: b (latest start at priority 0) gives 2, then a gives 4 ≥ 3.
    expect(preemptionVictims(running, 3, cores(3), cores(0))?.map((j) => j.name)).toEqual(["b", "a"]);
    // With 1 core free, b's 2 cores are enough.
    expect(preemptionVictims(running, 3, cores(3), cores(1))?.map((j) => j.name)).toEqual(["b"]);
  });

  it("never takes a job of equal or higher priority, and refuses when all lower ones would not make room", () => {
    // Priority 1 may take a and b only (4 cores): 6 cores needed with 1 free is out of reach.
    expect(preemptionVictims(running, 1, cores(6), cores(1))).toBeNull();
    expect(preemptionVictims(running, 1, cores(5), cores(1))?.map((j) => j.name)).toEqual(["b", "a"]);
    // Priority 0 may take nothing.
    expect(preemptionVictims(running, 0, cores(1), cores(0))).toBeNull();
  });

  it("takes at least one victim (a job that fits already needs no preemption), breaking start ties by later arrival", () => {
    const tied = [job("x", 0, 10, 1, 1), job("y", 0, 10, 2, 1)];
    expect(preemptionVictims(tied, 1, cores(1), cores(8))?.map((j) => j.name)).toEqual(["y"]);
  });
});
