import { type CompatJob, runCompatWindow, SCORES } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";

const job = (id: number, submitS: number, runS: number, procs: number, reqTimeS = runS): CompatJob => ({
  id,
  submitS,
  runS,
  reqTimeS,
  procs,
});

describe("RLScheduler compatibility profile, by hand", () => {
  // A 4-node machine: a long 3-node job runs; a 4-node job blocks; a short 1-node job could backfill.
  const jobs = [job(1, 0, 100, 3), job(2, 1, 10, 4), job(3, 2, 50, 1)];

  it("without backfilling the blocked job holds everyone behind it", () => {
    const r = runCompatWindow(jobs, 0, 3, { policy: "fcfs", backfill: false, nodes: 4, procsPerNode: 1 });
    // job 1 starts at 0; job 2 at 100 (after job 1); job 3 at 110 (after job 2).
    const bsld = [1, (100 - 1 + 10) / 10, (110 - 2 + 50) / 50];
    expect(r.boundedSlowdown).toBeCloseTo(bsld.reduce((a, b) => a + b) / 3, 12);
    expect(r.utilisation).toBeCloseTo((100 * 3 + 10 * 4 + 50 * 1) / ((110 - 0) * 4), 12);
  });

  it("EASY backfills a job that ends before the blocked job's reservation", () => {
    const r = runCompatWindow(jobs, 0, 3, { policy: "fcfs", backfill: true, nodes: 4, procsPerNode: 1 });
    // job 3 arrives at 2 while job 2 waits for t=100, needs 1 free node, ends at 52 < 100: starts at 2.
    const bsld = [1, (100 - 1 + 10) / 10, 1];
    expect(r.boundedSlowdown).toBeCloseTo(bsld.reduce((a, b) => a + b) / 3, 12);
  });

  it("EASY does not backfill a job that would delay the reservation", () => {
    const long = [job(1, 0, 100, 3), job(2, 1, 10, 4), job(3, 2, 500, 1)];
    const r = runCompatWindow(long, 0, 3, { policy: "fcfs", backfill: true, nodes: 4, procsPerNode: 1 });
    const bsld = [1, (100 - 1 + 10) / 10, (110 - 2 + 500) / 500];
    expect(r.boundedSlowdown).toBeCloseTo(bsld.reduce((a, b) => a + b) / 3, 12);
  });

  it("the chosen job blocks the queue; SJF then picks the shortest of those waiting", () => {
    // j2 is chosen when it is the only job waiting and holds the queue until t=100 while j3 and j4 arrive.
    const q = [job(1, 0, 100, 4), job(2, 1, 50, 4), job(3, 2, 90, 4), job(4, 3, 10, 4)];
    const sjf = runCompatWindow(q, 0, 4, { policy: "sjf", backfill: false, nodes: 4, procsPerNode: 1 });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
    expect(sjf.boundedSlowdown).toBeCloseTo(
      mean([1, (100 - 1 + 50) / 50, (160 - 2 + 90) / 90, (150 - 3 + 10) / 10]),
      12,
    );
    const fcfs = runCompatWindow(q, 0, 4, { policy: "fcfs", backfill: false, nodes: 4, procsPerNode: 1 });
    expect(fcfs.boundedSlowdown).toBeCloseTo(
      mean([1, (100 - 1 + 50) / 50, (150 - 2 + 90) / 90, (240 - 3 + 10) / 10]),
      12,
    );
  });

  it("scores follow the paper's formulas", () => {
    const j = { submitS: 1000, reqTimeS: 100, procs: 8 };
    expect(SCORES.f1.primary(j, 0)).toBeCloseTo(2 * 8 + 870 * 3, 10);
    expect(SCORES.wfp3.primary(j, 200)).toBeCloseTo(-8 * 8, 10);
    expect(SCORES.uni.primary(j, 200)).toBeCloseTo(-(200 + 1e-15) / (3 * 100), 10);
    expect([SCORES.sjf.primary(j, 0), SCORES.sjf.secondary(j, 0)]).toEqual([100, 1000]);
  });

  it("rejects a window outside the job list", () => {
    expect(() => runCompatWindow(jobs, 2, 3, { policy: "fcfs", backfill: false, nodes: 4, procsPerNode: 1 })).toThrow(
      /outside/,
    );
  });
});
