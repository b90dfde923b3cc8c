import type { Tensor } from "@clustersim/engine";
import { firstNonFinite, showValue, tensorElement } from "../checkpoint/tensor-values.js";
import type { DecisionBatch } from "../ppo/ppo-loss.js";
import type { Trajectory } from "../rollouts/rollout.js";

/**
 * A training that produced a non-finite number (a loss, a gradient, a weight, the returns it learns
 * from): it stops there. Left to go on, one NaN spreads through Adam into every weight it touches,
 * and the checkpoint holds nulls that an evaluation still scores. The message names the epoch, the
 * step and the quantity (for a tensor, its layer and element); the training loop adds what was kept.
 */
export class TrainingDiverged extends Error {
  override readonly name = "TrainingDiverged";
}

/** A figure of the update (a loss, the KL), which must be finite; `at` says where, e.g. "epoch 3, policy step 2". */
export function finiteFigure(value: number, what: string, at: string): void {
  if (!Number.isFinite(value)) throw new TrainingDiverged(`${at}: ${what} is ${showValue(value)}`);
}

/** A range of a flat parameter-shaped array (weights or their gradient), every entry finite. */
export function finiteTensors(
  values: Float64Array,
  tensors: readonly Tensor[],
  from: number,
  to: number,
  what: string,
  at: string,
): void {
  const bad = firstNonFinite(values, from, to);
  if (!bad) return;
  const more = bad.count > 1 ? ` (and ${bad.count - 1} more values)` : "";
  throw new TrainingDiverged(
    `${at}: ${what} of ${tensorElement(tensors, bad.index)} is ${showValue(bad.value)}${more}`,
  );
}

/**
 * The epoch's batch: its returns and advantages finite. Rewards are divided by train.rewardScale
 * before either is computed, so a scale small enough overflows them (1e-320: bounded slowdowns in the
 * hundreds become -Infinity) before any loss is taken; said so here, where the cause is still plain.
 */
export function finiteBatch(
  trajectories: readonly Trajectory[],
  b: DecisionBatch,
  rewardScale: number,
  at: string,
): void {
  for (const [i, t] of trajectories.entries()) {
    const r = firstNonFinite(t.rewards);
    if (r)
      throw new TrainingDiverged(
        `${at}: the rewards of episode ${i + 1} are not finite (${showValue(r.value)} at step ${r.index + 1})`,
      );
  }
  const returns = firstNonFinite(b.returns);
  if (returns)
    throw new TrainingDiverged(
      `${at}: the returns are not finite (${showValue(returns.value)} at decision ${returns.index + 1} of ${b.size}): the rewards divided by train.rewardScale (${rewardScale}) overflow`,
    );
  const adv = firstNonFinite(b.advantage);
  if (adv)
    throw new TrainingDiverged(
      `${at}: the advantages are not finite (${showValue(adv.value)} at decision ${adv.index + 1} of ${b.size}): the critic's values or their spread overflow`,
    );
}
