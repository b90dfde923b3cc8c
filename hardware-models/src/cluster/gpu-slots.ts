import type { Request } from "./cluster-types.js";

/** A whole GPU, in thousandths. */
export const GPU_WHOLE = 1000;

/**
 * The cluster's GPUs, following the Alibaba openb model (Weng et al., ATC'23): a node has whole GPUs,
 * each with 1000 thousandths free or taken, laid out node after node in one array; a task takes
 * `gpuMilli` of one GPU (sharing) or several whole GPUs, of a model it accepts.
 */
export class GpuSlots {
  /** Where each node's GPUs start in `free` (node n's are start[n] .. start[n + 1] - 1). */
  readonly start: Int32Array;
  readonly free: Int32Array;
  private readonly models: string[] = [];
  private readonly modelOf: Int32Array;

  /** `counts[n]` GPUs of model `models[n]` on node n (counts checked by the caller). */
  constructor(counts: readonly number[], models: readonly string[]) {
    const n = counts.length;
    this.start = new Int32Array(n + 1);
    this.modelOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.start[i + 1] = this.start[i] + counts[i];
      let m = this.models.indexOf(models[i]);
      if (m < 0) m = this.models.push(models[i]) - 1;
      this.modelOf[i] = m;
    }
    this.free = new Int32Array(this.start[n]).fill(GPU_WHOLE);
  }

  count(node: number): number {
    return this.start[node + 1] - this.start[node];
  }

  freeMilli(node: number, g: number): number {
    return this.free[this.start[node] + g];
  }

  /** The most thousandths free on any one GPU of a node; -1 for a node without GPUs. */
  maxFree(node: number): number {
    let most = -1;
    for (let g = this.start[node]; g < this.start[node + 1]; g++) if (this.free[g] > most) most = this.free[g];
    return most;
  }

  /** How many of a node's GPUs are wholly free. */
  wholeFree(node: number): number {
    let n = 0;
    for (let g = this.start[node]; g < this.start[node + 1]; g++) if (this.free[g] === GPU_WHOLE) n++;
    return n;
  }

  model(node: number): string {
    return this.models[this.modelOf[node]];
  }

  /** Whether a request's GPUs fit a node: `slots(node, r) !== null`, without building the slots. */
  fits(node: number, r: Request): boolean {
    const gpus = r.gpus ?? 0;
    if (gpus === 0) return true;
    if (r.gpuModels && r.gpuModels.length > 0 && !r.gpuModels.includes(this.models[this.modelOf[node]])) return false;
    const base = this.start[node];
    const end = this.start[node + 1];
    const milli = r.gpuMilli ?? GPU_WHOLE;
    if (gpus === 1 && milli < GPU_WHOLE) {
      if (r.gpuIndex !== undefined) {
        const g = r.gpuIndex;
        return Number.isInteger(g) && g >= 0 && g < end - base && this.free[base + g] >= milli;
      }
      for (let g = base; g < end; g++) if (this.free[g] >= milli) return true;
      return false;
    }
    let whole = 0;
    for (let g = base; g < end && whole < gpus; g++) if (this.free[g] === GPU_WHOLE) whole++;
    return whole === gpus;
  }

  /**
   * GPU slots for a request on a node: a GPU index for a share, a list of whole GPUs, [] for none;
   * null when the GPUs do not fit. A share goes to the GPU with the least free that still fits it
   * (best fit among the node's GPUs), unless the request names one (`gpuIndex`).
   */
  slots(node: number, r: Request): number | number[] | null {
    const gpus = r.gpus ?? 0;
    if (gpus === 0) return [];
    const base = this.start[node];
    const count = this.start[node + 1] - base;
    if (r.gpuModels && r.gpuModels.length > 0 && !r.gpuModels.includes(this.models[this.modelOf[node]])) return null;
    const milli = r.gpuMilli ?? GPU_WHOLE;
    if (gpus === 1 && milli < GPU_WHOLE) {
      if (r.gpuIndex !== undefined) {
        const g = r.gpuIndex;
        return Number.isInteger(g) && g >= 0 && g < count && this.free[base + g] >= milli ? g : null;
      }
      let best = -1;
      for (let g = 0; g < count; g++) {
        const free = this.free[base + g];
        if (free >= milli && (best < 0 || free < this.free[base + best])) best = g;
      }
      return best < 0 ? null : best;
    }
    const whole: number[] = [];
    for (let g = 0; g < count && whole.length < gpus; g++) if (this.free[base + g] === GPU_WHOLE) whole.push(g);
    return whole.length === gpus ? whole : null;
  }

  /** Take `milli` of GPU g of a node (a share). */
  takeShare(node: number, g: number, milli: number): void {
    this.free[this.start[node] + g] -= milli;
  }

  /** Take whole GPUs of a node; their bit mask (bit g for GPU g). */
  takeWhole(node: number, gpus: readonly number[]): number {
    let mask = 0;
    for (const g of gpus) {
      this.free[this.start[node] + g] = 0;
      mask += 2 ** g;
    }
    return mask;
  }

  /** Give back a share of GPU g, or (g < 0) nothing; then the whole GPUs of `mask`. Returns the thousandths freed. */
  giveBack(node: number, g: number, milli: number, mask: number): number {
    const base = this.start[node];
    let freed = 0;
    if (g >= 0) {
      this.free[base + g] += milli;
      freed = milli;
    }
    for (let k = 0; mask > 0; k++, mask = Math.floor(mask / 2)) {
      if (mask % 2 === 1) {
        this.free[base + k] = GPU_WHOLE;
        freed += GPU_WHOLE;
      }
    }
    return freed;
  }
}
