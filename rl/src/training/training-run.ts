import { basename, extname, join, resolve } from "node:path";
import { InputError, prepareOutputDir, stableJson, writeFilesAtomically } from "@clustersim/files";
import { wallSeconds } from "@clustersim/sim-core";
import { type CheckpointKind, checkCheckpoint, loadCheckpoint } from "../checkpoint/checkpoint-check.js";
import { resolveCheckpointPath } from "../checkpoint/checkpoint-paths.js";
import type { LoadedPackingConfig } from "../config/packing-config.js";
import type { LoadedQueueConfig } from "../config/rl-config.js";
import type { AgentNetworks } from "../networks/agent-networks.js";
import type { Trajectory } from "../rollouts/rollout.js";
import { curveSvg } from "./curve-svg.js";
import { TrainingDiverged } from "./divergence.js";
import type { PlacementCheckpoint } from "./placement-checkpoint.js";
import {
  CURVE_COLUMNS,
  ppoUpdate,
  type RlCheckpoint,
  rollouts,
  type SavedTraining,
  type TrainState,
  trainState,
  type UpdateStats,
} from "./ppo-trainer.js";
import { localCompute, type RlCompute, workerCompute } from "./rl-compute.js";
import { rlTaskOf } from "./rl-tasks.js";

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

/**
 * The checkpoint `--resume` names, checked as every checkpoint read is (checkCheckpoint: a training
 * checkpoint of `kind`, its environment, every tensor finite), then checked to have been trained with
 * `env` and `train`. The paths among env's `paths` are compared resolved: the checkpoint's against its
 * own folder (where training wrote them from), `env`'s as given (absolute).
 */
export function readResumeCheckpoint<C extends RlCheckpoint | PlacementCheckpoint>(
  path: string,
  kind: CheckpointKind,
  env: Record<string, unknown>,
  paths: readonly string[],
  train: { epochs: number; workers: number },
): C {
  const { checkpoint: c } = loadCheckpoint(path, { kinds: [kind], env: true, training: true }, `--resume ${path}`);
  const saved: Record<string, unknown> = { ...c.env };
  for (const f of paths) saved[f] = resolveCheckpointPath(path, saved[f] as string);
  // Neither how long to train nor on how many threads is part of what a checkpoint was trained as.
  const { epochs: _a, workers: _w, ...wanted } = train;
  const { epochs: _b, workers: _v, ...was } = c.train as unknown as typeof train;
  const differ = [
    ...differingKeys(saved, env).map((k) => `env.${k}`),
    ...differingKeys({ ...PREDATED_SETTINGS, ...was }, { ...PREDATED_SETTINGS, ...wanted }).map((k) => `train.${k}`),
  ];
  if (differ.length > 0)
    throw new InputError(
      `--resume ${path}: the checkpoint was trained with another environment or other settings than this file's (${differ.join(", ")} differ)`,
    );
  return c as C;
}

/** Settings added after checkpoints were first written, with the value those checkpoints trained with. */
const PREDATED_SETTINGS = { rewardScale: 1 };

