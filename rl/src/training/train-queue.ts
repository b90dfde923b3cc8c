import { basename } from "node:path";
import { InputError } from "@clustersim/files";
import { checkpointPath } from "../checkpoint/checkpoint-paths.js";
import { checkQueueSizes, type LoadedQueueConfig, validationStartsOf } from "../config/rl-config.js";
import { QueueEnv } from "../env/queue-env.js";
import { KernelNetworks } from "../networks/kernel-networks.js";
import { readCompatJobs } from "../protocols/rlscheduler-jobs.js";
import { playEpisode } from "../rollouts/rollout.js";
import {
  CURVE_COLUMNS,
  type CurveRow,
  checkpointOf,
  meanMetric,
  type RlCheckpoint,
  type TrainState,
} from "./ppo-trainer.js";
import { readResumeCheckpoint, runTraining, type TrainRlOptions, trainingDir } from "./training-run.js";

export interface TrainRlResult {
  dir: string;
  checkpoint: RlCheckpoint;
  epochsRun: number;
  wallS: number;
}

/**
 * PPO on the queue environment of an RL environment file (env: queue), with RLScheduler's kernel
 * networks; agent.json is the epoch with the lowest mean bounded slowdown on the validation windows.
 * The same file and seed give the same checkpoint, byte for byte.
 */
export async function trainQueue(file: string, config: LoadedQueueConfig, o: TrainRlOptions): Promise<TrainRlResult> {
  const resume = o.resume === undefined ? undefined : readCheckpoint(o.resume, config);
  const t = await readCompatJobs(config.tracePath);
  checkQueueSizes(config, t.jobs.length, file);
  const dir = trainingDir(file, o);
  const trace = checkpointPath(dir, config.tracePath);
  const normalisers = {
    maxExecS: t.jobs.reduce((m, j) => Math.max(m, j.runS), 0),
    maxProcs: t.nodes * t.procsPerNode,
  };
  const r = await runTraining<CurveRow>(
    {
      file,
      config,
      nets: new KernelNetworks(),
      resume: resume as never,
      row: (u, trajectories, epoch) => ({
        epoch,
        episodes: trajectories.length,
        meanReward: trajectories.reduce((x, tr) => x + tr.reward, 0) / trajectories.length,
        meanBoundedSlowdown: meanMetric(trajectories, "boundedSlowdown"),
        meanUtilisation: meanMetric(trajectories, "utilisation"),
        ...u,
        validationBoundedSlowdown: Number.NaN,
      }),
      validation: { field: "validationBoundedSlowdown", lowerIsBetter: true, of: queueValidator(config, t, file) },
      checkpoint: (state) => checkpointOf(state as TrainState, config, normalisers, trace),
      columns: CURVE_COLUMNS,
      svg: {
        title: `PPO on ${basename(file)}: mean bounded slowdown of the epoch's episodes`,
        y: "mean bounded slowdown",
        of: (row) => row.meanBoundedSlowdown,
      },
      line: (row) => {
        const validated = Number.isNaN(row.validationBoundedSlowdown)
          ? ""
          : `, ${row.validationBoundedSlowdown.toFixed(2)} on the validation windows`;
        return `epoch ${row.epoch}: mean bounded slowdown ${row.meanBoundedSlowdown.toFixed(2)} over ${row.episodes} episodes${validated}, KL ${row.kl.toFixed(4)} after ${row.piIters} policy steps`;
      },
    },
    { ...o, out: dir },
  );
  return { ...r, checkpoint: r.checkpoint as RlCheckpoint };
}

/**
 * With validation windows: the greedy agent's mean bounded slowdown over them, for given parameters
 * (what each epoch's row records, and what picks the agent).
 */
export function queueValidator(
  config: LoadedQueueConfig,
  t: Awaited<ReturnType<typeof readCompatJobs>>,
  file: string,
): ((params: Float64Array) => number) | undefined {
  const { validationJobs: jobs } = config.train;
  const starts = validationStartsOf(config, t.jobs.length);
  if (starts.length === 0) return undefined;
  for (const s of starts) {
    if (s + jobs > t.jobs.length)
      throw new InputError(
        `${file}: train.validationStarts: expected windows of train.validationJobs (${jobs}) within the trace's ${t.jobs.length} jobs, found ${s} + ${jobs}`,
      );
  }
  const env = new QueueEnv({
    ...t,
    backfill: config.backfill,
    sequenceJobs: jobs,
    reward: config.reward,
    semantics: config.semantics,
  });
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

/**
 * The checkpoint `--resume` names, checked (checkCheckpoint) and checked to belong to this environment
 * file's environment and training.
 */
export function readCheckpoint(path: string, config: LoadedQueueConfig): RlCheckpoint {
  const env = {
    trace: config.tracePath,
    backfill: config.backfill,
    sequenceJobs: config.sequenceJobs,
    reward: config.reward,
    ...(config.semantics === "engine" && { semantics: "engine" }),
    ...(config.split && { split: config.split }),
  };
  return readResumeCheckpoint<RlCheckpoint>(path, "queue", env, ["trace"], config.train);
}
