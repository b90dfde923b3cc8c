/**
 * Power and cost. A node draws power linearly between idle and peak with its CPU utilisation (the
 * standard linear server power model, e.g. Fan, Weber & Barroso, ISCA'07); energy is its integral.
 * Defaults are assumptions [U] (no row in ../shared/CALIBRATION.md yet): set them per node type.
 */
export interface PowerModel {
  idleW: number;
  peakW: number;
}

export const DEFAULT_POWER: Readonly<PowerModel> = Object.freeze({ idleW: 100, peakW: 400 }); // [U]

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
