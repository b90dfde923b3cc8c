import type { LoadedPackingConfig } from "../config/packing-config.js";
import type { SavedTraining } from "./ppo-trainer.js";

/** A placement agent's checkpoint (env: packing): the placement networks and their training. */
export interface PlacementCheckpoint extends SavedTraining<PlacementCurveRow, PlacementBest> {
  format: "clustersim-rl-checkpoint";
  version: 1;
  task: "placement";
  networks: "placement-kernel";
  env: { pods: string; nodes: string; load: number; nodesPerEpisode: number };
  train: Omit<LoadedPackingConfig["train"], "workers">;
}

export interface PlacementCurveRow {
  epoch: number;
  episodes: number;
  meanReward: number;
  meanAllocation: number;
  meanFailedPods: number;
  policyLoss: number;
  valueLoss: number;
  kl: number;
  piIters: number;
  /** Mean final GPU allocation of the greedy agent on the validation seeds (NaN without any). */
  validationAllocation: number;
}

/** The best epoch so far on the validation seeds, and its parameters. */
export interface PlacementBest {
  epoch: number;
  validationAllocation: number;
  params: number[];
}
