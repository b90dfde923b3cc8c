import { z } from "zod";

/**
 * DQN's own settings (`train.dqn` of a queue environment file with `train.algorithm: dqn`). Defaults:
 * Mnih et al. (Nature, 2015) where a setting carries over (Huber loss, a target network copied every
 * few thousand frames there, ε annealed from 1 to a floor, replay sampled uniformly), scaled to a
 * queue episode of a few hundred decisions; double Q-learning (van Hasselt et al., AAAI 2016) on by
 * default. The scaling is an assumption, not tuned: the comparison with PPO is the measurement.
 */
export const DqnSettings = z.strictObject({
  lr: z.number().gt(0).max(1).default(1e-3).meta({ description: "Adam's learning rate for the Q-network" }),
  batchSize: z.number().int().min(1).max(100_000).default(64).meta({ description: "decisions per gradient step" }),
  updates: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(200)
    .meta({ description: "gradient steps after each epoch's episodes" }),
  replay: z.number().int().min(1).max(10_000_000).default(50_000).meta({
    description: "decisions the replay memory keeps (the oldest episodes leave first, whole)",
  }),
  targetEvery: z.number().int().min(1).max(1_000_000).default(100).meta({
    description: "gradient steps between copies of the Q-network into the target network",
  }),
  nStep: z.number().int().min(1).max(100_000).default(1).meta({
    description:
      "rewards summed before bootstrapping from the target network (1: one-step Q-learning; the queue's reward comes only at an episode's end)",
  }),
  double: z.boolean().default(true).meta({
    description: "double Q-learning: the Q-network picks the next action, the target network values it",
  }),
  epsilonStart: z.number().min(0).max(1).default(1),
  epsilonEnd: z.number().min(0).max(1).default(0.05),
  epsilonEpochs: z.number().int().min(1).max(100_000).default(10).meta({
    description: "epochs over which ε falls linearly from epsilonStart to epsilonEnd",
  }),
  huberDelta: z.number().gt(0).default(1).meta({ description: "where the Huber loss turns from squared to linear" }),
});
export type DqnSettings = z.output<typeof DqnSettings>;

/** PPO's settings a DQN training has no use for: refused when given with `algorithm: dqn`. */
export const PPO_ONLY = ["clipRatio", "lambda", "piLr", "vLr", "trainPiIters", "trainVIters", "targetKl"] as const;
