/**
 * Adam (Kingma & Ba, 2015) over a range of a flat parameter array, with TensorFlow's defaults as the
 * RLScheduler code used them (tf.train.AdamOptimizer: β1 0.9, β2 0.999, ε 1e-8). Its moments are plain
 * arrays so that a checkpoint can hold them and training resumes where it stopped.
 */
export interface AdamState {
  lr: number;
  step: number;
  m: Float64Array;
  v: Float64Array;
}

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

export function adamState(lr: number, size: number): AdamState {
  return { lr, step: 0, m: new Float64Array(size), v: new Float64Array(size) };
}

/** One step: params[from + i] moves against grad[from + i], i < state.m.length. */
export function adamStep(s: AdamState, params: Float64Array, grad: Float64Array, from: number): void {
  s.step++;
  const c1 = 1 - ADAM_BETA1 ** s.step;
  const c2 = 1 - ADAM_BETA2 ** s.step;
  // TensorFlow's form: lr_t = lr·√(1 − β2^t)/(1 − β1^t), ε added to √v unscaled.
  const lrT = (s.lr * Math.sqrt(c2)) / c1;
  const { m, v } = s;
  for (let i = 0; i < m.length; i++) {
    const g = grad[from + i]!;
    m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * g;
    v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * g * g;
    params[from + i] -= (lrT * m[i]!) / (Math.sqrt(v[i]!) + ADAM_EPSILON);
  }
}
