import { runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { readCompatJobs } from "@clustersim/rl";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const TRACES = new URL("../../../shared/traces/", import.meta.url).pathname;
const cores = (n: number) => new ClusterState(Array.from({ length: n }, () => ({ cpuMilli: 1000, memoryMiB: 1024 })));
const job = (id: number, arrivalS: number, runS: number, procs: number, extra: Partial<Task> = {}) =>
  task({ id, arrivalS, runS, reqTimeS: runS, procs, cpuMilli: 1000 * procs, memoryMiB: procs, ...extra });

describe("batch run on a published window", () => {
  it("on a Lublin-1 window, every job completes and EASY lowers the bounded slowdown of FCFS", async () => {
    const { jobs: all } = await readCompatJobs(`${TRACES}swf/lublin_256.swf`);
    const window = all
      .slice(1981, 1981 + 1024)
      .map((j, i) => job(i, j.submitS, j.runS, j.procs, { reqTimeS: j.reqTimeS }));
    const run = (backfill: boolean) =>
      runBatch({
        cluster: cores(256),
        placement: createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }),
        policy: "fcfs",
        backfill,
        jobs: window.values(),
      });
    const none = run(false);
    const easy = run(true);
    for (const r of [none, easy]) expect(r.completed).toBe(1024);
    expect(easy.boundedSlowdownSum / 1024).toBeLessThan(none.boundedSlowdownSum / 1024);
    expect(easy.boundedSlowdownSum / 1024).toBeGreaterThanOrEqual(1);
  });
});
