/**
 * Worker thread of RL training (./rl-compute.ts): plays episodes and computes gradient parts. It reads
 * the environment's trace once and keeps it; each call carries the parameters it is to use.
 */
import type { QueueEnv } from "@clustersim/engine";
import { KernelNetworks } from "@clustersim/schedulers";
import { serveInWorker } from "@clustersim/sim-core";
import type { DecisionBatch } from "./ppo-loss.js";
import { type EpisodeJob, type PartGradient, partGradient, trainingEpisode } from "./rl-compute.js";
import { type QueueEnvConfig, queueEnvOf } from "./rl-config.js";
import type { Trajectory } from "./rollout.js";

const nets = new KernelNetworks();
let env: { key: string; env: QueueEnv } | undefined;

const api = {
  async episode(o: {
    config: QueueEnvConfig & { tracePath: string };
    trainSeed: number;
    params: Float64Array;
    job: EpisodeJob;
  }): Promise<Trajectory> {
    const key = JSON.stringify([o.config.tracePath, o.config.backfill, o.config.sequenceJobs, o.config.reward]);
    if (env?.key !== key) env = { key, env: await queueEnvOf(o.config) };
    return trainingEpisode(env.env, nets, o.params, o.trainSeed, o.job);
  },
  async gradient(o: {
    kind: "policy" | "value";
    params: Float64Array;
    part: DecisionBatch;
    total: number;
    clipRatio: number;
  }): Promise<PartGradient> {
    return partGradient(nets, o.kind, o.params, o.part, o.total, o.clipRatio);
  },
};

export type RlWorkerApi = typeof api;

await serveInWorker(api);
