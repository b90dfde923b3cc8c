import type { KernelNetworks, KernelWorkspace } from "../networks/kernel-networks.js";
import type { StoredEpisode } from "./replay-memory.js";

/**
 * DQN's loss on a batch of replayed decisions, with the Q-network being RLScheduler's kernel: the
 * actor's network (8 → 32 → 16 → 8 → 1) gives each job shown its value Q(s, job), so a DQN agent is
 * a checkpoint of the same networks as PPO's and acts greedily through the same code (the job of the
 * highest score). The critic's networks are not used.
 *
 * Target of decision t: the next n rewards (÷ rewardScale, discounted by γ), plus, unless the episode
 * ended within them, γⁿ times the target network's value of the state n decisions on, at the job the
 * Q-network picks there (double Q-learning) or the target network's best. Loss: the mean Huber loss
 * of Q(s_t, a_t) − target; its gradient flows through Q(s_t, a_t) only (the target is held fixed).
 */
export interface QLearningSettings {
  gamma: number;
  rewardScale: number;
  nStep: number;
  double: boolean;
  huberDelta: number;
}

/**
 * Add the batch's mean Huber loss gradient into `grad` (the actor's part of the flat layout) and
 * return the loss. `target` holds the target network's parameters (the same layout).
 */
export function qLearningLoss(
  nets: KernelNetworks,
  params: Float64Array,
  target: Float64Array,
  grad: Float64Array,
  ws: KernelWorkspace,
  batch: readonly { episode: StoredEpisode; index: number }[],
  s: QLearningSettings,
): number {
  const B = batch.length;
  const d = ws.dSlots;
  let loss = 0;
  for (const { episode: e, index: t } of batch) {
    const y = targetValue(nets, params, target, ws, e, t, s);
    const n = e.count[t]!;
    const a = e.action[t]!;
    const q = nets.actor.forward(params, e.rows, n, ws.actor, e.rowAt[t]!)[a]!;
    const diff = q - y;
    const abs = Math.abs(diff);
    loss += abs <= s.huberDelta ? 0.5 * diff * diff : s.huberDelta * (abs - 0.5 * s.huberDelta);
    d.fill(0, 0, n);
    d[a] = Math.max(-s.huberDelta, Math.min(s.huberDelta, diff)) / B;
    nets.actor.backward(params, grad, ws.actor, d);
  }
  return loss / B;
}

/** The n-step target of decision t of episode e (see qLearningLoss). */
export function targetValue(
  nets: KernelNetworks,
  params: Float64Array,
  target: Float64Array,
  ws: KernelWorkspace,
  e: StoredEpisode,
  t: number,
  s: QLearningSettings,
): number {
  const T = e.action.length;
  let y = 0;
  let discount = 1;
  let k = 0;
  for (; k < s.nStep && t + k < T; k++) {
    y += (discount * e.rewards[t + k]!) / s.rewardScale;
    discount *= s.gamma;
  }
  const next = t + k;
  if (next >= T) return y; // the episode ended: nothing to bootstrap from
  const n = e.count[next]!;
  const at = e.rowAt[next]!;
  let pick: number;
  if (s.double) {
    pick = argmaxOf(nets.actor.forward(params, e.rows, n, ws.actor, at), n);
    return y + discount * nets.actor.forward(target, e.rows, n, ws.actor, at)[pick]!;
  }
  const qt = nets.actor.forward(target, e.rows, n, ws.actor, at);
  pick = argmaxOf(qt, n);
  return y + discount * qt[pick]!;
}

function argmaxOf(x: Float64Array, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
