import { type AdamState, adamState, adamStep } from "@clustersim/engine";
import { RandomStreams } from "@clustersim/sim-core";
import type { PpoConfig, QueueEnvConfig, QueueTrainConfig } from "../config/rl-config.js";
import type { QueueSplitRule } from "../env/queue-split.js";
import type { AgentNetworks } from "../networks/agent-networks.js";
import { KernelNetworks } from "../networks/kernel-networks.js";
import type { DecisionBatch } from "../ppo/ppo-loss.js";
import type { Trajectory } from "../rollouts/rollout.js";
import { finiteBatch, finiteFigure, finiteTensors } from "./divergence.js";
import { gradientParts, type RlCompute, sumParts } from "./rl-compute.js";

/**
 * PPO with clipping and GAE (Schulman et al. 2017), as RLScheduler trains its kernel networks
 * (ppo-pick-jobs.py): per epoch, `trajectories` episodes sampled from the current policy; advantages
 * by GAE(γ, λ), normalised; up to `trainPiIters` full-batch Adam steps on the clipped surrogate,
 * stopping early once the approximate KL passes 1.5 × `targetKl`; `trainVIters` steps on the value's
 * squared error. Every draw comes from the training seed, the epoch and the episode's index, so a
 * training run is reproducible to the bit.
 */

/** One epoch's row of the queue's learning curve. */
export interface CurveRow {
  epoch: number;
  episodes: number;
  meanReward: number;
  meanBoundedSlowdown: number;
  meanUtilisation: number;
  policyLoss: number;
  /** The critic's mean squared error, in the units of rewards ÷ train.rewardScale. */
  valueLoss: number;
  kl: number;
  piIters: number;
  /** Mean bounded slowdown of the greedy agent on the validation windows (NaN without any). */
  validationBoundedSlowdown: number;
}

export const CURVE_COLUMNS: readonly (keyof CurveRow)[] = [
  "epoch",
  "episodes",
  "meanReward",
  "meanBoundedSlowdown",
  "meanUtilisation",
  "policyLoss",
  "valueLoss",
  "kl",
  "piIters",
  "validationBoundedSlowdown",
];

export interface RlCheckpoint {
  format: "clustersim-rl-checkpoint";
  version: 1;
  task: "queue";
  networks: "rlscheduler-kernel";
  /** The environment trained on; `trace` relative to the checkpoint's folder (checkpointPath). */
  env: {
    trace: string;
    backfill: boolean;
    sequenceJobs: number;
    reward: "bsld" | "utilisation";
    /** The engine's physics (QueueEnv semantics); absent: the paper's (compat). */
    semantics?: "engine";
    /** The temporal split trained under (queue-split.ts), if any: eval-rl's test windows come from it. */
    split?: QueueSplitRule;
  };
  /** What the observation's features were divided by in training (a scheduler using the agent needs them). */
  normalisers: { maxExecS: number; maxProcs: number };
  /** The training's settings, less `workers` (the checkpoint does not depend on it). */
  train: Omit<QueueTrainConfig, "workers">;
  /** Epochs trained so far. */
  epoch: number;
  params: number[];
  adam: { pi: SavedAdam; v: SavedAdam };
  curve: CurveRow[];
  /** The epoch whose agent did best on the validation windows so far, and its parameters. */
  best?: { epoch: number; validationBoundedSlowdown: number; params: number[] };
}

export interface SavedAdam {
  lr: number;
  step: number;
  m: number[];
  v: number[];
}

/** A training under way: networks, parameters, optimisers, and the task's curve rows and best agent. */
export interface TrainState<Row = CurveRow, Best = RlCheckpoint["best"]> {
  nets: AgentNetworks;
  params: Float64Array;
  pi: AdamState;
  v: AdamState;
  epoch: number;
  curve: Row[];
  best?: Best;
}

/** What a checkpoint keeps of a training state, whatever the task. */
export interface SavedTraining<Row, Best> {
  epoch: number;
  params: number[];
  adam: { pi: SavedAdam; v: SavedAdam };
  curve: Row[];
  best?: Best;
}

/**
 * A new training state (fresh networks from the training seed), or one resumed from a checkpoint that
 * checkCheckpoint has passed (../checkpoint/checkpoint-check.ts).
 */
