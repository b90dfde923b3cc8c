/**
 * The peer of bench:rl-networks: RLScheduler's kernel networks and PPO losses in TensorFlow.js (core and
 * its CPU backend), written the way that library is meant to be used: a batch of states as one
 * [B, 128, 8] tensor, the kernel applied to every slot, masked log-softmax, gradients by autodiff.
 * It reads and writes the same flat parameter layout as @clustersim/rl's KernelNetworks, so the
 * two can be compared on the same weights (bench/test/rl-networks-tfjs.test.ts).
 */
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core alone has no gradients registered (the @tensorflow/tfjs bundle imports this).
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { CRITIC_HEAD_SIZES, FEATURES, KERNEL_SIZES, type KernelNetworks, PADDING, SLOTS } from "@clustersim/rl";
import * as tf from "@tensorflow/tfjs-core";

await tf.setBackend("cpu");

interface Layer {
  /** [in, out]: our [out][in] row-major, transposed. */
  w: tf.Variable;
  b: tf.Variable;
}

export interface PaddedBatch {
  /** [B, 128, 8]: each state's jobs, then padding. */
  obs: tf.Tensor3D;
  /** [B, 128]: 1 for slots holding a job. */
  mask: tf.Tensor2D;
  actions: tf.Tensor1D;
  logpOld: tf.Tensor1D;
  advantage: tf.Tensor1D;
  returns: tf.Tensor1D;
}

export class TfKernelNetworks {
  readonly actor: Layer[];
  readonly criticKernel: Layer[];
  readonly criticHead: Layer[];

  constructor(
    private readonly nets: KernelNetworks,
    params: Float64Array,
  ) {
    this.actor = layers(KERNEL_SIZES, params, 0);
    this.criticKernel = layers(KERNEL_SIZES, params, nets.actorParams);
    this.criticHead = layers(CRITIC_HEAD_SIZES, params, nets.actorParams + nets.criticKernel.paramCount);
  }

  get actorVariables(): tf.Variable[] {
    return this.actor.flatMap((l) => [l.w, l.b]);
  }

  get criticVariables(): tf.Variable[] {
    return [...this.criticKernel, ...this.criticHead].flatMap((l) => [l.w, l.b]);
  }

  /** Masked log-probabilities [B, 128]. */
  logProbs(obs: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    const logits = tf.reshape(apply(this.actor, tf.reshape(obs, [-1, FEATURES])), [-1, SLOTS]) as tf.Tensor2D;
    // As the original: logits + (mask − 1)·1e6, then log-softmax.
    return tf.logSoftmax(tf.add(logits, tf.mul(tf.sub(mask, 1), 1e6))) as tf.Tensor2D;
  }

  values(obs: tf.Tensor3D): tf.Tensor1D {
    const slots = tf.reshape(apply(this.criticKernel, tf.reshape(obs, [-1, FEATURES])), [-1, SLOTS]);
    return tf.reshape(apply(this.criticHead, slots), [-1]) as tf.Tensor1D;
  }

  /** PPO's clipped surrogate loss (as experiments' policyGradient). */
  policyLoss(b: PaddedBatch, clipRatio: number): tf.Scalar {
    const logp = tf.sum(tf.mul(this.logProbs(b.obs, b.mask), tf.oneHot(b.actions, SLOTS)), 1);
    const ratio = tf.exp(tf.sub(logp, b.logpOld));
    const clipped = tf.clipByValue(ratio, 1 - clipRatio, 1 + clipRatio);
    return tf.neg(tf.mean(tf.minimum(tf.mul(ratio, b.advantage), tf.mul(clipped, b.advantage)))) as tf.Scalar;
  }

  valueLoss(b: PaddedBatch): tf.Scalar {
    return tf.mean(tf.square(tf.sub(this.values(b.obs), b.returns))) as tf.Scalar;
  }

  /** The gradient of `loss` in KernelNetworks' flat layout. */
  flatGradient(loss: () => tf.Scalar): Float64Array {
    const vars = [...this.actorVariables, ...this.criticVariables];
    const { grads } = tf.variableGrads(loss, vars);
    const out = new Float64Array(this.nets.paramCount);
    let at = 0;
    for (const layer of [...this.actor, ...this.criticKernel, ...this.criticHead]) {
      const g = grads[layer.w.name];
      const [nIn, nOut] = layer.w.shape as [number, number];
      const w = g ? (g.arraySync() as number[][]) : undefined;
      for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) out[at + o * nIn + i] = w ? w[i]![o]! : 0;
      at += nIn * nOut;
      const gb = grads[layer.b.name];
      const bias = gb ? (gb.dataSync() as Float32Array) : new Float32Array(nOut);
      for (let o = 0; o < nOut; o++) out[at + o] = bias[o]!;
      at += nOut;
    }
    tf.dispose(Object.values(grads));
    return out;
  }

  dispose(): void {
    tf.dispose([...this.actorVariables, ...this.criticVariables]);
  }
}

let names = 0;

function layers(sizes: readonly number[], params: Float64Array, offset: number): Layer[] {
  const out: Layer[] = [];
  let at = offset;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const w = new Float32Array(nIn * nOut);
    for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) w[i * nOut + o] = params[at + o * nIn + i]!;
    at += nIn * nOut;
    const b = Float32Array.from(params.subarray(at, at + nOut));
    at += nOut;
    out.push({
      w: tf.variable(tf.tensor2d(w, [nIn, nOut]), true, `w${names++}`),
      b: tf.variable(tf.tensor1d(b), true, `b${names++}`),
    });
  }
  return out;
}

/** Dense layers, ReLU between them, linear last. */
function apply(ls: Layer[], x: tf.Tensor): tf.Tensor {
  let h = x;
  ls.forEach((l, i) => {
    h = tf.add(tf.matMul(h as tf.Tensor2D, l.w), l.b);
    if (i < ls.length - 1) h = tf.relu(h);
  });
  return h;
}

/** States given as (count, rows) made into padded tensors. */
export function paddedBatch(
  states: { count: number; rows: ArrayLike<number> }[],
  actions: number[],
  logpOld: number[],
  advantage: number[],
  returns: number[],
): PaddedBatch {
  const B = states.length;
  const obs = new Float32Array(B * SLOTS * FEATURES);
  const mask = new Float32Array(B * SLOTS);
  states.forEach((s, k) => {
    for (let slot = 0; slot < SLOTS; slot++) {
      const o = (k * SLOTS + slot) * FEATURES;
      for (let f = 0; f < FEATURES; f++) obs[o + f] = slot < s.count ? s.rows[slot * FEATURES + f]! : PADDING[f]!;
      mask[k * SLOTS + slot] = slot < s.count ? 1 : 0;
    }
  });
  return {
    obs: tf.tensor3d(obs, [B, SLOTS, FEATURES]),
    mask: tf.tensor2d(mask, [B, SLOTS]),
    actions: tf.tensor1d(actions, "int32"),
    logpOld: tf.tensor1d(logpOld),
    advantage: tf.tensor1d(advantage),
    returns: tf.tensor1d(returns),
  };
}

export { tf };
