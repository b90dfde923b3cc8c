import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueueEnv } from "@clustersim/engine";
import {
  evaluateQueue,
  InputError,
  PUBLISHED_STARTS,
  readCompatJobs,
  type TrainRlOptions,
  type TrainRlResult,
  trainRl as trainAny,
} from "@clustersim/experiments";
import { describe, expect, it } from "vitest";

/** Training of a queue environment file (its result is the queue's). */
const trainRl = async (file: string, o: TrainRlOptions) => (await trainAny(file, o)) as TrainRlResult;

const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;

/** An environment file of 64-job episodes on Lublin-1 with the given training settings. */
function envFile(train: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-rl-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 64\ntrain: ${train}\n`);
  return file;
}

describe("train-rl: PPO on the queue environment", () => {
  it("resumes from a checkpoint to the very bytes of an uninterrupted training", async () => {
    const file = envFile(
      "{ epochs: 3, trajectories: 3, trainPiIters: 3, trainVIters: 3, seed: 5, validationStarts: [0, 64], validationJobs: 64 }",
    );
    const whole = await trainRl(file, { out: join(file, "..", "whole") });
    const half = await trainRl(file, { out: join(file, "..", "half"), epochs: 2 });
    expect(half.checkpoint.epoch).toBe(2);
    const resumed = await trainRl(file, { out: join(file, "..", "half"), resume: join(half.dir, "checkpoint.json") });
    expect(resumed.epochsRun).toBe(1);
    for (const f of ["checkpoint.json", "curve.csv", "curve.svg", "agent.json"]) {
      expect(readFileSync(join(resumed.dir, f), "utf8"), f).toBe(readFileSync(join(whole.dir, f), "utf8"));
    }
    const curve = readFileSync(join(whole.dir, "curve.csv"), "utf8").trim().split("\n");
    expect(curve[0]).toBe(
      "epoch,episodes,meanReward,meanBoundedSlowdown,meanUtilisation,policyLoss,valueLoss,kl,piIters,validationBoundedSlowdown",
    );
    expect(curve).toHaveLength(4);
    // agent.json is the epoch with the lowest validation figure, as a checkpoint of its own.
    const validation = curve.slice(1).map((l) => Number(l.split(",").at(-1)));
    const agent = JSON.parse(readFileSync(join(whole.dir, "agent.json"), "utf8"));
    expect(agent.epoch).toBe(validation.indexOf(Math.min(...validation)) + 1);
    expect(agent.params).toEqual(whole.checkpoint.best!.params);
    expect(agent.adam).toBeUndefined();
    // A checkpoint of other settings is refused.
    const other = envFile("{ epochs: 3, trajectories: 4, trainPiIters: 3, trainVIters: 3, seed: 5 }");
    await expect(
      trainRl(other, { resume: join(whole.dir, "checkpoint.json"), out: join(other, "..", "o") }),
    ).rejects.toThrow(InputError);
  });

  it("anneals the learning rates when asked: a linear schedule trains other weights than a constant one", async () => {
    const run = async (schedule: string) => {
      const file = envFile(`{ epochs: 2, trajectories: 2, trainPiIters: 2, trainVIters: 2, lrSchedule: ${schedule} }`);
      const r = await trainRl(file, { out: join(file, "..", "out") });
      return r.checkpoint;
    };
    const constant = await run("constant");
    const linear = await run("linear");
    // The first epoch runs at the full rate either way (its share of the way is 0); the second at half.
    expect(linear.curve[0]).toEqual(constant.curve[0]);
    expect(linear.params).not.toEqual(constant.params);
    expect(linear.adam.pi.lr).toBeCloseTo(constant.train.piLr / 2, 12);
  });

  it("gives the same checkpoint on one worker thread as on two (episodes by seed, gradients summed in a fixed order)", async () => {
    const file = envFile("{ epochs: 2, trajectories: 4, trainPiIters: 3, trainVIters: 3, seed: 9 }");
    const one = await trainRl(file, { out: join(file, "..", "one"), workers: 1 });
    const two = await trainRl(file, { out: join(file, "..", "two"), workers: 2 });
    const read = (d: string) => readFileSync(join(d, "checkpoint.json"), "utf8");
    expect(read(two.dir)).toBe(read(one.dir));
    expect(JSON.parse(readFileSync(join(two.dir, "timing.json"), "utf8")).workers).toBe(2);
  });

  it("a short training beats the random policy it starts as, on the published evaluation windows", async () => {
    const file = envFile("{ epochs: 12, trajectories: 16, trainPiIters: 10, trainVIters: 10, piLr: 0.001, seed: 1 }");
    const r = await trainRl(file, { out: join(file, "..", "out") });
    const t = await readCompatJobs(LUBLIN1);
    // The published evaluation windows' first 256 jobs (training draws its own 64-job windows).
    const rows = evaluateQueue(
      (backfill) => new QueueEnv({ ...t, backfill, sequenceJobs: 256 }),
      { trace: "lublin_256", ...t, starts: PUBLISHED_STARTS.slice(0, 5), windowJobs: 256 },
      [{ name: "ppo", checkpoint: r.checkpoint }],
      { randomPolicy: true },
    );
    const bsld = (policy: string) =>
      rows.find((x) => x.policy === policy && !x.backfill && x.metric === "boundedSlowdown")!.value;
    expect(bsld("ppo")).toBeLessThan(bsld("random") / 2);
    // And the learning curve went down: the last epochs' episodes against the first's.
    const c = r.checkpoint.curve;
    expect(c.at(-1)!.meanBoundedSlowdown + c.at(-2)!.meanBoundedSlowdown).toBeLessThan(
      c[0]!.meanBoundedSlowdown + c[1]!.meanBoundedSlowdown,
    );
  }, 120_000);

  it("ships an agent that its documented command trains: the first epochs reproduce, figure for figure", async () => {
    const file = new URL("../../examples/rl/queue-lublin1.yaml", import.meta.url).pathname;
    const shipped = JSON.parse(
      readFileSync(new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname, "utf8"),
    );
    const out = mkdtempSync(join(tmpdir(), "clustersim-rl-shipped-"));
    const r = await trainRl(file, { out, epochs: 2, workers: 1 });
    expect(r.checkpoint.curve).toEqual(shipped.curve.slice(0, 2));
    expect(shipped.train).toEqual(r.checkpoint.train);
    // The agent is the epoch that did best on the validation windows.
    const best = Math.min(
      ...shipped.curve.map((c: { validationBoundedSlowdown: number }) => c.validationBoundedSlowdown),
    );
    expect(shipped.curve[shipped.epoch - 1].validationBoundedSlowdown).toBe(best);
  }, 120_000);
});
