/**
 * Power and cost. A node draws power linearly between idle and peak with its CPU utilisation (the
 * standard linear server power model, e.g. Fan, Weber & Barroso, ISCA'07), and each of its GPUs
 * between its model's idle and peak with its allocated share; energy is the integral. The node
 * defaults are assumptions [U] (no row in ../shared/CALIBRATION.md yet): set them per node type.
 */
export interface PowerModel {
  idleW: number;
  peakW: number;
  /** Watts per GPU idle and fully allocated, where they override the GPU model's (GPU_POWER). */
  gpuIdleW?: number;
  gpuPeakW?: number;
}

export const DEFAULT_POWER: Readonly<PowerModel> = Object.freeze({ idleW: 100, peakW: 400 }); // [U]

/** One GPU's power: watts idle and fully allocated (linear between, with its allocated share [U]). */
export interface GpuPower {
  idleW: number;
  peakW: number;
}

/**
 * GPU power per model, as the openb trace names them (Alibaba GPU cluster, 2023; the FGD artifact
 * maps P100 to Tesla-P100-PCIE-16GB, V100M16 to Tesla-V100-SXM2-16GB and V100M32 to
 * Tesla-V100-SXM2-32GB or V100S-PCIE-32GB: pkg/type/open-gpu-share/utils/const.go).
 * - Peak: the board power of NVIDIA's product briefs and datasheets [P]: T4 70 W; A10 150 W; P100
 *   PCIe 250 W; V100 SXM2 300 W (V100M32 taken as SXM2: a V100S PCIe would be 250 W).
 * - Idle: the figures of Lettich et al., "Power- and Fragmentation-aware Online Scheduling for GPU
 *   Datacenters" (CCGrid'25), a published model of this trace (its code, PWR-plugin-kubernetes) [S]:
 *   T4 10 W, A10 30 W, P100 25 W, V100 30 W. Scope: a board with no work; nvidia-smi readings vary
 *   with the power state (a T4 reads about 9 W at P8 without a CUDA context and about 30 W with one).
 * Other models (openb's anonymised G2 and G3, or none named) use DEFAULT_GPU_POWER [U].
 */
export const GPU_POWER: Readonly<Record<string, Readonly<GpuPower>>> = Object.freeze({
  T4: { idleW: 10, peakW: 70 },
  A10: { idleW: 30, peakW: 150 },
  P100: { idleW: 25, peakW: 250 },
  V100M16: { idleW: 30, peakW: 300 },
  V100M32: { idleW: 30, peakW: 300 },
});

/** A GPU of no listed model: a PCIe data-centre GPU of the P100/V100 generation [U]. */
export const DEFAULT_GPU_POWER: Readonly<GpuPower> = Object.freeze({ idleW: 30, peakW: 250 });

/** The power of a GPU of `model` (DEFAULT_GPU_POWER for a model not listed). */
export function gpuPowerOf(model: string | undefined): Readonly<GpuPower> {
  return (model !== undefined && GPU_POWER[model]) || DEFAULT_GPU_POWER;
}

/**
 * The GPU power of a group of nodes holding `gpus` GPUs of each model: the mean over its GPUs. Groups
 * hold one model (a scenario's node group; an openb node list is split by model), where this is the
 * model's power; a group of several would be charged as if allocation spread over them in proportion.
 */
export function meanGpuPower(gpusByModel: ReadonlyMap<string | undefined, number>): GpuPower {
  let n = 0;
  let idle = 0;
  let peak = 0;
  for (const [model, gpus] of gpusByModel) {
    const p = gpuPowerOf(model);
    n += gpus;
    idle += gpus * p.idleW;
    peak += gpus * p.peakW;
  }
  return n === 0 ? { idleW: 0, peakW: 0 } : { idleW: idle / n, peakW: peak / n };
}

export function powerW(model: PowerModel, utilisation: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  return model.idleW + (model.peakW - model.idleW) * u;
}

/** Integrates power over simulated time: call `advance(now, utilisation)` whenever utilisation changes. */
export class EnergyMeter {
  private last = 0;
  private u = 0;
  private joules = 0;

  constructor(
    private readonly model: PowerModel,
    start = 0,
  ) {
    this.last = start;
  }

  advance(now: number, utilisation: number): void {
    if (now > this.last) this.joules += powerW(this.model, this.u) * (now - this.last);
    this.last = Math.max(this.last, now);
    this.u = utilisation;
  }

  kWh(now: number): number {
    const pending = now > this.last ? powerW(this.model, this.u) * (now - this.last) : 0;
    return (this.joules + pending) / 3.6e6;
  }
}

/**
 * Cost of nodes: reserved nodes are billed per started hour; elastic nodes per second (with a minimum
 * of `minimumS`, 60 s by default, as the large clouds bill per second after the first minute [U]).
 */
export interface PriceModel {
  perNodeHour: number;
  elastic: boolean;
  minimumS?: number;
}

export function nodeCost(price: PriceModel, upS: number): number {
  if (upS <= 0) return 0;
  if (price.elastic) return (Math.max(upS, price.minimumS ?? 60) / 3600) * price.perNodeHour;
  return Math.ceil(upS / 3600) * price.perNodeHour;
}
