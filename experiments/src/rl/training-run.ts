import { readFileSync } from "node:fs";
import { InputError } from "../errors.js";
import type { LoadedPackingConfig } from "./packing-config.js";
import { CURVE_COLUMNS, type RlCheckpoint } from "./ppo-trainer.js";
import { localCompute, type RlCompute, workerCompute } from "./rl-compute.js";
import type { LoadedQueueConfig } from "./rl-config.js";
import { rlTaskOf } from "./rl-tasks.js";
import type { PlacementCheckpoint } from "./train-placement.js";

/** What every training (queue or placement) shares: its options, where its work runs, its files. */
export interface TrainRlOptions {
  /** Output directory (default: results/rl-NAME, NAME the environment file's). */
  out?: string;
  /** A checkpoint to continue from (written by an earlier training of the same file). */
  resume?: string;
  /** Train until this many epochs in all (default: the file's `train.epochs`). */
  epochs?: number;
  /** Worker threads for episodes and gradients (default: the file's `train.workers`); no effect on results. */
  workers?: number;
  /** After each epoch: its row of the learning curve, a line saying how it went, the seconds so far. */
  onEpoch?(row: Record<string, number>, line: string, wallS: number): void;
}

/** Episodes and gradients on `workers` threads, or in this one. */
export async function computeFor(config: LoadedQueueConfig | LoadedPackingConfig, workers: number): Promise<RlCompute> {
  return workers > 1
    ? workerCompute(config, workers, config.train.clipRatio)
    : localCompute(await rlTaskOf(config), config.train.clipRatio);
}

/** The learning curve as CSV, one row per epoch. */
export function curveCsv<R>(rows: readonly R[], columns: readonly (keyof R)[] = CURVE_COLUMNS as never): string {
  return `${[columns.join(","), ...rows.map((r) => columns.map((c) => r[c]).join(","))].join("\n")}\n`;
}

/** A checkpoint file (any task), checked to have been trained with `env` and `train` when given. */
export function readCheckpointFile(
  path: string,
  env?: unknown,
  train?: { epochs: number; workers: number },
): RlCheckpoint | PlacementCheckpoint {
  let c: RlCheckpoint | PlacementCheckpoint;
  try {
    c = JSON.parse(readFileSync(path, "utf8")) as RlCheckpoint | PlacementCheckpoint;
  } catch (err) {
    throw new InputError(`${path}: expected a checkpoint (JSON), found ${(err as Error).message.split("\n")[0]}`);
  }
  if (c?.format !== "clustersim-rl-checkpoint" || c.version !== 1)
    throw new InputError(`${path}: expected a clustersim RL checkpoint (format clustersim-rl-checkpoint, version 1)`);
  if (env !== undefined && train !== undefined) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    // Neither how long to train nor on how many threads is part of what a checkpoint was trained as.
    const { epochs: _a, workers: _w, ...wanted } = train;
    const { epochs: _b, workers: _v, ...saved } = c.train as unknown as typeof train;
    if (!same(c.env, env) || !same(saved, wanted))
      throw new InputError(
        `${path}: the checkpoint was trained with another environment or other settings than this file's (env ${JSON.stringify(c.env)})`,
      );
  }
  return c;
}
