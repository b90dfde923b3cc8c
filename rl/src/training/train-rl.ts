import type { RlEnvConfig } from "../config/env-config.js";
import { trainDqn } from "../dqn/train-dqn.js";
import { type TrainPlacementResult, trainPlacement } from "./train-placement.js";
import { type TrainRlResult, trainQueue } from "./train-queue.js";
import type { TrainRlOptions } from "./training-run.js";

/**
 * `clustersim train-rl FILE`: PPO on the environment of an RL environment file (`config`, as
 * scenarios' loadRlEnvConfig reads it from `file`, which names the outputs), the queue
 * (./train-queue.ts) or GPU placement (./train-placement.ts); or DQN on the queue (`train.algorithm:
 * dqn`, ../dqn/train-dqn.ts). After every epoch the directory holds,
 * as one set: checkpoint.json (networks, optimiser state, learning curve: enough to resume), curve.csv
 * and curve.svg, and with validation agent.json (the epoch that did best there, the agent to use);
 * timing.json holds the wall-clock seconds, which are never part of a result. The same file and seed
 * give the same checkpoint, byte for byte, on any number of worker threads.
 */
export async function trainRl(
  file: string,
  config: RlEnvConfig,
  o: TrainRlOptions = {},
): Promise<TrainRlResult | TrainPlacementResult> {
  if (config.env === "packing") return trainPlacement(file, config, o);
  return config.train.algorithm === "dqn" ? trainDqn(file, config, o) : trainQueue(file, config, o);
}
