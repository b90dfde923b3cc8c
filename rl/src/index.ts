/**
 * @clustersim/rl: reinforcement learning over the simulator. The environments (queue, placement over
 * the steppable run, packing under FGD's protocol), the typed-array networks, trained agents as a queue
 * order and as node scores, PPO's training on worker threads, and the evaluation of agents beside the
 * heuristics on the published protocols (whose data it reads). Environment files are plain typed
 * configs and their zod schemas here; reading them from YAML is scenarios' (loadRlEnvConfig).
 */

export { type AdamState, adamState, adamStep, Mlp, type MlpWorkspace, type Tensor } from "@clustersim/engine";
export { InputError } from "@clustersim/files";
export { type KernelAgent, kernelAgent, kernelQueueScore } from "./agents/kernel-queue-score.js";
export { learnedPlacementScore, type PlacementAgent, placementAgent } from "./agents/learned-placement.js";
export {
  type CheckedCheckpoint,
  type CheckpointKind,
  type CheckpointNeeds,
  checkCheckpoint,
  loadCheckpoint,
  readCheckpointJson,
} from "./checkpoint/checkpoint-check.js";
export { checkpointPath, resolveCheckpointPath } from "./checkpoint/checkpoint-paths.js";
export type { RlEnvConfig } from "./config/env-config.js";
export {
  type LoadedPackingConfig,
  locatePackingFiles,
  PackingEnvConfig,
  PackingPpoConfig,
} from "./config/packing-config.js";
export {
  checkQueueSizes,
  type LoadedQueueConfig,
  locateQueueFiles,
  PpoConfig,
  QueueEnvConfig,
  queueEnvOf,
  validationStartsOf,
} from "./config/rl-config.js";
export { DqnSettings } from "./dqn/dqn-config.js";
export { type QLearningSettings, qLearningLoss, targetValue } from "./dqn/q-learning.js";
export { ReplayMemory, type StoredEpisode } from "./dqn/replay-memory.js";
export { DQN_CURVE_COLUMNS, type DqnCurveRow, trainDqn } from "./dqn/train-dqn.js";
export { EngineWindow, runEngineWindow } from "./env/engine-window.js";
export { foundValue } from "./env/found-value.js";
export {
  PackingEnv,
  type PackingEnvOptions,
  type PackingEpisode,
  type PackingInfo,
  type PackingStep,
} from "./env/packing-env.js";
export { fgdEpisode, fgdPackingEnv } from "./env/packing-episodes.js";
export { type Episode, PlacementEnv, type PlacementEnvOptions, type StepResult } from "./env/placement-env.js";
export {
  JOB_FEATURES,
  MAX_QUEUE_SIZE,
  QueueEnv,
  type QueueEnvOptions,
  type QueueStepInfo,
  type QueueStepResult,
  visibleJobs,
} from "./env/queue-env.js";
export { type QueueSplit, type QueueSplitRule, splitProblem, splitTrace } from "./env/queue-split.js";
export { evaluatePlacement, type PlacementEvalRow } from "./eval/eval-placement.js";
export { type EvalRow, evaluateQueue, type QueueWindows } from "./eval/eval-queue.js";
export type { AgentNetworks, AgentWorkspace } from "./networks/agent-networks.js";
export {
  CRITIC_HEAD_SIZES,
  FEATURES,
  KERNEL_SIZES,
  KernelNetworks,
  type KernelWorkspace,
  PADDING,
  SLOTS,
} from "./networks/kernel-networks.js";
export {
  type FeatureScratch,
  featureScratch,
  nodeFragment,
  PLACEMENT_FEATURES,
  placementRow,
} from "./networks/placement-features.js";
export { PLACEMENT_STATE, PlacementNetworks, type PlacementWorkspace } from "./networks/placement-networks.js";
export { type DecisionBatch, policyGradient, valueGradient } from "./ppo/ppo-loss.js";
export {
  type FgdData,
  podFromOpenb,
  readFgdData,
  readOpenbNodes,
  sampleArrivals,
} from "./protocols/fgd-data.js";
export { FGD_POLICIES, type FgdCheckpoint, runFgdOnce } from "./protocols/fgd-run.js";
export { PUBLISHED_STARTS, readCompatJobs, WINDOW_JOBS } from "./protocols/rlscheduler-jobs.js";
export { playPackingEpisode } from "./rollouts/packing-rollout.js";
export { type ActionChoice, playEpisode, type Trajectory } from "./rollouts/rollout.js";
export { curveSvg } from "./training/curve-svg.js";
export { TrainingDiverged } from "./training/divergence.js";
export type { PlacementCheckpoint, PlacementCurveRow } from "./training/placement-checkpoint.js";
export {
  CURVE_COLUMNS,
  type CurveRow,
  checkpointOf,
  decisionBatch,
  episodeSeeds,
  meanMetric,
  ppoUpdate,
  type RlCheckpoint,
  rollouts,
  type TrainState,
  trainState,
} from "./training/ppo-trainer.js";
export {
  type EpisodeJob,
  GRADIENT_PARTS,
  localCompute,
  type RlCompute,
  type RlTask,
  workerCompute,
} from "./training/rl-compute.js";
export { packingChoices, rlTaskOf } from "./training/rl-tasks.js";
export { placementValidator, type TrainPlacementResult } from "./training/train-placement.js";
export { queueValidator, readCheckpoint, type TrainRlResult } from "./training/train-queue.js";
export { trainRl } from "./training/train-rl.js";
export { readResumeCheckpoint, type TrainRlOptions } from "./training/training-run.js";
