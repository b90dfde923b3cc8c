import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "@clustersim/files";
import { z } from "zod";
import { DqnSettings, PPO_ONLY } from "../dqn/dqn-config.js";
import { QueueEnv } from "../env/queue-env.js";
import { splitProblem, splitTrace } from "../env/queue-split.js";
import { readCompatJobs } from "../protocols/rlscheduler-jobs.js";

/** PPO's settings (defaults: the RLScheduler code's, ppo-pick-jobs.py, where it has one). */
export const PpoConfig = z.strictObject({
  algorithm: z.literal("ppo").default("ppo"),
  epochs: z.number().int().min(1).max(100_000).default(50),
  trajectories: z.number().int().min(1).max(10_000).default(100).meta({
    description: "episodes per epoch (the original's --trajs, default 100)",
  }),
  seed: z.number().int().nonnegative().default(0),
  clipRatio: z.number().gt(0).lt(1).default(0.2),
  gamma: z.number().gt(0).max(1).default(1),
  lambda: z.number().min(0).max(1).default(0.97),
  piLr: z.number().gt(0).max(1).default(3e-4),
  vLr: z.number().gt(0).max(1).default(1e-3),
  lrSchedule: z.enum(["constant", "linear"]).default("constant").meta({
    description: "learning rates held (the original) or annealed linearly to 0 at the last epoch",
  }),
  trainPiIters: z.number().int().min(1).max(1000).default(80),
  trainVIters: z.number().int().min(1).max(1000).default(80),
  targetKl: z.number().gt(0).default(0.01),
  rewardScale: z.number().gt(0).default(1).meta({
    description:
      "rewards are divided by this before advantages and returns are computed, so that the critic's targets are of order 1 (the original: 1, the raw reward)",
  }),
  validationStarts: z.array(z.number().int().nonnegative()).max(100).default([]).meta({
    description:
      "job indices of validation windows: after each epoch the greedy agent runs them, and the best epoch's agent is kept (agent.json)",
  }),
  validationJobs: z
    .number()
    .int()
    .min(2)
    .max(100_000)
    .default(1024)
    .meta({ description: "jobs per validation window" }),
  workers: z.number().int().min(1).max(256).default(1).meta({
    description: "worker threads running episodes (the checkpoint does not depend on it)",
  }),
});
export type PpoConfig = z.output<typeof PpoConfig>;

/**
 * A queue training's settings: PPO's (the default), or DQN's (`algorithm: dqn`, its own settings in
 * `dqn:`; ../dqn/). Settings of the other algorithm are refused rather than ignored.
 */
export const QueueTrainConfig = z.preprocess(
  (raw, ctx) => {
    if (typeof raw !== "object" || raw === null) return raw;
    const r = raw as Record<string, unknown>;
    if (r.algorithm === "dqn") {
      for (const k of PPO_ONLY)
        if (k in r)
          ctx.addIssue({ code: "custom", path: [k], message: `a PPO setting, which algorithm: dqn does not read` });
      if ("workers" in r && r.workers !== 1)
        ctx.addIssue({
          code: "custom",
          path: ["workers"],
          message: "DQN plays its episodes in one thread: leave it out",
        });
    } else if ("dqn" in r)
      ctx.addIssue({ code: "custom", path: ["dqn"], message: "DQN's settings, read only with algorithm: dqn" });
    return raw;
  },
  PpoConfig.extend({
    algorithm: z.enum(["ppo", "dqn"]).default("ppo"),
    dqn: DqnSettings.optional(),
  }),
);
export type QueueTrainConfig = z.output<typeof QueueTrainConfig>;

