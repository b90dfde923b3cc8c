import type { AgentNetworks, AgentWorkspace } from "../networks/agent-networks.js";

/**
 * A batch of decisions for PPO's update, stored compactly: state k offers `count[k]` choices and its
 * block (what the networks read) starts at rows[rowAt[k]], the blocks back to back; the action is a
 * choice below count[k].
 */
export interface DecisionBatch {
  size: number;
  count: Int32Array;
  rowAt: Int32Array;
  rows: Float32Array;
  action: Int32Array;
  /** log π_old(action | state) when the action was taken. */
  logpOld: Float64Array;
  /** Advantage (normalised) and return of each decision. */
  advantage: Float64Array;
  returns: Float64Array;
}

/**
 * PPO's clipped surrogate (Schulman et al. 2017), as RLScheduler's ppo-pick-jobs.py minimises it:
 * loss = −mean(min(r·A, clip(r, 1 − ε, 1 + ε)·A)) with r = π(a|s) / π_old(a|s). Writes the loss's
 * gradient into `grad` (zeroed first) and returns the loss and the approximate KL divergence
 * mean(log π_old − log π), PPO's early-stopping signal. States are visited in batch order, so the sum
 * is the same for the same batch. `b` may be one part of a batch of `total` decisions (splitBatch): the
 * means are then taken over `total`, and the parts' results add up to the whole batch's.
 */
export function policyGradient<W extends AgentWorkspace>(
  nets: AgentNetworks<W>,
  params: Float64Array,
  grad: Float64Array,
  b: DecisionBatch,
  clipRatio: number,
  ws: W,
  total = b.size,
): { loss: number; kl: number } {
  grad.fill(0);
  const dLogp = new Float64Array(nets.maxChoices);
  let loss = 0;
  let kl = 0;
  const n = total;
  for (let k = 0; k < b.size; k++) {
    const count = b.count[k]!;
    const logp = nets.logProbs(params, b.rows, count, ws, b.rowAt[k]!)[b.action[k]!]!;
    const ratio = Math.exp(logp - b.logpOld[k]!);
    const a = b.advantage[k]!;
    const clipped = Math.min(Math.max(ratio, 1 - clipRatio), 1 + clipRatio);
    loss -= Math.min(ratio * a, clipped * a);
    kl += b.logpOld[k]! - logp;
    // The unclipped term is the minimum unless the ratio has left the band on the advantage's side.
    const active = a >= 0 ? ratio <= 1 + clipRatio : ratio >= 1 - clipRatio;
    if (!active) continue;
    dLogp.fill(0, 0, count);
    dLogp[b.action[k]!] = (-ratio * a) / n;
    nets.backwardLogProbs(params, grad, ws, dLogp, count);
  }
  return { loss: loss / n, kl: kl / n };
}

/** The critic's mean squared error against the returns; its gradient into `grad` (zeroed first). */
export function valueGradient<W extends AgentWorkspace>(
  nets: AgentNetworks<W>,
  params: Float64Array,
  grad: Float64Array,
  b: DecisionBatch,
  ws: W,
  total = b.size,
): number {
  grad.fill(0);
  let loss = 0;
  const n = total;
  for (let k = 0; k < b.size; k++) {
    const count = b.count[k]!;
    const err = nets.value(params, b.rows, count, ws, b.rowAt[k]!) - b.returns[k]!;
    loss += err * err;
    nets.backwardValue(params, grad, ws, (2 * err) / n, count);
  }
  return loss / n;
}

/** The batch cut into `parts` runs of consecutive decisions (the last ones shorter when it must). */
export function splitBatch(b: DecisionBatch, parts: number): DecisionBatch[] {
  const out: DecisionBatch[] = [];
  const per = Math.ceil(b.size / parts);
  for (let from = 0; from < b.size; from += per) {
    const to = Math.min(b.size, from + per);
    const rowFrom = b.rowAt[from]!;
    const rowTo = to < b.size ? b.rowAt[to]! : b.rows.length;
    out.push({
      size: to - from,
      count: b.count.slice(from, to),
      rowAt: b.rowAt.slice(from, to).map((r) => r - rowFrom),
      rows: b.rows.slice(rowFrom, rowTo),
      action: b.action.slice(from, to),
      logpOld: b.logpOld.slice(from, to),
      advantage: b.advantage.slice(from, to),
      returns: b.returns.slice(from, to),
    });
  }
  return out;
}
