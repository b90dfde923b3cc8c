import { basename, extname, resolve } from "node:path";
import { QueueEnv } from "@clustersim/engine";
import { KernelNetworks } from "@clustersim/schedulers";
import { wallSeconds } from "@clustersim/sim-core";
import { InputError } from "../errors.js";
import { prepareOutputDir, stableJson, writeFilesAtomically } from "../outputs/atomic-files.js";
import { readCompatJobs } from "../repro/rlscheduler.js";
import { curveSvg } from "./curve-svg.js";
import { checkpointOf, type RlCheckpoint, rollouts, trainState, update } from "./ppo-trainer.js";
import type { LoadedQueueConfig } from "./rl-config.js";
import { playEpisode } from "./rollout.js";
import { computeFor, curveCsv, readCheckpointFile, type TrainRlOptions } from "./training-run.js";

export interface TrainRlResult {
  dir: string;
  checkpoint: RlCheckpoint;
  epochsRun: number;
  wallS: number;
}

/**
 * PPO on the queue environment of an RL environment file (env: queue). After every
 * epoch the directory holds, as one set: checkpoint.json (networks, optimiser state, learning curve:
 * enough to resume), curve.csv and curve.svg, and with validation windows agent.json (the epoch that
 * did best on them, the agent to use); timing.json holds the wall-clock seconds, which are never part
 * of a result. The same file and seed give the same checkpoint, byte for byte.
 */
export async function trainQueue(file: string, config: LoadedQueueConfig, o: TrainRlOptions): Promise<TrainRlResult> {
  const epochs = o.epochs ?? config.train.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new InputError(`--epochs: expected an integer >= 1, found ${o.epochs}`);
  const resume = o.resume === undefined ? undefined : readCheckpoint(o.resume, config);
  const dir = resolve(o.out ?? `results/rl-${basename(file, extname(file))}`);
  prepareOutputDir(dir);
  const workers = o.workers ?? config.train.workers;
  const compute = await computeFor(config, workers);
  const state = trainState(config.train, resume);
  const t = await readCompatJobs(config.tracePath);
  const normalisers = {
    maxExecS: t.jobs.reduce((m, j) => Math.max(m, j.runS), 0),
    maxProcs: t.nodes * t.procsPerNode,
  };
  const validation = validator(config, t);
  const t0 = wallSeconds();
  const epochWallS: number[] = [];
  let epochsRun = 0;
  let checkpoint = checkpointOf(state, config, normalisers);
  try {
    while (state.epoch < epochs) {
      const e0 = wallSeconds();
      const row = await update(state, config.train, await rollouts(compute, state, config.train, state.epoch), compute);
      if (validation) {
        row.validationBoundedSlowdown = validation(state.params);
        if (!state.best || row.validationBoundedSlowdown < state.best.validationBoundedSlowdown) {
          state.best = {
            epoch: row.epoch,
            validationBoundedSlowdown: row.validationBoundedSlowdown,
            params: [...state.params],
          };
        }
      }
      checkpoint = checkpointOf(state, config, normalisers);
      const best = checkpoint.best;
      epochWallS.push(wallSeconds() - e0);
      epochsRun++;
      writeFilesAtomically(dir, {
        "checkpoint.json": stableJson(checkpoint),
        "curve.csv": curveCsv(checkpoint.curve),
        "curve.svg": curveSvg(
          `PPO on ${basename(file)}: mean bounded slowdown of the epoch's episodes`,
          "mean bounded slowdown",
          checkpoint.curve.map((r) => [r.epoch, r.meanBoundedSlowdown]),
        ),
        "timing.json": stableJson({ epochsRun, workers, wallS: wallSeconds() - t0, epochWallS }),
        // The agent to use: the epoch that did best on the validation windows (as a checkpoint of its own).
        ...(best && {
          "agent.json": stableJson({
            ...checkpoint,
            epoch: best.epoch,
            params: best.params,
            best: undefined,
            adam: undefined,
          }),
        }),
      });
      const validated = Number.isNaN(row.validationBoundedSlowdown)
        ? ""
        : `, ${row.validationBoundedSlowdown.toFixed(2)} on the validation windows`;
      const line = `epoch ${row.epoch}: mean bounded slowdown ${row.meanBoundedSlowdown.toFixed(2)} over ${row.episodes} episodes${validated}, KL ${row.kl.toFixed(4)} after ${row.piIters} policy steps`;
      o.onEpoch?.({ ...row }, line, wallSeconds() - t0);
    }
  } finally {
    await compute.close();
  }
  return { dir, checkpoint, epochsRun, wallS: wallSeconds() - t0 };
}

/** With validation windows: the greedy agent's mean bounded slowdown over them, for given parameters. */
function validator(
  config: LoadedQueueConfig,
  t: Awaited<ReturnType<typeof readCompatJobs>>,
): ((params: Float64Array) => number) | undefined {
  const { validationStarts: starts, validationJobs: jobs } = config.train;
  if (starts.length === 0) return undefined;
  for (const s of starts) {
    if (s + jobs > t.jobs.length)
      throw new InputError(
        `train.validationStarts: expected windows within the ${t.jobs.length} jobs, found ${s} + ${jobs}`,
      );
  }
  const env = new QueueEnv({ ...t, backfill: config.backfill, sequenceJobs: jobs, reward: config.reward });
  const nets = new KernelNetworks();
  const ws = nets.workspace();
  return (params) => {
    let sum = 0;
    for (const start of starts) {
      sum += playEpisode(env, nets, params, ws, { seed: 0, start, choice: "greedy", values: false }).metrics
        .boundedSlowdown!;
    }
    return sum / starts.length;
  };
}

/** A checkpoint file, checked to belong to this environment file's environment and training. */
export function readCheckpoint(path: string, config?: LoadedQueueConfig): RlCheckpoint {
  if (!config) return readCheckpointFile(path) as RlCheckpoint;
  return readCheckpointFile(
    path,
    { trace: config.trace, backfill: config.backfill, sequenceJobs: config.sequenceJobs, reward: config.reward },
    config.train,
  ) as RlCheckpoint;
}
