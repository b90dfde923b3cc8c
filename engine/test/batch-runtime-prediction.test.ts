import { runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const firstFit = () => createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") });

/** One 4-core node; a job of `cores` cores by `user`, requesting 1,000 s unless told. */
const job = (id: number, user: string, arrivalS: number, runS: number, cores: number, reqTimeS = 1000): Task =>
  task({ id, app: user, arrivalS, runS, reqTimeS, procs: 1, cpuMilli: 1000 * cores, memoryMiB: 1 });

function starts(jobs: Task[], o: { runtime?: "requested" | "predicted"; backfillOrder?: "arrival" | "shortest" }) {
  const seen: Record<number, number> = {};
  const r = runBatch({
    cluster: new ClusterState([{ cpuMilli: 4000, memoryMiB: 1024 }]),
    placement: firstFit(),
    policy: "fcfs",
    backfill: true,
    ...o,
    jobs: jobs.values(),
    onStart: (t, now) => {
      seen[t.id] = now;
    },
  });
  return { seen, r };
}

describe("EASY backfilling with predicted run times", () => {
  // Users u and w each complete two jobs alone (u: 10 s twice, w: 100 s twice), so from then on u's jobs
  // are predicted 10 s and w's 100 s, against requests of 1,000 s. At 300 s C (w, 2 cores, runs 150 s)
  // starts, predicted to end at 400 s; D (u, 4 cores) is blocked behind it; E (u, 2 cores, 10 s) comes
  // at 302 s and F (u, 2 cores, 10 s) at 401 s.
  const jobs = [
    job(1, "u", 0, 10, 4),
    job(2, "u", 20, 10, 4),
    job(3, "w", 40, 100, 4),
    job(4, "w", 150, 100, 4),
    job(5, "w", 300, 150, 2), // C
    job(6, "u", 301, 10, 4), // D
    job(7, "u", 302, 10, 2), // E
    job(8, "u", 401, 10, 2), // F
  ];

  it("with requests, nothing backfills: D's reservation (C's requested end, 1,300 s) is too near", () => {
    // E would end at 1,302 s, past the reservation, and leaves no room for D then: it waits for D.
    const { seen, r } = starts(jobs, { runtime: "requested" });
    expect(seen).toMatchObject({ 5: 300, 6: 450, 7: 460, 8: 460 });
    expect(r).toMatchObject({ underpredicted: 0, corrections: 0 });
  });

  it("with predictions, E backfills before C's predicted end, and F after C outlives it and it is corrected", () => {
    // E: 302 + 10 ≤ 400. C runs past 400 s: its prediction becomes 100 + 60 s (ending at 460 s), so F
    // (401 + 10 ≤ 460) backfills too. Uncorrected, the reservation would be "now" and F would wait.
    const { seen, r } = starts(jobs, { runtime: "predicted" });
    expect(seen).toMatchObject({ 5: 300, 6: 450, 7: 302, 8: 401 });
    expect(r).toMatchObject({ completed: 8, underpredicted: 1, corrections: 1 });
    // Bounded slowdowns use the real run times: D waited 149 s of a 10 s run.
    expect(r.waitSumS).toBe(149);
  });
});

describe("corrections of a prediction", () => {
  it("go through every step, then to the request, and stop once the prediction is past the run", () => {
    // u's two 10 s jobs make the third's prediction 10 s; it runs 400,000 s of a 10⁷ s request. The
    // steps take it to 10 + 360,000 s (11 corrections), still short: the 12th sets the request.
    const jobs = [job(1, "u", 0, 10, 4), job(2, "u", 20, 10, 4), job(3, "u", 40, 400_000, 4, 1e7)];
    const { r } = starts(jobs, { runtime: "predicted" });
    expect(r).toMatchObject({ completed: 3, underpredicted: 1, corrections: 12 });
  });
});

describe("the order backfilling tries jobs in", () => {
  // X (2 cores, 100 s) runs; H (4 cores) is blocked until 100 s; L (2 cores, 90 s) and S (2 cores, 5 s)
  // come together at 2 s, L first. Requests are exact.
  const jobs = [
    job(1, "", 0, 100, 2, 100), // X
    job(2, "", 1, 10, 4, 10), // H
    job(3, "", 2, 90, 2, 90), // L
    job(4, "", 2, 5, 2, 5), // S
  ];

  it("arrival order (EASY) backfills L, and S only when L is done", () => {
    expect(starts(jobs, { backfillOrder: "arrival" }).seen).toEqual({ 1: 0, 2: 100, 3: 2, 4: 92 });
  });

  it("shortest first (SJBF) backfills S, then L when S is done (7 + 90 ≤ 100)", () => {
    expect(starts(jobs, { backfillOrder: "shortest" }).seen).toEqual({ 1: 0, 2: 100, 3: 7, 4: 2 });
  });
});
