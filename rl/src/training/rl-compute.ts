import { WorkerPool } from "@clustersim/sim-core";
import type { RlEnvConfig } from "../config/env-config.js";
import type { AgentNetworks } from "../networks/agent-networks.js";
import { type DecisionBatch, policyGradient, splitBatch, valueGradient } from "../ppo/ppo-loss.js";
import type { Trajectory } from "../rollouts/rollout.js";

/**
 * Where training's work runs: episodes and gradient parts, in this thread or on worker threads. The
 * batch is always cut into the same GRADIENT_PARTS parts and their gradients added in part order, and
 * every episode depends only on its own seed and stream, so a training gives the same checkpoint on
 * any number of workers.
 */
export const GRADIENT_PARTS = 8;

export interface EpisodeJob {
  seed: number;
  /** Name of the episode's action stream (from the training seed). */
  stream: string;
}

export interface PartGradient {
  grad: Float64Array;
  loss: number;
  kl: number;
}

export interface RlCompute {
  episodes(params: Float64Array, jobs: readonly EpisodeJob[]): Promise<Trajectory[]>;
  /** Each part's gradient (policy: clipped surrogate; value: squared error), in part order. */
  gradients(
    kind: "policy" | "value",
    params: Float64Array,
    parts: readonly DecisionBatch[],
    total: number,
  ): Promise<PartGradient[]>;
  close(): Promise<void>;
}

/** What a worker thread of training (./rl-worker.ts) serves: an episode, and a gradient part. */
export interface RlWorkerApi {
  episode(o: { config: RlEnvConfig; params: Float64Array; job: EpisodeJob }): Promise<Trajectory>;
  gradient(o: {
    config: RlEnvConfig;
    kind: "policy" | "value";
    params: Float64Array;
    part: DecisionBatch;
    total: number;
    clipRatio: number;
  }): Promise<PartGradient>;
}

/** A task as training sees it: its networks, and one training episode (actions drawn from the job's stream). */
export interface RlTask {
  nets: AgentNetworks;
  episode(params: Float64Array, job: EpisodeJob): Trajectory;
}

/** Run one part's gradient (in whichever thread). */
export function partGradient(
  nets: AgentNetworks,
  kind: "policy" | "value",
  params: Float64Array,
  part: DecisionBatch,
  total: number,
  clipRatio: number,
): PartGradient {
  const ws = nets.workspace();
  const grad = new Float64Array(nets.paramCount);
  if (kind === "policy") return { grad, ...policyGradient(nets, params, grad, part, clipRatio, ws, total) };
  return { grad, loss: valueGradient(nets, params, grad, part, ws, total), kl: 0 };
}

/** Everything in this thread. */
export function localCompute(task: RlTask, clipRatio: number): RlCompute {
  return {
    episodes: async (params, jobs) => jobs.map((j) => task.episode(params, j)),
    gradients: async (kind, params, parts, total) =>
      parts.map((p) => partGradient(task.nets, kind, params, p, total, clipRatio)),
    close: async () => {},
  };
}

/** On `workers` worker threads, each reading the environment's data once. */
export function workerCompute(config: RlEnvConfig, workers: number, clipRatio: number): RlCompute {
  const pool = new WorkerPool<RlWorkerApi>(new URL("../../dist/training/rl-worker.js", import.meta.url), workers);
  pool.start();
  const run = async <T, R>(items: readonly T[], call: (api: RlWorkerApi, item: T) => Promise<R>): Promise<R[]> => {
    const out: R[] = new Array(items.length);
    const errors: string[] = [];
    await pool.run(
      items,
      (api, item) => call(api as unknown as RlWorkerApi, item),
      (o) => (o.ok ? (out[o.index] = o.value!) : errors.push(o.error ?? "failed")),
    );
    if (errors.length > 0) throw new Error(`a training worker failed: ${errors[0]}`);
    return out;
  };
  return {
    episodes: (params, jobs) => run(jobs, (api, job) => api.episode({ config, params, job })),
    gradients: (kind, params, parts, total) =>
      run(parts, (api, part) => api.gradient({ config, kind, params, part, total, clipRatio })),
    close: () => pool.close(),
  };
}

/** Cut a batch into the training's fixed parts. */
export function gradientParts(b: DecisionBatch): DecisionBatch[] {
  return splitBatch(b, GRADIENT_PARTS);
}

/** The parts' gradients added in part order into `into` (zeroed first); the summed loss and KL. */
export function sumParts(parts: readonly PartGradient[], into: Float64Array): { loss: number; kl: number } {
  into.fill(0);
  let loss = 0;
  let kl = 0;
  for (const p of parts) {
    for (let i = 0; i < into.length; i++) into[i] += p.grad[i]!;
    loss += p.loss;
    kl += p.kl;
  }
  return { loss, kl };
}
