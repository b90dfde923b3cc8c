import type { Rng } from "@clustersim/sim-core";

/**
 * A small dense network (ReLU hidden layers, a linear output) on typed arrays, with its gradient by
 * hand-written backpropagation. Its parameters live in a caller's flat Float64Array at `offset`, layer
 * by layer, each weight matrix row-major [out][in] followed by its bias, so that a policy made of
 * several networks keeps all its parameters (and their gradients, and Adam's moments) in one array.
 *
 * Chosen over @tensorflow/tfjs by measurement on these sizes (8-32-16-8-1 applied per job): see
 * bench/src/rl-networks/ and docs/guide/rl.md. Float64 throughout: the same inputs give the same
 * bits on any machine, and gradients check against finite differences to 1e-6.
 *
 * Rows are processed one after another with no allocation: `forward` fills a workspace sized for at
 * most `capacity` rows, which `backward` reads.
 *
 * It lives in the engine, not in rl where it was written for the policies, because the engine's
 * neural forecaster needs it and rl may import the engine but not the reverse (test/architecture).
 */
export class Mlp {
  readonly paramCount: number;
  private readonly weightAt: number[] = [];
  private readonly biasAt: number[] = [];

  constructor(
    readonly sizes: readonly number[],
    readonly offset = 0,
  ) {
    if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1))
      throw new RangeError(`sizes: expected at least two positive integers, found [${sizes.join(", ")}]`);
    let at = offset;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.weightAt.push(at);
      at += sizes[l]! * sizes[l + 1]!;
      this.biasAt.push(at);
      at += sizes[l + 1]!;
    }
    this.paramCount = at - offset;
  }

  /**
   * The parameters as named tensors (`prefix.layerL.weight`, [out, in], then `prefix.layerL.bias`,
   * [out]; layers from 1), where they lie in the flat array: so that a bad value found in training or
   * in a checkpoint can be reported by the layer that holds it rather than by a bare index.
   */
  tensors(prefix: string): Tensor[] {
    const out: Tensor[] = [];
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      out.push({ name: `${prefix}.layer${l + 1}.weight`, offset: this.weightAt[l]!, shape: [nOut, nIn] });
      out.push({ name: `${prefix}.layer${l + 1}.bias`, offset: this.biasAt[l]!, shape: [nOut] });
    }
    return out;
  }

  /** Glorot-uniform weights and zero biases (Keras' Dense defaults, which the RLScheduler code used). */
  init(params: Float64Array, rng: Rng): void {
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const fanIn = this.sizes[l]!;
      const fanOut = this.sizes[l + 1]!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const w = this.weightAt[l]!;
      for (let i = 0; i < fanIn * fanOut; i++) params[w + i] = rng.uniform(-limit, limit);
      params.fill(0, this.biasAt[l]!, this.biasAt[l]! + fanOut);
    }
  }

  /** A workspace for up to `capacity` rows: every layer's activations, and room for backpropagation. */
  workspace(capacity: number): MlpWorkspace {
    const widest = Math.max(...this.sizes);
    return {
      capacity,
      rows: 0,
      acts: this.sizes.map((s) => new Float64Array(capacity * s)),
      delta: new Float64Array(capacity * widest),
      deltaNext: new Float64Array(capacity * widest),
    };
  }

  /**
   * Outputs for `rows` inputs (row-major, `inputs` wide) read from `x` at `xAt`; returns the workspace's
   * output layer (row-major, `outputs` wide), valid until the next forward on that workspace.
   */
  forward(params: Float64Array, x: ArrayLike<number>, rows: number, ws: MlpWorkspace, xAt = 0): Float64Array {
    if (rows > ws.capacity) throw new RangeError(`forward: ${rows} rows for a workspace of ${ws.capacity}`);
    ws.rows = rows;
    const sizes = this.sizes;
    const a0 = ws.acts[0]!;
    const n0 = sizes[0]! * rows;
    for (let i = 0; i < n0; i++) a0[i] = x[xAt + i]!;
    const last = sizes.length - 2;
    for (let l = 0; l <= last; l++) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const inp = ws.acts[l]!;
      const out = ws.acts[l + 1]!;
      const w = this.weightAt[l]!;
      const b = this.biasAt[l]!;
      for (let r = 0; r < rows; r++) {
        const ri = r * nIn;
        const ro = r * nOut;
        for (let o = 0; o < nOut; o++) {
          let s = params[b + o]!;
          const wo = w + o * nIn;
          for (let i = 0; i < nIn; i++) s += params[wo + i]! * inp[ri + i]!;
          out[ro + o] = l < last && s < 0 ? 0 : s;
        }
      }
    }
    return ws.acts[last + 1]!;
  }

  /**
   * Backpropagate `dOut` (the loss's gradient at the outputs of the last forward, row-major) and add
   * the parameters' gradient into `grad` (same layout as `params`). With `dX`, the inputs' gradient is
   * written there too.
   */
  backward(
    params: Float64Array,
    grad: Float64Array,
    ws: MlpWorkspace,
    dOut: ArrayLike<number>,
    dX?: Float64Array,
  ): void {
    const sizes = this.sizes;
    const rows = ws.rows;
    let delta = ws.delta;
    let next = ws.deltaNext;
    const nLast = sizes.at(-1)! * rows;
    for (let i = 0; i < nLast; i++) delta[i] = dOut[i]!;
    for (let l = sizes.length - 2; l >= 0; l--) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const inp = ws.acts[l]!;
      const w = this.weightAt[l]!;
      const b = this.biasAt[l]!;
      const needInput = l > 0 || dX !== undefined;
      if (needInput) next.fill(0, 0, rows * nIn);
      for (let r = 0; r < rows; r++) {
        const ri = r * nIn;
        const ro = r * nOut;
        for (let o = 0; o < nOut; o++) {
          const d = delta[ro + o]!;
          if (d === 0) continue;
          grad[b + o] += d;
          const wo = w + o * nIn;
          for (let i = 0; i < nIn; i++) {
            grad[wo + i] += d * inp[ri + i]!;
            if (needInput) next[ri + i] += d * params[wo + i]!;
          }
        }
      }
      if (l > 0) {
        // Through the ReLU of layer l: no gradient where it was off.
        for (let i = 0; i < rows * nIn; i++) if (inp[i]! <= 0) next[i] = 0;
      } else if (dX) dX.set(next.subarray(0, rows * nIn));
      const t = delta;
      delta = next;
      next = t;
    }
  }
}

/** A named block of a flat parameter array: `shape`'s product values from `offset`, row-major. */
export interface Tensor {
  name: string;
  offset: number;
  shape: readonly number[];
}

export interface MlpWorkspace {
  readonly capacity: number;
  rows: number;
  readonly acts: Float64Array[];
  readonly delta: Float64Array;
  readonly deltaNext: Float64Array;
}
