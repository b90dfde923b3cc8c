import { basename, extname, resolve } from "node:path";
import { PlacementNetworks } from "@clustersim/schedulers";
import { wallSeconds } from "@clustersim/sim-core";
import { InputError } from "../errors.js";
import { prepareOutputDir, stableJson, writeFilesAtomically } from "../outputs/atomic-files.js";
import { curveSvg } from "./curve-svg.js";
import type { LoadedPackingConfig } from "./packing-config.js";
import { fgdPackingEnv, readFgdData } from "./packing-episodes.js";
import { playPackingEpisode } from "./packing-rollout.js";
import {
  meanMetric,
  ppoUpdate,
  rollouts,
  type SavedTraining,
  saveAdam,
  type TrainState,
  trainState,
  withoutWorkers,
} from "./ppo-trainer.js";
import { packingChoices } from "./rl-tasks.js";
import { computeFor, curveCsv, readCheckpointFile, type TrainRlOptions } from "./training-run.js";

export interface TrainPlacementResult {
  dir: string;
  checkpoint: PlacementCheckpoint;
  epochsRun: number;
  wallS: number;
}

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

interface PlacementBest {
  epoch: number;
  validationAllocation: number;
  params: number[];
}

export /**
 * PPO on the packing environment (env: packing): the same loop, files and guarantees as the queue's,
 * with the placement networks; agent.json is the epoch whose greedy agent allocated the most GPUs on
 * the validation seeds.
 */
async function trainPlacement(
  file: string,
  config: LoadedPackingConfig,
  o: TrainRlOptions,
): Promise<TrainPlacementResult> {
  const epochs = o.epochs ?? config.train.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new InputError(`--epochs: expected an integer >= 1, found ${o.epochs}`);
  const envOf = (c: LoadedPackingConfig) => ({
    pods: c.pods,
    nodes: c.nodes,
    load: c.load,
    nodesPerEpisode: c.nodesPerEpisode,
  });
  const resume =
    o.resume === undefined
      ? undefined
      : (readCheckpointFile(o.resume, envOf(config), config.train) as unknown as PlacementCheckpoint);
  const dir = resolve(o.out ?? `results/rl-${basename(file, extname(file))}`);
  prepareOutputDir(dir);
  const workers = o.workers ?? config.train.workers;
  const data = await readFgdData(config.podsPath, config.nodesPath);
  const nets = new PlacementNetworks(packingChoices(config, data.nodes.length));
  const compute = await computeFor(config, workers);
  const state: TrainState<PlacementCurveRow, PlacementBest> = trainState(config.train, resume, nets);
  const env = fgdPackingEnv(data, config.load, config.nodesPerEpisode);
  const ws = nets.workspace();
  const seeds = config.train.validationSeeds;
  const validate = (params: Float64Array) =>
    seeds.reduce(
      (s, seed) =>
        s + playPackingEpisode(env, nets, params, ws, { seed, choice: "greedy", values: false }).metrics.allocation!,
      0,
    ) / seeds.length;
  const checkpointNow = (): PlacementCheckpoint => ({
    format: "clustersim-rl-checkpoint",
    version: 1,
    task: "placement",
    networks: "placement-kernel",
    env: envOf(config),
    train: withoutWorkers(config.train),
    epoch: state.epoch,
    params: [...state.params],
    adam: { pi: saveAdam(state.pi), v: saveAdam(state.v) },
    curve: state.curve,
    ...(state.best && { best: state.best }),
  });
  const t0 = wallSeconds();
  const epochWallS: number[] = [];
  let epochsRun = 0;
  let checkpoint = checkpointNow();
  try {
    while (state.epoch < epochs) {
      const e0 = wallSeconds();
      const trajectories = await rollouts(compute, state, config.train, state.epoch);
      const u = await ppoUpdate(state, config.train, trajectories, compute);
      const row: PlacementCurveRow = {
        epoch: state.epoch,
        episodes: trajectories.length,
        meanReward: trajectories.reduce((x, t) => x + t.reward, 0) / trajectories.length,
        meanAllocation: meanMetric(trajectories, "allocation"),
        meanFailedPods: meanMetric(trajectories, "failedPods"),
        ...u,
        validationAllocation: seeds.length > 0 ? validate(state.params) : Number.NaN,
      };
      state.curve.push(row);
      if (seeds.length > 0 && (!state.best || row.validationAllocation > state.best.validationAllocation))
        state.best = { epoch: row.epoch, validationAllocation: row.validationAllocation, params: [...state.params] };
      checkpoint = checkpointNow();
      epochWallS.push(wallSeconds() - e0);
      epochsRun++;
      writeFilesAtomically(dir, {
        "checkpoint.json": stableJson(checkpoint),
        "curve.csv": curveCsv(checkpoint.curve, PLACEMENT_CURVE_COLUMNS),
        "curve.svg": curveSvg(
          `PPO on ${basename(file)}: mean GPU allocation of the epoch's episodes`,
          "GPU allocation",
          checkpoint.curve.map((r) => [r.epoch, r.meanAllocation]),
        ),
        "timing.json": stableJson({ epochsRun, workers, wallS: wallSeconds() - t0, epochWallS }),
        ...(checkpoint.best && {
          "agent.json": stableJson({
            ...checkpoint,
            epoch: checkpoint.best.epoch,
            params: checkpoint.best.params,
            best: undefined,
            adam: undefined,
          }),
        }),
      });
      const validated = Number.isNaN(row.validationAllocation)
        ? ""
        : `, ${(100 * row.validationAllocation).toFixed(2)}% on the validation seeds`;
      const line = `epoch ${row.epoch}: mean GPU allocation ${(100 * row.meanAllocation).toFixed(2)}% over ${row.episodes} episodes${validated}, KL ${row.kl.toFixed(4)} after ${row.piIters} policy steps`;
      o.onEpoch?.({ ...row }, line, wallSeconds() - t0);
    }
  } finally {
    await compute.close();
  }
  return { dir, checkpoint, epochsRun, wallS: wallSeconds() - t0 };
}
