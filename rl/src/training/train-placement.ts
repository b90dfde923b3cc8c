import { basename } from "node:path";
import { InputError } from "@clustersim/files";
import { checkpointPath } from "../checkpoint/checkpoint-paths.js";
import type { LoadedPackingConfig } from "../config/packing-config.js";
import { fgdPackingEnv } from "../env/packing-episodes.js";
import { PlacementNetworks } from "../networks/placement-networks.js";
import { readFgdData } from "../protocols/fgd-data.js";
import { playPackingEpisode } from "../rollouts/packing-rollout.js";
import type { PlacementBest, PlacementCheckpoint, PlacementCurveRow } from "./placement-checkpoint.js";
import { meanMetric, type SavedTraining, savedTraining, withoutWorkers } from "./ppo-trainer.js";
import { packingChoices } from "./rl-tasks.js";
import { readResumeCheckpoint, runTraining, type TrainRlOptions, trainingDir } from "./training-run.js";

export type { PlacementCheckpoint, PlacementCurveRow } from "./placement-checkpoint.js";

export interface TrainPlacementResult {
  dir: string;
  checkpoint: PlacementCheckpoint;
  epochsRun: number;
  wallS: number;
}

const PLACEMENT_CURVE_COLUMNS: readonly (keyof PlacementCurveRow)[] = [
  "epoch",
  "episodes",
  "meanReward",
  "meanAllocation",
  "meanFailedPods",
  "policyLoss",
  "valueLoss",
  "kl",
  "piIters",
  "validationAllocation",
];

/**
 * PPO on the packing environment (env: packing), with the placement networks; agent.json is the epoch
 * whose greedy agent allocated the most GPUs on the validation seeds. Training episodes keep a row per
 * node the pod fits at every decision, so they are limited to MAX_TRAINING_NODES nodes.
 */
export async function trainPlacement(
  file: string,
  config: LoadedPackingConfig,
  o: TrainRlOptions,
): Promise<TrainPlacementResult> {
  const dir = trainingDir(file, o);
  // The lists as the checkpoint keeps them: relative to its own folder (../checkpoint/checkpoint-paths.ts).
  const env = {
    pods: checkpointPath(dir, config.podsPath),
    nodes: checkpointPath(dir, config.nodesPath),
    load: config.load,
    nodesPerEpisode: config.nodesPerEpisode,
  };
  const resume =
    o.resume === undefined
      ? undefined
      : readResumeCheckpoint<PlacementCheckpoint>(
          o.resume,
          "placement",
          { ...env, pods: config.podsPath, nodes: config.nodesPath },
          ["pods", "nodes"],
          config.train,
        );
  const data = await readFgdData(config.podsPath, config.nodesPath);
  const choices = packingChoices(config, data.nodes.length);
  if (choices > MAX_TRAINING_NODES)
    throw new InputError(
      `${file}: nodesPerEpisode: expected at most ${MAX_TRAINING_NODES} nodes per training episode (each decision keeps a row per node), found ${choices}${config.nodesPerEpisode === 0 ? " (0: the whole list)" : ""}`,
    );
  const nets = new PlacementNetworks(choices);
  const r = await runTraining<PlacementCurveRow>(
    {
      file,
      config,
      nets,
      resume: resume as never,
      row: (u, trajectories, epoch) => ({
        epoch,
        episodes: trajectories.length,
        meanReward: trajectories.reduce((x, t) => x + t.reward, 0) / trajectories.length,
        meanAllocation: meanMetric(trajectories, "allocation"),
        meanFailedPods: meanMetric(trajectories, "failedPods"),
        ...u,
        validationAllocation: Number.NaN,
      }),
      validation: {
        field: "validationAllocation",
        lowerIsBetter: false,
        of: placementValidator(config, data),
      },
      checkpoint: (state) => ({
        format: "clustersim-rl-checkpoint",
        version: 1,
        task: "placement",
        networks: "placement-kernel",
        env,
        train: withoutWorkers(config.train),
        ...(savedTraining(state) as SavedTraining<PlacementCurveRow, PlacementBest>),
      }),
      columns: PLACEMENT_CURVE_COLUMNS,
      svg: {
        title: `PPO on ${basename(file)}: mean GPU allocation of the epoch's episodes`,
        y: "GPU allocation",
        of: (row) => row.meanAllocation,
      },
      line: (row) => {
        const validated = Number.isNaN(row.validationAllocation)
          ? ""
          : `, ${(100 * row.validationAllocation).toFixed(2)}% on the validation seeds`;
        return `epoch ${row.epoch}: mean GPU allocation ${(100 * row.meanAllocation).toFixed(2)}% over ${row.episodes} episodes${validated}, KL ${row.kl.toFixed(4)} after ${row.piIters} policy steps`;
      },
    },
    { ...o, out: dir },
  );
  return { ...r, checkpoint: r.checkpoint as PlacementCheckpoint };
}

/**
 * With validation seeds: the greedy agent's mean GPU allocation over their episodes, for given
 * parameters (what each epoch's row records, and what picks the agent).
 */
export function placementValidator(
  config: LoadedPackingConfig,
  data: Awaited<ReturnType<typeof readFgdData>>,
): ((params: Float64Array) => number) | undefined {
  const seeds = config.train.validationSeeds;
  if (seeds.length === 0) return undefined;
  const nets = new PlacementNetworks(packingChoices(config, data.nodes.length));
  const fgd = fgdPackingEnv(data, config.load, config.nodesPerEpisode);
  const ws = nets.workspace();
  const allocation = (params: Float64Array, seed: number) =>
    playPackingEpisode(fgd, nets, params, ws, { seed, choice: "greedy", values: false }).metrics.allocation!;
  return (params) => seeds.reduce((sum, seed) => sum + allocation(params, seed), 0) / seeds.length;
}

/** The most nodes a training episode may have (nodesPerEpisode, or the whole list). */
export const MAX_TRAINING_NODES = 512;