export function trainState<Row = CurveRow, Best = RlCheckpoint["best"]>(
  train: PpoSettings,
  resume?: SavedTraining<Row, Best>,
  nets: AgentNetworks = new KernelNetworks(),
): TrainState<Row, Best> {
  if (resume) {
    // The checkpoint was read through checkCheckpoint (readResumeCheckpoint): every tensor is there,
    // of the networks' sizes, and finite.
    const load = (s: SavedAdam): AdamState => ({
      lr: s.lr,
      step: s.step,
      m: Float64Array.from(s.m),
      v: Float64Array.from(s.v),
    });
    return {
      nets,
      params: Float64Array.from(resume.params),
      pi: load(resume.adam.pi),
      v: load(resume.adam.v),
      epoch: resume.epoch,
      curve: [...resume.curve],
      best: resume.best,
    };
  }
  const params = nets.init(new RandomStreams(train.seed).get("rl/init"));
  return {
    nets,
    params,
    pi: adamState(train.piLr, nets.actorParams),
    v: adamState(train.vLr, nets.paramCount - nets.actorParams),
    epoch: 0,
    curve: [],
  };
}

/** The episodes of an epoch: seed and action stream of episode i, from the training seed alone. */
export function episodeSeeds(train: PpoSettings, epoch: number): { seed: number; stream: string }[] {
  return Array.from({ length: train.trajectories }, (_, i) => {
    const stream = `rl/epoch/${epoch}/episode/${i}`;
    const seed = Math.floor(new RandomStreams(train.seed).fresh(`${stream}/start`).next() * 2 ** 31);
    return { seed, stream };
  });
}

/** Play an epoch's episodes with the current policy (in this thread or on workers: the same episodes). */
export function rollouts<Row, Best>(
  compute: RlCompute,
  s: TrainState<Row, Best>,
  train: PpoSettings,
  epoch: number,
): Promise<Trajectory[]> {
  return compute.episodes(s.params, episodeSeeds(train, epoch));
}

/**
 * Advantages by GAE(γ, λ) (normalised over the batch) and returns, as one batch of decisions. Rewards
 * are divided by `rewardScale` first: the critic learns returns in those units. The normalised
 * advantages do not depend on the scale except through the critic, which reaches targets of order 1
 * in far fewer steps than raw bounded slowdowns in the thousands.
 */
export function decisionBatch(
  trajectories: readonly Trajectory[],
  gamma: number,
  lambda: number,
  blockSize: (count: number) => number = (count) => count * 8,
  rewardScale = 1,
): DecisionBatch {
  const size = trajectories.reduce((s, t) => s + t.action.length, 0);
  const b: DecisionBatch = {
    size,
    count: new Int32Array(size),
    rowAt: new Int32Array(size),
    rows: new Float32Array(trajectories.reduce((s, t) => s + t.rows.length, 0)),
    action: new Int32Array(size),
    logpOld: new Float64Array(size),
    advantage: new Float64Array(size),
    returns: new Float64Array(size),
  };
  let k = 0;
  let rowAt = 0;
  for (const t of trajectories) {
    const T = t.action.length;
    b.rows.set(t.rows, rowAt);
    // The state after the last decision is terminal (value 0).
    let adv = 0;
    let ret = 0;
    for (let i = T - 1; i >= 0; i--) {
      const r = t.rewards[i]! / rewardScale;
      const next = i === T - 1 ? 0 : t.value[i + 1]!;
      adv = r + gamma * next - t.value[i]! + gamma * lambda * adv;
      ret = r + gamma * ret;
      b.advantage[k + i] = adv;
      b.returns[k + i] = ret;
    }
    for (let i = 0; i < T; i++) {
      b.count[k] = t.count[i]!;
      b.rowAt[k] = rowAt;
      b.action[k] = t.action[i]!;
      b.logpOld[k] = t.logp[i]!;
      rowAt += blockSize(t.count[i]!);
      k++;
    }
  }
  let mean = 0;
  for (let i = 0; i < size; i++) mean += b.advantage[i]!;
  mean /= size;
  let varSum = 0;
  for (let i = 0; i < size; i++) varSum += (b.advantage[i]! - mean) ** 2;
  const std = Math.sqrt(varSum / size);
  for (let i = 0; i < size; i++) b.advantage[i] = (b.advantage[i]! - mean) / (std + 1e-8);
  return b;
}

/** What PPO's update did in an epoch. */
/** PPO's own settings, whatever the task (validation is the task's). */
export type PpoSettings = Omit<PpoConfig, "validationStarts" | "validationJobs" | "algorithm">;

export interface UpdateStats {
  policyLoss: number;
  valueLoss: number;
  kl: number;
  piIters: number;
}

