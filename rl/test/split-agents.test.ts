import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type LoadedQueueConfig, queueValidator, type RlCheckpoint, readCompatJobs } from "@clustersim/rl";
import { describe, expect, it } from "vitest";
import { readEnvFile } from "./env-file.js";

const FILE = new URL("../../examples/rl/queue-lublin1-split.yaml", import.meta.url).pathname;
const SEEDS = [1, 2, 3, 4, 5];
const agentFile = (seed: number) =>
  new URL(`../../examples/rl/ppo-split/seed${seed}/agent.json`, import.meta.url).pathname;

describe("the agents trained under the temporal split, as shipped", () => {
  it("are what the documented commands train: the file's settings with each seed, and each agent's validation figure", async () => {
    // `train-rl examples/rl/queue-lublin1-split.yaml --seed N --out examples/rl/ppo-split/seedN`: the
    // settings are the file's with train.seed N, and the parameters kept score, on the split's
    // validation windows, the figure the curve records for the epoch that did best there.
    const config = readEnvFile(FILE) as LoadedQueueConfig;
    const t = await readCompatJobs(config.tracePath);
    const { workers: _, ...settings } = config.train;
    for (const seed of SEEDS) {
      const shipped = JSON.parse(readFileSync(agentFile(seed), "utf8")) as RlCheckpoint;
      expect(shipped.train).toEqual({ ...settings, seed });
      expect(shipped.env.split).toEqual(config.split);
      expect(resolve(dirname(agentFile(seed)), shipped.env.trace)).toBe(config.tracePath);
      const validate = queueValidator({ ...config, train: { ...config.train, seed } }, t, FILE)!;
      const best = Math.min(...shipped.curve.map((c) => c.validationBoundedSlowdown));
      expect(shipped.curve[shipped.epoch - 1]!.validationBoundedSlowdown).toBe(best);
      expect(validate(Float64Array.from(shipped.params))).toBe(best);
    }
  });
});
