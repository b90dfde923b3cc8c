import { basename } from "node:path";
import { adamState, adamStep } from "@clustersim/engine";
import { InputError } from "@clustersim/files";
import { RandomStreams } from "@clustersim/sim-core";
import { checkpointPath } from "../checkpoint/checkpoint-paths.js";
import { checkQueueSizes, type LoadedQueueConfig, queueEnvOf } from "../config/rl-config.js";
import { KernelNetworks } from "../networks/kernel-networks.js";
import { readCompatJobs } from "../protocols/rlscheduler-jobs.js";
import { playEpisode } from "../rollouts/rollout.js";
import { finiteFigure, finiteTensors } from "../training/divergence.js";
import { checkpointOf, episodeSeeds, meanMetric, type RlCheckpoint, type TrainState } from "../training/ppo-trainer.js";
import type { TrainRlResult } from "../training/train-queue.js";
import { queueValidator } from "../training/train-queue.js";
import { runTraining, type TrainRlOptions, trainingDir } from "../training/training-run.js";
import { DqnSettings } from "./dqn-config.js";
import { qLearningLoss } from "./q-learning.js";
import { ReplayMemory } from "./replay-memory.js";

/** One epoch's row of a DQN training's learning curve. */
export interface DqnCurveRow {
  epoch: number;
  episodes: number;
  meanReward: number;
  meanBoundedSlowdown: number;
  meanUtilisation: number;
  /** ε of the epoch's episodes. */
  epsilon: number;
  /** The mean Huber loss over the epoch's gradient steps, in units of rewards ÷ train.rewardScale. */
  tdLoss: number;
  /** Decisions in the replay memory after the epoch's episodes. */
  replay: number;
  validationBoundedSlowdown: number;
}

export const DQN_CURVE_COLUMNS: readonly (keyof DqnCurveRow)[] = [
  "epoch",
  "episodes",
  "meanReward",
  "meanBoundedSlowdown",
  "meanUtilisation",
  "epsilon",
  "tdLoss",
  "replay",
  "validationBoundedSlowdown",
];

/** A DQN training's state: PPO's layout (the Q-network is the actor), and the best epoch's weights. */
type DqnState = TrainState<DqnCurveRow, { epoch: number; params: number[] }>;

/**
 * DQN (Mnih et al., Nature 2015; double Q-learning, van Hasselt et al. 2016) on the queue
 * environment, with RLScheduler's kernel as the Q-network (./q-learning.ts). Each epoch plays
 * `trajectories` ε-greedy episodes into the replay memory (./replay-memory.ts), then takes
 * `dqn.updates` Adam steps on minibatches drawn from it; the target network is the Q-network as it was
 * `dqn.targetEvery` steps ago. Episodes, their draws and each minibatch come from the training seed,
 * the epoch and the index, as PPO's do: the same file and seed give the same checkpoint. The episodes
 * run in this thread. agent.json is the epoch with the lowest mean bounded slowdown on the validation
 * windows, as for PPO, and is evaluated by the same code (`eval-rl`, `rl-kernel`).
 */
