import { Mlp, type MlpWorkspace, type Tensor } from "@clustersim/engine";
import type { Rng } from "@clustersim/sim-core";
import { type AgentNetworks, softmax, softmaxBackward } from "./agent-networks.js";

/**
 * RLScheduler's networks (Zhang et al., SC'20; DIR-LAB/deep-batch-scheduler, ppo-pick-jobs.py):
 * - the actor's "kernel": one small MLP (8 → 32 → 16 → 8 → 1, ReLU) scores every waiting job from its
 *   8 features, and a softmax over the jobs shown is the policy;
 * - the critic: another such kernel gives each of the 128 slots a number, and an MLP over those 128
 *   (→ 64 → 32 → 8 → 1) gives the state's value.
 * A state is its `count` jobs' features, slots 0..count-1 (the queue environment fills the slots from
 * the first; the rest are padding, masked out of the policy). Padding slots all read the same vector,
 * so the critic's kernel scores that vector once for all of them. Parameters: one flat Float64Array,
 * the actor's first (`actorParams`), then the critic's.
 */
export const SLOTS = 128;
export const FEATURES = 8;
export const KERNEL_SIZES = [FEATURES, 32, 16, 8, 1] as const;
export const CRITIC_HEAD_SIZES = [SLOTS, 64, 32, 8, 1] as const;
/** What an empty slot reads (HPCSimPickJobs.py's padding). */
export const PADDING = [0, 1, 1, 1, 1, 1, 1, 0] as const;

export class KernelNetworks implements AgentNetworks<KernelWorkspace> {
  readonly actor = new Mlp(KERNEL_SIZES, 0);
  readonly criticKernel = new Mlp(KERNEL_SIZES, this.actor.paramCount);
  readonly criticHead = new Mlp(CRITIC_HEAD_SIZES, this.actor.paramCount + this.criticKernel.paramCount);
  readonly actorParams = this.actor.paramCount;
  readonly paramCount = this.actor.paramCount + this.criticKernel.paramCount + this.criticHead.paramCount;
  readonly maxChoices = SLOTS;

  /** A decision's block: its jobs' rows. */
  blockSize(count: number): number {
    return count * FEATURES;
  }

  tensors(): Tensor[] {
    return [
      ...this.actor.tensors("actor"),
      ...this.criticKernel.tensors("critic.kernel"),
      ...this.criticHead.tensors("critic.head"),
    ];
  }

  /** Fresh parameters (Glorot-uniform weights, zero biases). */
  init(rng: Rng): Float64Array {
    const p = new Float64Array(this.paramCount);
    this.actor.init(p, rng);
    this.criticKernel.init(p, rng);
    this.criticHead.init(p, rng);
    return p;
  }

  workspace(): KernelWorkspace {
    return {
      actor: this.actor.workspace(SLOTS),
      kernel: this.criticKernel.workspace(SLOTS + 1),
      head: this.criticHead.workspace(1),
      input: new Float64Array((SLOTS + 1) * FEATURES),
      logits: new Float64Array(SLOTS),
      probs: new Float64Array(SLOTS),
      slots: new Float64Array(SLOTS),
      dSlots: new Float64Array(SLOTS),
      dKernel: new Float64Array(SLOTS + 1),
      dOne: new Float64Array(1),
    };
  }

  /** Log-probabilities of the `count` jobs (into ws.probs: the probabilities; returns ws.logits as log p). */
  logProbs(params: Float64Array, rows: ArrayLike<number>, count: number, ws: KernelWorkspace, at = 0): Float64Array {
    if (!(count >= 1 && count <= SLOTS)) throw new RangeError(`count: expected 1..${SLOTS} jobs, found ${count}`);
    softmax(this.actor.forward(params, rows, count, ws.actor, at), count, ws.probs, ws.logits);
    return ws.logits;
  }

  /**
   * Add the gradient of `sum_i dLogp[i] * log p_i` (over the jobs of the last logProbs) into `grad`:
   * d log p_a / d z_i = [i = a] - p_i.
   */
  backwardLogProbs(
    params: Float64Array,
    grad: Float64Array,
    ws: KernelWorkspace,
    dLogp: Float64Array,
    count: number,
  ): void {
    softmaxBackward(dLogp, ws.probs, count, ws.dSlots);
    this.actor.backward(params, grad, ws.actor, ws.dSlots);
  }

  /** The critic's value of a state of `count` jobs. */
  value(params: Float64Array, rows: ArrayLike<number>, count: number, ws: KernelWorkspace, at = 0): number {
    const input = ws.input;
    const n = count * FEATURES;
    for (let i = 0; i < n; i++) input[i] = rows[at + i]!;
    for (let f = 0; f < FEATURES; f++) input[n + f] = PADDING[f]!;
    const k = this.criticKernel.forward(params, input, count + 1, ws.kernel);
    const slots = ws.slots;
    for (let i = 0; i < count; i++) slots[i] = k[i]!;
    slots.fill(k[count]!, count, SLOTS);
    return this.criticHead.forward(params, slots, 1, ws.head)[0]!;
  }

  /** Add `dValue` times the gradient of the last `value` into `grad`. */
  backwardValue(params: Float64Array, grad: Float64Array, ws: KernelWorkspace, dValue: number, count: number): void {
    ws.dOne[0] = dValue;
    this.criticHead.backward(params, grad, ws.head, ws.dOne, ws.dSlots);
    const dk = ws.dKernel;
    for (let i = 0; i < count; i++) dk[i] = ws.dSlots[i]!;
    let pad = 0;
    for (let i = count; i < SLOTS; i++) pad += ws.dSlots[i]!;
    dk[count] = pad;
    this.criticKernel.backward(params, grad, ws.kernel, dk);
  }
}

export interface KernelWorkspace {
  actor: MlpWorkspace;
  kernel: MlpWorkspace;
  head: MlpWorkspace;
  input: Float64Array;
  logits: Float64Array;
  probs: Float64Array;
  slots: Float64Array;
  dSlots: Float64Array;
  dKernel: Float64Array;
  dOne: Float64Array;
}
