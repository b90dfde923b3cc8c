import type { Rng } from "@clustersim/sim-core";

/**
 * Arrival-rate curves (arrivals per second as a function of simulated time) built from components that
 * multiply: a base (constant, diurnal, piecewise-linear) times modifiers (a surge). Each component
 * knows its exact maximum over an interval, so arrivals are drawn by thinning (Lewis & Shedler 1979)
 * block by block with a true upper bound: exact, and efficient even when a surge multiplies the rate.
 */
export type RateSpec =
  | { type: "constant"; ratePerS: number }
  /** mean · (1 + amplitude · cos(2π (t − peakAtS) / periodS)). */
  | { type: "diurnal"; meanRatePerS: number; amplitude: number; periodS: number; peakAtS: number }
  /** Linear between points [timeS, ratePerS]; flat before the first and after the last. */
  | { type: "piecewise"; points: Array<[number, number]> }
  /**
   * A factor that jumps at `atS` to 1 + (multiplier − 1)·initialFraction, grows linearly to
   * `multiplier` at atS + peakAfterS, then decays back toward 1 with time constant decayS.
   */
  | { type: "surge"; atS: number; multiplier: number; initialFraction: number; peakAfterS: number; decayS: number };

interface Component {
  at(t: number): number;
  maxOn(a: number, b: number): number;
}

/** A daily (or any period's) cosine around a mean, highest at `peakAtS`. Its fields inline: read every tick. */
class Diurnal implements Component {
  constructor(
    private readonly mean: number,
    private readonly amplitude: number,
    private readonly periodS: number,
    private readonly peakAtS: number,
  ) {}

  at(t: number): number {
    return this.mean * (1 + this.amplitude * Math.cos((2 * Math.PI * (t - this.peakAtS)) / this.periodS));
  }

  maxOn(a: number, b: number): number {
    const nextPeak = this.peakAtS + Math.ceil((a - this.peakAtS) / this.periodS) * this.periodS;
    return nextPeak <= b ? this.mean * (1 + this.amplitude) : Math.max(this.at(a), this.at(b));
  }
}

function component(spec: RateSpec): Component {
  switch (spec.type) {
    case "constant":
      return { at: () => spec.ratePerS, maxOn: () => spec.ratePerS };
    case "diurnal":
      return new Diurnal(spec.meanRatePerS, spec.amplitude, spec.periodS, spec.peakAtS);
    case "piecewise": {
      const pts = spec.points;
      const at = (t: number) => {
        if (t <= pts[0][0]) return pts[0][1];
        if (t > pts[pts.length - 1][0]) return pts[pts.length - 1][1];
        // The first point at or after t (binary search: traces give thousands of points).
        let lo = 1;
        let hi = pts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (pts[mid][0] < t) lo = mid + 1;
          else hi = mid;
        }
        const [t1, r1] = pts[lo];
        const [t0, r0] = pts[lo - 1];
        return t1 === t0 ? r1 : r0 + ((t - t0) / (t1 - t0)) * (r1 - r0);
      };
      return {
        at,
        maxOn: (a, b) => {
          let m = Math.max(at(a), at(b));
          for (const [t, r] of pts) if (t > a && t < b) m = Math.max(m, r);
          return m;
        },
      };
    }
    case "surge": {
      const { atS, multiplier: mult, initialFraction: f0, peakAfterS: peak, decayS } = spec;
      const at = (t: number) => {
        const tau = t - atS;
        if (tau < 0) return 1;
        const g = tau < peak ? f0 + ((1 - f0) * tau) / peak : Math.exp(-(tau - peak) / decayS);
        return 1 + (mult - 1) * g;
      };
      // Non-decreasing up to the peak, non-increasing after it: the maximum is at the peak, clamped.
      return { at, maxOn: (a, b) => at(Math.min(Math.max(atS + peak, a), b)) };
    }
  }
}

export class RateCurve {
  private readonly parts: Component[];
  /** The only part, when there is one (the common case: read without the list). */
  private readonly only: Component | undefined;

  constructor(readonly specs: readonly RateSpec[]) {
    this.parts = specs.map(component);
    this.only = this.parts.length === 1 ? this.parts[0] : undefined;
  }

  at(t: number): number {
    if (this.only) return this.only.at(t);
    let r = 1;
    for (const p of this.parts) r *= p.at(t);
    return r;
  }

  maxOn(a: number, b: number): number {
    let r = 1;
    for (const p of this.parts) r *= p.maxOn(a, b);
    return r;
  }

  /** Expected arrivals in [a, b], by the trapezoid rule on 1-second steps (for reports and tests). */
  expectedCount(a: number, b: number): number {
    const steps = Math.max(1, Math.ceil(b - a));
    const h = (b - a) / steps;
    let sum = (this.at(a) + this.at(b)) / 2;
    for (let i = 1; i < steps; i++) sum += this.at(a + i * h);
    return sum * h;
  }
}

/**
 * Arrival times of a non-homogeneous Poisson process with this rate on [startS, endS), in order.
 * Blocks of `blockS` seconds each get their own bound, so a short surge does not slow the rest.
 */
export function* thinnedArrivals(
  curve: RateCurve,
  rng: Rng,
  startS: number,
  endS: number,
  blockS = 60,
): Generator<number> {
  for (let a = startS; a < endS; a += blockS) {
    const b = Math.min(a + blockS, endS);
    const bound = curve.maxOn(a, b);
    if (!(bound > 0)) continue;
    let t = a;
    for (;;) {
      t += rng.exponential(bound);
      if (t >= b) break;
      if (rng.next() * bound < curve.at(t)) yield t;
    }
  }
}

/**
 * A step rate from arrival times: the arrivals counted per `binS`-second bin from `startS`, each bin's
 * count ÷ binS as its rate (a piecewise curve with a step at every bin boundary), times `scale`.
 */
export async function rateFromArrivals(
  arrivals: AsyncIterable<{ arrivalS: number }> | Iterable<{ arrivalS: number }>,
  binS: number,
  o: { startS?: number; endS?: number; scale?: number } = {},
): Promise<RateSpec> {
  const start = o.startS ?? 0;
  const end = o.endS ?? Number.POSITIVE_INFINITY;
  const counts: number[] = [];
  for await (const a of arrivals) {
    if (a.arrivalS < start) continue;
    if (a.arrivalS >= end) break;
    const k = Math.floor((a.arrivalS - start) / binS);
    while (counts.length <= k) counts.push(0);
    counts[k]++;
  }
  const scale = o.scale ?? 1;
  const points: Array<[number, number]> = [];
  counts.forEach((c, k) => {
    points.push([k * binS, (c / binS) * scale], [(k + 1) * binS, (c / binS) * scale]);
  });
  // After the last arrival: no traffic.
  if (points.length === 0) points.push([0, 0]);
  else points.push([counts.length * binS, 0]);
  return { type: "piecewise", points };
}
