import { RandomStreams, type Rng } from "@clustersim/sim-core";
import { type AdamState, adamState, adamStep } from "../learning/adam.js";
import { Mlp, type MlpWorkspace } from "../learning/mlp.js";
import type { Forecaster } from "./forecaster.js";

export interface MlpForecasterOptions {
  /** The last this many intervals are inputs (default 24: an assumption, an hour's shape at 2.5 min). */
  lags?: number;
  /** Hidden layer widths (default [16]: an assumption, small enough to train online). */
  hidden?: number[];
  /** The sliding window training sees, intervals (default 3 seasons, and 500 rows at least). */
  window?: number;
  /** Refit every this many intervals (default a 24th of the season, or 60: an assumption). */
  refitEvery?: number;
  /** Passes over the window at the first fit and at each refit after (defaults 30 and 3: assumptions). */
  firstEpochs?: number;
  epochs?: number;
  /** Adam's step (default 0.003, an assumption) and the mini-batch (default 32, an assumption). */
  learningRate?: number;
  batch?: number;
  seed?: number;
}

/**
 * A small neural forecaster: a dense network (the engine's Mlp, ReLU hidden layers, Adam) maps the
 * last `lags` values and, with a season longer than that, the three values around one season before
 * the target, to the next interval's value. It trains online on a sliding window, a fixed number of
 * epochs per refit, warm-started from the weights before; inputs and target are standardised by the
 * window's mean and standard deviation, taken anew at each refit. Forecasts h > 1 ahead feed its own
 * forecasts back as inputs. Same seed, same observations: the same bits (Float64, seeded shuffles).
 *
 * Cost per refit: epochs × rows × 3 × parameters multiply-adds (forward and backward); rows ≤ window.
 * The defaults with a day of minutes: 27-16-1 (465 parameters), 2,879 rows, 3 epochs: some 12 M; the
 * first fit 30 epochs. Says NaN until the window has 64 training rows (a season and lags + 64).
 */
export class MlpForecaster implements Forecaster {
  readonly lags: number;
  readonly window: number;
  readonly refitEvery: number;
  private readonly seasonal: boolean;
  private readonly net: Mlp;
  private readonly params: Float64Array;
  private readonly grad: Float64Array;
  private readonly adam: AdamState;
  private readonly ws: MlpWorkspace;
  private readonly rng: Rng;
  private readonly o: Required<Omit<MlpForecasterOptions, "hidden" | "seed">>;
  private y: number[] = [];
  private trained = false;
  private sinceRefit = 0;
  private mean = 0;
  private sd = 1;
  private path: number[] = [];

  constructor(
    readonly period: number,
    options: MlpForecasterOptions = {},
  ) {
    if (!(Number.isInteger(period) && period >= 1)) throw new RangeError(`MLP forecaster period: ${period}`);
    const seasonal = period > 1;
    const lags = options.lags ?? 24;
    const reach = period > lags + 1 ? period + 1 : lags;
    this.o = {
      lags,
      // Three seasons, and at least 500 rows past the inputs' reach (assumptions).
      window: options.window ?? Math.max(seasonal ? 3 * period : 0, reach + 500),
      refitEvery: options.refitEvery ?? (seasonal ? Math.max(1, Math.round(period / 24)) : 60),
      firstEpochs: options.firstEpochs ?? 30,
      epochs: options.epochs ?? 3,
      learningRate: options.learningRate ?? 0.003,
      batch: options.batch ?? 32,
    };
    for (const [field, v] of Object.entries(this.o)) {
      const ok = field === "learningRate" ? v > 0 && Number.isFinite(v) : Number.isInteger(v) && v >= 1;
      if (!ok) throw new RangeError(`MLP forecaster ${field}: expected a positive number, found ${v}`);
    }
    const hidden = options.hidden ?? [16];
    this.lags = this.o.lags;
    this.window = this.o.window;
    this.refitEvery = this.o.refitEvery;
    // The season's values are inputs of their own only when the lags do not already reach them.
    this.seasonal = period > this.lags + 1;
    this.net = new Mlp([this.lags + (this.seasonal ? 3 : 0), ...hidden, 1]);
    this.params = new Float64Array(this.net.paramCount);
    this.grad = new Float64Array(this.net.paramCount);
    this.adam = adamState(this.o.learningRate, this.net.paramCount);
    this.ws = this.net.workspace(this.o.batch);
    this.rng = new RandomStreams(options.seed ?? 1).get("mlp-forecaster");
    this.net.init(this.params, this.rng);
  }