/** PPO's update from one epoch's episodes (any task); counts the epoch. */
export async function ppoUpdate<Row, Best>(
  s: TrainState<Row, Best>,
  train: PpoSettings,
  trajectories: readonly Trajectory[],
  compute: RlCompute,
): Promise<UpdateStats> {
  const { nets, params } = s;
  const b = decisionBatch(trajectories, train.gamma, train.lambda, (c) => nets.blockSize(c), train.rewardScale);
  // Every figure and tensor of the update is checked as it is made: the first non-finite one stops the
  // training, named (./divergence.ts), before Adam carries it into the weights and the checkpoint.
  const epoch = s.epoch + 1;
  const tensors = nets.tensors();
  finiteBatch(trajectories, b, train.rewardScale, `epoch ${epoch}`);
  const parts = gradientParts(b);
  const grad = new Float64Array(nets.paramCount);
  // Annealed: this epoch's share of the way to the last (`epochs`) taken off the base rates.
  const scale = train.lrSchedule === "linear" ? Math.max(0, 1 - s.epoch / train.epochs) : 1;
  s.pi.lr = train.piLr * scale;
  s.v.lr = train.vLr * scale;
  let first: { loss: number; kl: number } | undefined;
  let kl = 0;
  let piIters = 0;
  for (let i = 0; i < train.trainPiIters; i++) {
    const r = sumParts(await compute.gradients("policy", params, parts, b.size), grad);
    const at = `epoch ${epoch}, policy step ${i + 1}`;
    finiteFigure(r.loss, "the policy loss", at);
    finiteFigure(r.kl, "the approximate KL", at);
    finiteTensors(grad, tensors, 0, nets.actorParams, "the policy gradient", at);
    first ??= r;
    kl = r.kl;
    if (r.kl > 1.5 * train.targetKl) break;
    adamStep(s.pi, params, grad, 0);
    finiteTensors(params, tensors, 0, nets.actorParams, "the weight", `${at}, after Adam's step`);
    piIters++;
  }
  let valueLoss = 0;
  for (let i = 0; i < train.trainVIters; i++) {
    const r = sumParts(await compute.gradients("value", params, parts, b.size), grad);
    const at = `epoch ${epoch}, value step ${i + 1}`;
    finiteFigure(r.loss, "the value loss", at);
    finiteTensors(grad, tensors, nets.actorParams, nets.paramCount, "the value gradient", at);
    if (i === 0) valueLoss = r.loss;
    adamStep(s.v, params, grad, nets.actorParams);
    finiteTensors(params, tensors, nets.actorParams, nets.paramCount, "the weight", `${at}, after Adam's step`);
  }
  s.epoch++;
  return { policyLoss: first!.loss, valueLoss, kl, piIters };
}

/** The mean of one of the episodes' metrics. */
export function meanMetric(trajectories: readonly Trajectory[], name: string): number {
  return trajectories.reduce((x, t) => x + t.metrics[name]!, 0) / trajectories.length;
}

/**
 * The training state as a checkpoint (JSON-ready; numbers round-trip exactly). `trace` is the trace's
 * path as the checkpoint keeps it: relative to the checkpoint's own folder (checkpointPath), which is
 * how every reader resolves it.
 */
export function checkpointOf(
  s: TrainState,
  c: QueueEnvConfig,
  normalisers: RlCheckpoint["normalisers"],
  trace: string,
): RlCheckpoint {
  return {
    format: "clustersim-rl-checkpoint",
    version: 1,
    task: "queue",
    networks: "rlscheduler-kernel",
    env: {
      trace,
      backfill: c.backfill,
      sequenceJobs: c.sequenceJobs,
      reward: c.reward,
      // Written only for the engine's physics, so checkpoints of the paper's stay as they were.
      ...(c.semantics === "engine" && { semantics: "engine" as const }),
      ...(c.split && { split: c.split }),
    },
    normalisers,
    train: withoutWorkers(c.train),
    ...savedTraining(s),
  };
}

/** What a checkpoint keeps of a training state, any task (JSON-ready; numbers round-trip exactly). */
export function savedTraining<Row, Best>(s: TrainState<Row, Best>): SavedTraining<Row, Best> {
  return {
    epoch: s.epoch,
    params: [...s.params],
    adam: { pi: saveAdam(s.pi), v: saveAdam(s.v) },
    curve: s.curve,
    ...(s.best && { best: s.best }),
  };
}

const saveAdam = (a: AdamState): SavedAdam => ({ lr: a.lr, step: a.step, m: [...a.m], v: [...a.v] });

export function withoutWorkers<T extends { workers: number }>(train: T): Omit<T, "workers"> {
  const { workers: _, ...rest } = train;
  return rest;
}
