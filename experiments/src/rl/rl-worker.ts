/**
 * Worker thread of RL training (./rl-compute.ts): plays episodes and computes gradient parts. It reads
 * the environment's data once and keeps it; each call carries the parameters it is to use.
 */
import { serveInWorker } from "@clustersim/sim-core";
import type { DecisionBatch } from "./ppo-loss.js";
import { type EpisodeJob, type PartGradient, partGradient, type RlTask } from "./rl-compute.js";
import { type RlEnvConfig, rlTaskOf } from "./rl-tasks.js";
import type { Trajectory } from "./rollout.js";

let task: { key: string; task: RlTask } | undefined;

async function taskFor(config: RlEnvConfig): Promise<RlTask> {
  const key = JSON.stringify(config);
  if (task?.key !== key) task = { key, task: await rlTaskOf(config) };
  return task.task;
}

const api = {
  async episode(o: { config: RlEnvConfig; params: Float64Array; job: EpisodeJob }): Promise<Trajectory> {
    return (await taskFor(o.config)).episode(o.params, o.job);
  },
  async gradient(o: {
    config: RlEnvConfig;
    kind: "policy" | "value";
    params: Float64Array;
    part: DecisionBatch;
    total: number;
    clipRatio: number;
  }): Promise<PartGradient> {
    return partGradient((await taskFor(o.config)).nets, o.kind, o.params, o.part, o.total, o.clipRatio);
  },
};

export type RlWorkerApi = typeof api;

await serveInWorker(api);
