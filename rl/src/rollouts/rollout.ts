import type { Rng } from "@clustersim/sim-core";
import type { QueueEnv } from "../env/queue-env.js";
import { checkFiniteOutputs } from "../networks/finite-outputs.js";
import { FEATURES, type KernelNetworks, type KernelWorkspace } from "../networks/kernel-networks.js";

/**
 * One episode as PPO needs it, for any task: each decision's choices shown, its block of floats (what
 * the networks read: AgentNetworks.blockSize(count) floats), action, log-probability and value.
 */
export interface Trajectory {
  count: Int32Array;
  /** Every decision's block, back to back. */
  rows: Float32Array;
  action: Int32Array;
  logp: Float64Array;
  value: Float64Array;
  /** The reward after each decision, and their sum. */
  rewards: Float64Array;
  reward: number;
  /** The episode's scores, by the task's names (queue: boundedSlowdown, utilisation). */
  metrics: Record<string, number>;
}

/**
 * How an agent picks among the jobs shown: a draw from its policy (PPO's training), its likeliest job
 * (evaluation; for a Q-network, the job of the highest value), or ε-greedy (DQN's training: a job
 * drawn uniformly with probability `epsilon`, else the likeliest).
 */
export type ActionChoice = "sample" | "greedy" | "epsilon-greedy";

/**
 * Play one episode of the queue environment with the kernel policy, from `reset(seed, start)`.
 * `rng` draws the sampled actions. The same parameters, seed and draws give the same episode. With
 * `check` (naming the checkpoint: evaluation), a score that is not finite stops the episode with an
 * InputError naming the layer (../networks/finite-outputs.ts); training checks its losses instead.
 */
export function playEpisode(
  env: QueueEnv,
  nets: KernelNetworks,
  params: Float64Array,
  ws: KernelWorkspace,
  o: {
    seed: number;
    start?: number;
    choice: ActionChoice;
    rng?: Rng;
    epsilon?: number;
    /** The critic's value of each state, and the states' rows (default true). */
    values?: boolean;
    /** The states' rows without the critic's values (DQN's replay keeps them). */
    rows?: boolean;
    check?: string;
  },
): Trajectory {
  const keepRows = o.values !== false || o.rows === true;
  let { observation, info } = env.reset(o.seed, o.start);
  const count: number[] = [];
  const action: number[] = [];
  const logps: number[] = [];
  const values: number[] = [];
  const rows: Float32Array[] = [];
  for (;;) {
    const n = shown(info.mask);
    const logp = nets.logProbs(params, observation, n, ws);
    if (o.check !== undefined) checkFiniteOutputs(nets.actor, ws.actor, "actor", o.check);
    const a =
      o.choice === "greedy"
        ? argmax(logp, n)
        : o.choice === "sample"
          ? sample(ws.probs, n, o.rng!)
          : o.rng!.next() < o.epsilon!
            ? Math.floor(o.rng!.next() * n)
            : argmax(logp, n);
    count.push(n);
    action.push(a);
    logps.push(logp[a]!);
    if (keepRows) rows.push(observation.slice(0, n * FEATURES));
    if (o.values !== false) values.push(nets.value(params, observation, n, ws));
    const r = env.step(a);
    if (r.terminated) {
      const flat = new Float32Array(rows.reduce((s, x) => s + x.length, 0));
      let at = 0;
      for (const x of rows) {
        flat.set(x, at);
        at += x.length;
      }
      const rewards = new Float64Array(action.length);
      rewards[action.length - 1] = r.reward; // the queue's reward comes at the end
      return {
        count: Int32Array.from(count),
        rows: flat,
        action: Int32Array.from(action),
        logp: Float64Array.from(logps),
        value: Float64Array.from(values),
        rewards,
        reward: r.reward,
        metrics: { boundedSlowdown: r.info.boundedSlowdown!, utilisation: r.info.utilisation! },
      };
    }
    observation = r.observation;
    info = r.info;
  }
}

/** Jobs shown: the queue environment fills its slots from the first. */
function shown(mask: Uint8Array): number {
  const i = mask.indexOf(0);
  return i < 0 ? mask.length : i;
}

export function argmax(x: Float64Array, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

export function sample(p: Float64Array, n: number, rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += p[i]!;
    if (u < acc) return i;
  }
  return n - 1;
}