/** An RL environment file: which environment, over which data, and (for train-rl) how to train. */
export const QueueEnvConfig = z.preprocess(
  (raw, ctx) => {
    // A split gives the validation windows: their size is its windowJobs, and their starts its own.
    if (typeof raw !== "object" || raw === null || !("split" in raw)) return raw;
    const r = raw as { split?: { windowJobs?: unknown }; train?: Record<string, unknown> };
    const size = r.split?.windowJobs ?? 1024;
    const train = r.train ?? {};
    if (typeof train !== "object" || train === null) return raw;
    if ("validationStarts" in train)
      ctx.addIssue({
        code: "custom",
        path: ["train", "validationStarts"],
        message: "the split gives the validation windows: leave it out",
      });
    if ("validationJobs" in train && train.validationJobs !== size)
      ctx.addIssue({
        code: "custom",
        path: ["train", "validationJobs"],
        message: `the split's windowJobs (${size}) or nothing, found ${JSON.stringify(train.validationJobs)}`,
      });
    return { ...r, train: { ...train, validationJobs: size } };
  },
  z.strictObject({
    env: z.literal("queue"),
    description: z.string().optional(),
    trace: z.string().meta({ description: "an SWF trace (.swf or .swf.gz), relative to this file" }),
    backfill: z.boolean().default(false).meta({ description: "EASY backfilling while the chosen job waits" }),
    sequenceJobs: z.number().int().min(2).max(100_000).default(256).meta({
      description: "jobs per episode (256 in RLScheduler's training)",
    }),
    reward: z.enum(["bsld", "utilisation"]).default("bsld"),
    semantics: z.enum(["compat", "engine"]).default("compat").meta({
      description:
        "whose physics episodes run in: compat, the RLScheduler paper's simulator (reproduces its tables); engine, the engine's batch queue a scenario's rl-kernel runs in, a decision at every pass while jobs wait",
    }),
    split: z
      .strictObject({
        validationWindows: z.number().int().min(1).max(100),
        testWindows: z.number().int().min(1).max(100),
        windowJobs: z.number().int().min(2).max(100_000).default(1024),
      })
      .optional()
      .meta({
        description:
          "a temporal split (rl/src/env/queue-split.ts): the trace's last testWindows windows of windowJobs jobs are test, the validationWindows before them validation, and training episodes use only the jobs before those; without it, episodes start anywhere in the trace, as RLScheduler trains",
      }),
    train: QueueTrainConfig.default(QueueTrainConfig.parse({})),
  }),
);
export type QueueEnvConfig = z.output<typeof QueueEnvConfig>;

export type LoadedQueueConfig = QueueEnvConfig & { tracePath: string };

/**
 * A queue environment file's validated settings (read from `file`: scenarios' loadQueueEnvConfig) with
 * its trace located: resolved against the file's folder, and an InputError naming both if it is missing.
 */
export function locateQueueFiles(c: QueueEnvConfig, file: string): LoadedQueueConfig {
  const tracePath = resolve(dirname(file), c.trace);
  if (!existsSync(tracePath))
    throw new InputError(`${file}: trace: expected a readable SWF file, found no such file: ${tracePath}`);
  return { ...c, tracePath };
}

/**
 * The sizes of a queue environment file against its trace, once the trace is read: an episode starts
 * uniformly in [sequenceJobs, jobs − sequenceJobs − 1) (as RLScheduler draws it), so the trace must
 * hold at least 2 × sequenceJobs + 2 jobs; with a split, its windows and at least two episode starts
 * before them. The split gives the validation windows, so `train.validationStarts` must be left out
 * and `train.validationJobs` must be the split's windowJobs. An InputError naming `file` and the field
 * if not.
 */
export function checkQueueSizes(c: QueueEnvConfig, jobs: number, file: string): void {
  if (c.split) {
    const problem = splitProblem(jobs, c.split, c.sequenceJobs);
    if (problem) throw new InputError(`${file}: split: ${problem}`);
    if (c.train.validationStarts.length > 0)
      throw new InputError(
        `${file}: train.validationStarts: expected none with split: (the split's ${c.split.validationWindows} validation window(s) are used), found ${c.train.validationStarts.length}`,
      );
    if (c.train.validationJobs !== c.split.windowJobs)
      throw new InputError(
        `${file}: train.validationJobs: expected the split's windowJobs (${c.split.windowJobs}) or nothing, found ${c.train.validationJobs}`,
      );
    return;
  }
  const most = Math.floor((jobs - 2) / 2);
  if (c.sequenceJobs > most)
    throw new InputError(
      `${file}: sequenceJobs: expected at most ${most} jobs per episode (episodes start between sequenceJobs and the trace's ${jobs} jobs less sequenceJobs + 1), found ${c.sequenceJobs}`,
    );
}

/** The validation windows' starts: the split's, or the file's `train.validationStarts`. */
export function validationStartsOf(c: QueueEnvConfig, jobs: number): number[] {
  return c.split ? splitTrace(jobs, c.split).validationStarts : c.train.validationStarts;
}

/**
 * The queue environment an environment file describes (its trace read once); `file` names it when
 * its sizes do not fit the trace (checkQueueSizes).
 */
export async function queueEnvOf(c: QueueEnvConfig & { tracePath: string }, file = c.trace): Promise<QueueEnv> {
  const t = await readCompatJobs(c.tracePath);
  checkQueueSizes(c, t.jobs.length, file);
  const trainJobs = c.split ? splitTrace(t.jobs.length, c.split).trainJobs : undefined;
  return new QueueEnv({
    ...t,
    backfill: c.backfill,
    sequenceJobs: c.sequenceJobs,
    reward: c.reward,
    trainJobs,
    semantics: c.semantics,
  });
}
