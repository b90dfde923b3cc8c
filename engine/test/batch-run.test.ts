import { runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const cores = (n: number) => new ClusterState(Array.from({ length: n }, () => ({ cpuMilli: 1000, memoryMiB: 1024 })));
const firstFit = () => createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") });
const job = (id: number, arrivalS: number, runS: number, procs: number, extra: Partial<Task> = {}) =>
  task({ id, arrivalS, runS, reqTimeS: runS, procs, cpuMilli: 1000 * procs, memoryMiB: procs, ...extra });

function starts(
  jobs: Task[],
  opts: { policy?: "fcfs" | "sjf" | "wfp3"; backfill?: boolean; preemption?: boolean; nodes?: number } = {},
) {
  const seen: Record<number, number[]> = {};
  const r = runBatch({
    cluster: cores(opts.nodes ?? 4),
    placement: firstFit(),
    policy: opts.policy ?? "fcfs",
    backfill: opts.backfill ?? false,
    preemption: opts.preemption,
    jobs: jobs.values(),
    onStart: (t, now) => (seen[t.id] ??= []).push(now),
  });
  return { seen, r };
}

describe("batch run", () => {
  // 4 one-core nodes: job 1 takes 3 for 100 s, job 2 needs all 4, job 3 needs 1 for 50 s.
  const jobs = [job(1, 0, 100, 3), job(2, 1, 10, 4), job(3, 2, 50, 1)];

  it("FCFS without backfilling holds every job behind the head", () => {
    const { seen, r } = starts(jobs);
    expect(seen).toEqual({ 1: [0], 2: [100], 3: [110] });
    expect(r).toMatchObject({ submitted: 3, completed: 3, preempted: 0, neverScheduled: 0 });
    expect(r.waitSumS).toBe(0 + 99 + 108);
  });

  it("EASY backfills a job that ends before the head's reservation, not one that would delay it", () => {
    expect(starts(jobs, { backfill: true }).seen).toEqual({ 1: [0], 2: [100], 3: [2] });
    const long = [job(1, 0, 100, 3), job(2, 1, 10, 4), job(3, 2, 500, 1)];
    expect(starts(long, { backfill: true }).seen).toEqual({ 1: [0], 2: [100], 3: [110] });
  });

  it("EASY also backfills a long job that fits in the capacity left beside the reservation", () => {
    // 4 nodes: job 1 holds 2 until 100; job 2 needs 3 (reserved at 100, leaving 1 extra); job 3 (1 core, 500 s) may start.
    const extra = [job(1, 0, 100, 2), job(2, 1, 10, 3), job(3, 2, 500, 1)];
    expect(starts(extra, { backfill: true }).seen).toEqual({ 1: [0], 2: [100], 3: [2] });
  });

  it("orders by the policy with the real wait: SJF starts the shorter waiting job first", () => {
    const q = [job(1, 0, 100, 4), job(2, 1, 50, 4), job(3, 2, 10, 4)];
    expect(starts(q, { policy: "sjf" }).seen).toEqual({ 1: [0], 3: [100], 2: [110] });
    expect(starts(q, { policy: "fcfs" }).seen).toEqual({ 1: [0], 2: [100], 3: [150] });
  });

  it("places a gang all at once or not at all", () => {
    // Job 2 needs 3 of 4 nodes while job 1 holds 2: nothing of job 2 may start early.
    const { seen, r } = starts([job(1, 0, 100, 2), job(2, 1, 10, 3)]);
    expect(seen).toEqual({ 1: [0], 2: [100] });
    expect(r.completed).toBe(2);
  });

  it("lets a higher-priority job evict lower-priority work, which then starts over", () => {
    const q = [job(1, 0, 100, 2), job(2, 10, 30, 1, { priority: 1 })];
    const { seen, r } = starts(q, { nodes: 2, preemption: true });
    expect(seen).toEqual({ 1: [0, 40], 2: [10] });
    expect(r).toMatchObject({ preempted: 1, completed: 2 });
    expect(r.lastEndS).toBe(140);
    // Without preemption the high-priority job waits.
    expect(starts(q, { nodes: 2 }).seen).toEqual({ 1: [0], 2: [100] });
  });
});