/** The keys whose values differ between two JSON objects, in sorted order. */
function differingKeys(a: unknown, b: unknown): string[] {
  const x = (a ?? {}) as Record<string, unknown>;
  const y = (b ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  return keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

/** The best epoch so far on validation: its parameters under the task's validation figure. */
type Best = { epoch: number; params: number[] };

/** What a task brings to the training loop (runTraining). */
export interface TrainingTask<Row extends { epoch: number; episodes: number }> {
  file: string;
  config: LoadedQueueConfig | LoadedPackingConfig;
  nets: AgentNetworks;
  resume?: SavedTraining<Row, Best>;
  /** PPO's: the epoch's row of the learning curve, its validation figure NaN (filled in after). */
  row?(u: UpdateStats, trajectories: readonly Trajectory[], epoch: number): Row;
  /**
   * Another algorithm's epoch (DQN's, ../dqn/train-dqn.ts), instead of PPO's rollouts and update, on
   * a state it made (`state`): it counts the epoch and returns its row, the validation figure NaN.
   */
  step?: { state: TrainState<Row, Best>; epoch(state: TrainState<Row, Best>): Promise<Row> };
  /** The row's field holding the validation figure, and whether lower is better. */
  validation: { field: keyof Row & string; lowerIsBetter: boolean; of?: (params: Float64Array) => number };
  /** The checkpoint to write for a training state. */
  checkpoint(state: TrainState<Row, Best>): SavedTraining<Row, Best> & object;
  columns: readonly (keyof Row)[];
  /** The curve's picture: its title, y label and figure. */
  svg: { title: string; y: string; of: (row: Row) => number };
  /** A line saying how an epoch went. */
  line(row: Row): string;
}

/** The directory a training writes to: `o.out`, or results/rl-NAME (NAME the environment file's). */
export function trainingDir(file: string, o: TrainRlOptions): string {
  return resolve(o.out ?? `results/rl-${basename(file, extname(file))}`);
}

/**
 * The training loop every task shares: PPO epochs until `o.epochs` (default: the file's), after each
 * one the directory holding, as one set, checkpoint.json (networks, optimiser state, learning curve:
 * enough to resume), curve.csv and curve.svg, and with validation agent.json (the epoch that did best
 * there, as a checkpoint of its own: the agent to use); timing.json holds the wall-clock seconds, which
 * are never part of a result. Bad settings are refused before any worker starts.
 */
export async function runTraining<Row extends { epoch: number; episodes: number }>(
  task: TrainingTask<Row>,
  o: TrainRlOptions,
): Promise<{ dir: string; checkpoint: SavedTraining<Row, Best> & object; epochsRun: number; wallS: number }> {
  const { config, validation } = task;
  const epochs = o.epochs ?? config.train.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new InputError(`--epochs: expected an integer >= 1, found ${o.epochs}`);
  const state = task.step?.state ?? trainState<Row, Best>(config.train, task.resume, task.nets);
  const dir = trainingDir(task.file, o);
  prepareOutputDir(dir);
  const workers = o.workers ?? config.train.workers;
  const compute = task.step ? undefined : await computeFor(config, workers);
  const t0 = wallSeconds();
  const epochWallS: number[] = [];
  let epochsRun = 0;
  let written: number | undefined;
  let checkpoint = task.checkpoint(state);
  try {
    while (state.epoch < epochs) {
      const e0 = wallSeconds();
      let row: Row;
      if (task.step) row = await task.step.epoch(state);
      else {
        const trajectories = await rollouts(compute!, state, config.train, state.epoch);
        row = task.row!(await ppoUpdate(state, config.train, trajectories, compute!), trajectories, state.epoch);
      }
      state.curve.push(row);
      if (validation.of) {
        const v = validation.of(state.params);
        (row as Record<string, unknown>)[validation.field] = v;
        const was = (state.best as Record<string, number> | undefined)?.[validation.field];
        if (was === undefined || (validation.lowerIsBetter ? v < was : v > was))
          state.best = { epoch: row.epoch, [validation.field]: v, params: [...state.params] } as Best;
      }
      checkpoint = task.checkpoint(state);
      soundCheckpoint(checkpoint, config.env, row.epoch);
      const best = checkpoint.best;
      epochWallS.push(wallSeconds() - e0);
      epochsRun++;
      writeFilesAtomically(dir, {
        "checkpoint.json": stableJson(checkpoint),
        "curve.csv": curveCsv(checkpoint.curve, task.columns),
        "curve.svg": curveSvg(
          task.svg.title,
          task.svg.y,
          checkpoint.curve.map((r) => [r.epoch, task.svg.of(r)]),
        ),
        "timing.json": stableJson({ epochsRun, workers, wallS: wallSeconds() - t0, epochWallS }),
        ...(best && {
          "agent.json": stableJson({
            ...checkpoint,
            epoch: best.epoch,
            params: best.params,
            best: undefined,
            adam: undefined,
          }),
        }),
      });
      written = state.epoch;
      o.onEpoch?.({ ...row } as unknown as Record<string, number>, task.line(row), wallSeconds() - t0);
    }
  } catch (err) {
    if (!(err instanceof TrainingDiverged)) throw err;
    // Files are written as one set after each epoch, so the directory holds the last sound epoch's.
    const kept =
      written === undefined
        ? "no checkpoint was written"
        : `${join(dir, "checkpoint.json")} holds epoch ${written}, the last one that was sound`;
    throw new TrainingDiverged(`training stopped at ${err.message}; ${kept}`);
  } finally {
    await compute?.close();
  }
  return { dir, checkpoint, epochsRun, wallS: wallSeconds() - t0 };
}

/**
 * A checkpoint about to be written, checked as a reader will check it (checkCheckpoint): the guards of
 * the update (ppoUpdate) cover the weights and losses, this also Adam's moments (whose squares can
 * overflow while the weights stay finite) and the best epoch's copy. Never a checkpoint no reader takes.
 */
function soundCheckpoint(checkpoint: object, kind: "queue" | "packing", epoch: number): void {
  try {
    checkCheckpoint(checkpoint, "the checkpoint to write", {
      kinds: [kind === "queue" ? "queue" : "placement"],
      env: true,
      training: true,
    });
  } catch (err) {
    throw new TrainingDiverged(`epoch ${epoch}: ${(err as Error).message}`);
  }
}
