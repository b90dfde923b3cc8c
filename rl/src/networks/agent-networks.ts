import type { Tensor } from "@clustersim/engine";
import type { Rng } from "@clustersim/sim-core";

/**
 * What PPO needs of an agent's networks, whatever the task: a policy over the `count` choices of a
 * decision (a softmax over scores) and a value of the state, both read from the decision's block of
 * floats. Parameters are one flat Float64Array, the actor's first (`actorParams`), then the critic's.
 */
export interface AgentNetworks<W extends AgentWorkspace = AgentWorkspace> {
  readonly paramCount: number;
  readonly actorParams: number;
  /** The most choices a decision may have. */
  readonly maxChoices: number;
  /** Floats in a decision's block with `count` choices. */
  blockSize(count: number): number;
  /** The parameters as named tensors, in the order they lie in the flat array (they cover it). */
  tensors(): readonly Tensor[];
  /** Fresh parameters. */
  init(rng: Rng): Float64Array;
  workspace(): W;
  /** Log-probabilities of the choices (returned; the probabilities go to ws.probs). */
  logProbs(params: Float64Array, block: ArrayLike<number>, count: number, ws: W, at?: number): Float64Array;
  /** Add the gradient of `sum_i dLogp[i] * log p_i` (of the last logProbs) into `grad`. */
  backwardLogProbs(params: Float64Array, grad: Float64Array, ws: W, dLogp: Float64Array, count: number): void;
  value(params: Float64Array, block: ArrayLike<number>, count: number, ws: W, at?: number): number;
  /** Add `dValue` times the gradient of the last `value` into `grad`. */
  backwardValue(params: Float64Array, grad: Float64Array, ws: W, dValue: number, count: number): void;
}

export interface AgentWorkspace {
  probs: Float64Array;
}

/** A softmax of `z[0..count)` into `probs`, log-probabilities into `logp`. */
export function softmax(z: ArrayLike<number>, count: number, probs: Float64Array, logp: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < count; i++) max = Math.max(max, z[i]!);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const e = Math.exp(z[i]! - max);
    probs[i] = e;
    sum += e;
  }
  const logSum = max + Math.log(sum);
  for (let i = 0; i < count; i++) {
    probs[i]! /= sum;
    logp[i] = z[i]! - logSum;
  }
}

/**
 * The gradient at the scores `z` of `sum_i dLogp[i] * log p_i`, p the softmax of z, into `dz`:
 * d log p_a / d z_i = [i = a] − p_i.
 */
export function softmaxBackward(dLogp: Float64Array, probs: Float64Array, count: number, dz: Float64Array): void {
  let total = 0;
  for (let i = 0; i < count; i++) total += dLogp[i]!;
  for (let i = 0; i < count; i++) dz[i] = dLogp[i]! - probs[i]! * total;
}
