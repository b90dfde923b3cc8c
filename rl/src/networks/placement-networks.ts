import { Mlp, type MlpWorkspace, type Tensor } from "@clustersim/engine";
import type { Rng } from "@clustersim/sim-core";
import { type AgentNetworks, softmax, softmaxBackward } from "./agent-networks.js";
import { PLACEMENT_FEATURES } from "./placement-features.js";

/**
 * A placement agent's networks, shaped like RLScheduler's kernel (./kernel-networks.ts) but over nodes:
 * - the actor scores each node the pod fits with one small MLP (10 → 32 → 16 → 8 → 1, ReLU) from that
 *   node's row (./placement-features.ts), and a softmax over those nodes is the policy; a network of
 *   this shape serves any cluster size, so an agent trained on small clusters runs on large ones;
 * - the critic values the state from a few cluster-wide figures (PLACEMENT_STATE: how far the arrivals
 *   are, what is allocated, the cluster's fragmentation, the pod) through an MLP (→ 32 → 16 → 1).
 * A decision's block: its `count` node rows, then the state.
 */
export const PLACEMENT_STATE = 6;
export const PLACEMENT_ACTOR_SIZES = [PLACEMENT_FEATURES, 32, 16, 8, 1] as const;
export const PLACEMENT_CRITIC_SIZES = [PLACEMENT_STATE, 32, 16, 1] as const;

export class PlacementNetworks implements AgentNetworks<PlacementWorkspace> {
  readonly actor = new Mlp(PLACEMENT_ACTOR_SIZES, 0);
  readonly critic = new Mlp(PLACEMENT_CRITIC_SIZES, this.actor.paramCount);
  readonly actorParams = this.actor.paramCount;
  readonly paramCount = this.actor.paramCount + this.critic.paramCount;

  /** `maxChoices`: the most nodes a training decision may offer (the workspace's size). */
  constructor(readonly maxChoices = 256) {}

  blockSize(count: number): number {
    return count * PLACEMENT_FEATURES + PLACEMENT_STATE;
  }

  tensors(): Tensor[] {
    return [...this.actor.tensors("actor"), ...this.critic.tensors("critic")];
  }

  /** Fresh parameters (Glorot-uniform weights, zero biases). */
  init(rng: Rng): Float64Array {
    const p = new Float64Array(this.paramCount);
    this.actor.init(p, rng);
    this.critic.init(p, rng);
    return p;
  }

  workspace(): PlacementWorkspace {
    return {
      actor: this.actor.workspace(this.maxChoices),
      critic: this.critic.workspace(1),
      probs: new Float64Array(this.maxChoices),
      logp: new Float64Array(this.maxChoices),
      dz: new Float64Array(this.maxChoices),
      dOne: new Float64Array(1),
    };
  }

  logProbs(params: Float64Array, block: ArrayLike<number>, count: number, ws: PlacementWorkspace, at = 0) {
    if (!(count >= 1 && count <= this.maxChoices))
      throw new RangeError(`count: expected 1..${this.maxChoices} nodes, found ${count}`);
    softmax(this.actor.forward(params, block, count, ws.actor, at), count, ws.probs, ws.logp);
    return ws.logp;
  }

  /** d log p_a / d z_i = [i = a] − p_i. */
  backwardLogProbs(
    params: Float64Array,
    grad: Float64Array,
    ws: PlacementWorkspace,
    dLogp: Float64Array,
    count: number,
  ) {
    softmaxBackward(dLogp, ws.probs, count, ws.dz);
    this.actor.backward(params, grad, ws.actor, ws.dz);
  }

  value(params: Float64Array, block: ArrayLike<number>, count: number, ws: PlacementWorkspace, at = 0): number {
    return this.critic.forward(params, block, 1, ws.critic, at + count * PLACEMENT_FEATURES)[0]!;
  }

  backwardValue(params: Float64Array, grad: Float64Array, ws: PlacementWorkspace, dValue: number, _count: number) {
    ws.dOne[0] = dValue;
    this.critic.backward(params, grad, ws.critic, ws.dOne);
  }
}

export interface PlacementWorkspace {
  actor: MlpWorkspace;
  critic: MlpWorkspace;
  probs: Float64Array;
  logp: Float64Array;
  dz: Float64Array;
  dOne: Float64Array;
}