export async function trainDqn(file: string, config: LoadedQueueConfig, o: TrainRlOptions): Promise<TrainRlResult> {
  // The replay memory is the training's state as much as the weights are, and a checkpoint does not
  // hold it: a resumed DQN would learn from another memory than the uninterrupted run.
  if (o.resume !== undefined)
    throw new InputError(
      `--resume: a DQN training's replay memory is not kept in its checkpoint; train ${file} again from the start`,
    );
  if (o.workers !== undefined && o.workers !== 1)
    throw new InputError(`--workers: DQN plays its episodes in one thread, found ${o.workers}`);
  const train = config.train;
  const dqn = DqnSettings.parse(train.dqn ?? {});
  const t = await readCompatJobs(config.tracePath);
  checkQueueSizes(config, t.jobs.length, file);
  const env = await queueEnvOf(config, file);
  const nets = new KernelNetworks();
  const ws = nets.workspace();
  const params = nets.init(new RandomStreams(train.seed).get("rl/init"));
  const state: DqnState = {
    nets,
    params,
    pi: adamState(dqn.lr, nets.actorParams),
    // The critic is not trained (its part stays as initialised); an optimiser state of its size keeps
    // the checkpoint's layout that of PPO's.
    v: adamState(0, nets.paramCount - nets.actorParams),
    epoch: 0,
    curve: [],
  };
  const target = Float64Array.from(params);
  const memory = new ReplayMemory(dqn.replay);
  const grad = new Float64Array(nets.paramCount);
  const tensors = nets.tensors();
  let steps = 0;
  const epsilonAt = (epoch: number) =>
    dqn.epsilonStart + (dqn.epsilonEnd - dqn.epsilonStart) * Math.min(1, epoch / dqn.epsilonEpochs);

  const epoch = async (s: DqnState): Promise<DqnCurveRow> => {
    const e = s.epoch;
    const at = `epoch ${e + 1}`;
    const epsilon = epsilonAt(e);
    const episodes = episodeSeeds(train, e).map((job) =>
      playEpisode(env, nets, params, ws, {
        seed: job.seed,
        choice: "epsilon-greedy",
        epsilon,
        rng: new RandomStreams(train.seed).fresh(job.stream),
        values: false,
        rows: true,
      }),
    );
    for (const [i, ep] of episodes.entries()) {
      finiteFigure(ep.reward / train.rewardScale, `episode ${i + 1}'s reward ÷ train.rewardScale`, at);
      memory.add(ep);
    }
    s.pi.lr = train.lrSchedule === "linear" ? dqn.lr * Math.max(0, 1 - e / train.epochs) : dqn.lr;
    let lossSum = 0;
    for (let u = 0; u < dqn.updates; u++) {
      const rng = new RandomStreams(train.seed).fresh(`rl/dqn/epoch/${e}/update/${u}`);
      grad.fill(0, 0, nets.actorParams);
      const loss = qLearningLoss(nets, params, target, grad, ws, memory.sample(dqn.batchSize, rng), {
        gamma: train.gamma,
        rewardScale: train.rewardScale,
        nStep: dqn.nStep,
        double: dqn.double,
        huberDelta: dqn.huberDelta,
      });
      const where = `${at}, step ${u + 1}`;
      finiteFigure(loss, "the TD loss", where);
      finiteTensors(grad, tensors, 0, nets.actorParams, "the Q-network's gradient", where);
      adamStep(s.pi, params, grad, 0);
      finiteTensors(params, tensors, 0, nets.actorParams, "the Q-network's weights", where);
      lossSum += loss;
      if (++steps % dqn.targetEvery === 0) target.set(params.subarray(0, nets.actorParams));
    }
    s.epoch++;
    return {
      epoch: s.epoch,
      episodes: episodes.length,
      meanReward: episodes.reduce((x, ep) => x + ep.reward, 0) / episodes.length,
      meanBoundedSlowdown: meanMetric(episodes, "boundedSlowdown"),
      meanUtilisation: meanMetric(episodes, "utilisation"),
      epsilon,
      tdLoss: lossSum / dqn.updates,
      replay: memory.size,
      validationBoundedSlowdown: Number.NaN,
    };
  };

  const trace = checkpointPath(trainingDir(file, o), config.tracePath);
  const normalisers = { maxExecS: t.jobs.reduce((m, j) => Math.max(m, j.runS), 0), maxProcs: t.nodes * t.procsPerNode };
  const r = await runTraining<DqnCurveRow>(
    {
      file,
      config,
      nets,
      step: { state, epoch },
      validation: { field: "validationBoundedSlowdown", lowerIsBetter: true, of: queueValidator(config, t, file) },
      // The checkpoint records DQN's settings as used, defaults written out (as PPO's are).
      checkpoint: (st) =>
        checkpointOf(st as never, { ...config, train: { ...train, dqn } }, normalisers, trace) as never,
      columns: DQN_CURVE_COLUMNS,
      svg: {
        title: `DQN on ${basename(file)}: mean bounded slowdown of the epoch's episodes`,
        y: "mean bounded slowdown",
        of: (row) => row.meanBoundedSlowdown,
      },
      line: (row) => {
        const validated = Number.isNaN(row.validationBoundedSlowdown)
          ? ""
          : `, ${row.validationBoundedSlowdown.toFixed(2)} on the validation windows`;
        return `epoch ${row.epoch}: mean bounded slowdown ${row.meanBoundedSlowdown.toFixed(2)} over ${row.episodes} episodes (ε ${row.epsilon.toFixed(3)})${validated}, TD loss ${row.tdLoss.toFixed(4)}`;
      },
    },
    o,
  );
  return { ...r, checkpoint: r.checkpoint as unknown as RlCheckpoint };
}