  /** How far back one row's inputs reach from its target. */
  private get reach(): number {
    return this.seasonal ? this.period + 1 : this.lags;
  }

  observe(value: number): void {
    this.y.push(value);
    if (this.y.length >= 2 * this.window) this.y = this.y.slice(-this.window);
    this.path = [];
    if (++this.sinceRefit >= this.refitEvery) {
      this.sinceRefit = 0;
      this.refit();
    }
  }

  forecast(h: number): number {
    if (!this.trained || !(h >= 1)) return Number.NaN;
    if (this.path.length < h) {
      const series = this.y.slice(-this.reach);
      for (const f of this.path) series.push(f);
      const x = new Float64Array(this.net.sizes[0]!);
      while (this.path.length < h) {
        this.features(series, series.length, x);
        const out = this.net.forward(this.params, x, 1, this.ws)[0]!;
        const f = out * this.sd + this.mean;
        this.path.push(f);
        series.push(f);
      }
    }
    return this.path[h - 1]!;
  }

  /** The standardised inputs for the target at index t of `series` (its lags before t). */
  private features(series: ArrayLike<number>, t: number, x: Float64Array): void {
    const z = (v: number) => (v - this.mean) / this.sd;
    for (let k = 0; k < this.lags; k++) x[k] = z(series[t - 1 - k]!);
    if (this.seasonal) for (let k = -1; k <= 1; k++) x[this.lags + 1 + k] = z(series[t - this.period + k]!);
  }

  private refit(): void {
    const y = this.y.length > this.window ? this.y.slice(-this.window) : this.y;
    const first = this.reach;
    const rows = y.length - first;
    if (rows < 64) return;
    let sum = 0;
    for (const v of y) sum += v;
    this.mean = sum / y.length;
    let ss = 0;
    for (const v of y) ss += (v - this.mean) ** 2;
    // A constant window: any scale will do, so the inputs stay 0 rather than NaN.
    this.sd = Math.sqrt(ss / y.length) || 1;
    const inputs = this.net.sizes[0]!;
    const B = this.o.batch;
    const x = new Float64Array(B * inputs);
    const target = new Float64Array(B);
    const dOut = new Float64Array(B);
    const order = Array.from({ length: rows }, (_, i) => first + i);
    const epochs = this.trained ? this.o.epochs : this.o.firstEpochs;
    const row = new Float64Array(inputs);
    for (let epoch = 0; epoch < epochs; epoch++) {
      // Fisher–Yates with the forecaster's own stream: the same seed, the same batches.
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.rng.int(0, i);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      for (let at = 0; at < rows; at += B) {
        const n = Math.min(B, rows - at);
        for (let r = 0; r < n; r++) {
          const t = order[at + r]!;
          this.features(y, t, row);
          x.set(row, r * inputs);
          target[r] = (y[t]! - this.mean) / this.sd;
        }
        const out = this.net.forward(this.params, x, n, this.ws);
        // Mean squared error over the batch: its gradient at each output is 2(ŷ − y)/n.
        for (let r = 0; r < n; r++) dOut[r] = (2 * (out[r]! - target[r]!)) / n;
        this.grad.fill(0);
        this.net.backward(this.params, this.grad, this.ws, dOut.subarray(0, n));
        adamStep(this.adam, this.params, this.grad, 0);
      }
    }
    this.trained = true;
  }
}
