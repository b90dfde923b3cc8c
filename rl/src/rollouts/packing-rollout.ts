import type { Rng } from "@clustersim/sim-core";
import type { PackingEnv } from "../env/packing-env.js";
import { PLACEMENT_FEATURES } from "../networks/placement-features.js";
import { PLACEMENT_STATE, type PlacementNetworks, type PlacementWorkspace } from "../networks/placement-networks.js";
import { type ActionChoice, argmax, sample, type Trajectory } from "./rollout.js";

/**
 * Play one episode of the packing environment with the placement networks, from `reset(seed)`: each
 * decision's block is the rows of the nodes the pod fits (in node order) and the cluster's state.
 * `rng` draws the sampled actions. Metrics: allocation (final GPU allocation) and failedPods.
 */
export function playPackingEpisode(
  env: PackingEnv,
  nets: PlacementNetworks,
  params: Float64Array,
  ws: PlacementWorkspace,
  o: { seed: number; choice: ActionChoice; rng?: Rng; values?: boolean; onNode?: (node: number) => void },
): Trajectory {
  let { observation, info } = env.reset(o.seed);
  const count: number[] = [];
  const action: number[] = [];
  const logps: number[] = [];
  const values: number[] = [];
  const rewards: number[] = [];
  const blocks: Float32Array[] = [];
  const stateAt = env.nodeCount * PLACEMENT_FEATURES;
  while (info.candidates.length > 0) {
    const c = info.candidates;
    const n = c.length;
    if (n > nets.maxChoices)
      throw new RangeError(`a decision offers ${n} nodes; the networks take at most ${nets.maxChoices}`);
    const block = new Float32Array(nets.blockSize(n));
    for (let i = 0; i < n; i++) {
      const from = c[i]! * PLACEMENT_FEATURES;
      block.set(observation.subarray(from, from + PLACEMENT_FEATURES), i * PLACEMENT_FEATURES);
    }
    block.set(observation.subarray(stateAt, stateAt + PLACEMENT_STATE), n * PLACEMENT_FEATURES);
    const logp = nets.logProbs(params, block, n, ws);
    const a = o.choice === "greedy" ? argmax(logp, n) : sample(ws.probs, n, o.rng!);
    count.push(n);
    action.push(a);
    logps.push(logp[a]!);
    if (o.values !== false) {
      blocks.push(block);
      values.push(nets.value(params, block, n, ws));
    }
    o.onNode?.(c[a]!);
    const r = env.step(c[a]!);
    rewards.push(r.reward);
    observation = r.observation;
    info = r.info;
  }
  const rows = new Float32Array(blocks.reduce((s, x) => s + x.length, 0));
  let at = 0;
  for (const x of blocks) {
    rows.set(x, at);
    at += x.length;
  }
  return {
    count: Int32Array.from(count),
    rows,
    action: Int32Array.from(action),
    logp: Float64Array.from(logps),
    value: Float64Array.from(values),
    rewards: Float64Array.from(rewards),
    reward: rewards.reduce((s, r) => s + r, 0),
    metrics: { allocation: info.allocation, failedPods: info.failedPods },
  };
}
