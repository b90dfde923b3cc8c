import type { ServiceTimeShape } from "./service-time.js";

/** The loads tabulated: 0.01 to 0.99 in steps of 0.01, then 0.995 and 0.999. */
const LOADS = (() => {
  const loads: number[] = [];
  for (let k = 1; k <= 99; k++) loads.push(k / 100);
  loads.push(0.995, 0.999);
  return Float64Array.from(loads);
})();
/** Lattice points per table. */
const CELLS = 2048;
/** Where fromExponential joins the exponential's slope, in mean waits (a quantile of 1 − e⁻¹⁵). */
const JOIN_AT = 15;

/**
 * The wait of a request that waits in M/G/1, for any service-time shape: the Pollaczek–Khinchine
 * formula in Beneš's form (V. E. Beneš, "On queues with Poisson arrivals", Annals of Mathematical
 * Statistics 28, 1957): the wait is a sum of N residual service times (density (1 − F(x))/E[S]),
 * N geometric, P(N = k) = (1 − ρ)ρᵏ; given that it waits, N ≥ 1. Its mean is E[R]/(1 − ρ),
 * E[R] = E[S²]/(2E[S]), as Pollaczek–Khinchine's; its shape is exponential only for exponential service
 * (lighter-tailed for constant service, heavier for a log-normal of high variance).
 *
 * One table per load of LOADS, made when first asked: the residual time on a lattice of CELLS points
 * (a mean-preserving split of each point's mass between its two neighbours; the lattice spans 40 mean
 * waits or three times the longest service time, whichever is wider), the compound geometric sum by
 * Panjer's recursion (O(CELLS²) multiply-adds), and the CDF linear between lattice midpoints,
 * its axis scaled so that the mean is exactly 1: a table holds the shape, the mean is the caller's
 * (Kimura's, exact at c = 1). A load between two tabulated ones takes the nearest (an approximation:
 * the shape changes slowly with load); above 0.999, the last.
 * Tested against M/D/1's exact wait (Erlang's formula) and against the exponential of M/M/1.
 */
export class Mg1Wait {
  /** Tables of the CDF at lattice midpoints (unit mean), made when first asked. */
  private readonly tables: (Float64Array | undefined)[] = new Array(LOADS.length);
  /** Each table's spacing of midpoints, in units of the mean wait. */
  private readonly steps = new Float64Array(LOADS.length);

  /** How many tables there are (indexes 0 … count − 1). */
  static readonly count = LOADS.length;

  constructor(private readonly shape: ServiceTimeShape) {}

  /** The table for load ρ (< 1): the nearest tabulated load. */
  static indexOf(rho: number): number {
    if (rho <= LOADS[0]) return 0;
    if (rho >= LOADS[LOADS.length - 1]) return LOADS.length - 1;
    if (rho <= 0.99) return Math.round(rho * 100) - 1;
    return rho < 0.9925 ? 98 : rho < 0.997 ? 99 : 100;
  }

  /** The load table k was made for. */
  static loadOf(k: number): number {
    return LOADS[k];
  }

  /** P(W ≤ x | W > 0) for the load of table k, x in units of the mean wait of a request that waits. */
  cdf(k: number, x: number): number {
    if (!(x > 0)) return 0;
    const t = this.table(k);
    const h = this.steps[k];
    const at = x / h - 0.5;
    if (at < 0) return (t[0] * x) / (0.5 * h);
    const i = Math.floor(at);
    if (i >= CELLS - 1) return 1;
    return t[i] + (at - i) * (t[i + 1] - t[i]);
  }

  /** The u-quantile of the wait of a request that waits, in units of its mean (u in [0, 1)). */
  quantile(k: number, u: number): number {
    const t = this.table(k);
    const h = this.steps[k];
    if (u <= 0) return 0;
    if (u <= t[0]) return (0.5 * h * u) / t[0];
    let lo = 0;
    let hi = CELLS - 1;
    if (u >= t[hi]) return (hi + 0.5) * h;
    // The last midpoint whose CDF is below u.
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (t[mid] < u) lo = mid;
      else hi = mid;
    }
    const span = t[hi] - t[lo];
    return (lo + 0.5 + (span > 0 ? (u - t[lo]) / span : 1)) * h;
  }

  /**
   * The wait at the quantile of table k that a wait x holds of the exponential of mean 1 (x and the
   * result in units of the mean): maps the exponential's steady state onto M/G/1's. Past JOIN_AT mean
   * waits it goes on at the exponential's slope, so a wait far beyond the steady state (built in an
   * overload) is kept, not capped at the table's top; continuous and increasing throughout.
   */
  fromExponential(k: number, x: number): number {
    if (x <= JOIN_AT) return this.quantile(k, -Math.expm1(-x));
    return this.quantile(k, -Math.expm1(-JOIN_AT)) + (x - JOIN_AT);
  }

  /** The largest wait the table holds, in units of its mean (its CDF is 1 there). */
  top(k: number): number {
    this.table(k);
    return (CELLS - 0.5) * this.steps[k];
  }

  private table(k: number): Float64Array {
    const made = this.tables[k];
    if (made) return made;
    const t = this.make(k);
    this.tables[k] = t;
    return t;
  }

  private make(k: number): Float64Array {
    const rho = LOADS[k];
    const p = this.shape.points;
    const w = this.shape.weights;
    const m = this.shape.meanS;
    let second = 0;
    for (let j = 0; j < p.length; j++) second += w[j] * p[j] * p[j];
    const meanResidual = second / (2 * m);
    const meanWait = meanResidual / (1 - rho);
    const span = Math.max(40 * meanWait, 3 * p[p.length - 1]);
    const delta = span / CELLS;
    // Φ(x) = ∫₀ˣ F_R, F_R(x) = Σ w_j·min(p_j, x)/m (the residual of a discrete service time).
    const phi = (x: number): number => {
      let sum = 0;
      for (let j = 0; j < p.length; j++) sum += w[j] * (x < p[j] ? (x * x) / 2 : p[j] * (x - p[j] / 2));
      return sum / m;
    };
    // The residual's mass at each lattice point: a mean-preserving split, (Φ(x+δ) − 2Φ(x) + Φ(x−δ))/δ.
    const r = new Float64Array(CELLS);
    let prev = 0;
    let here = 0;
    let next = phi(delta);
    for (let i = 0; i < CELLS; i++) {
      r[i] = Math.max(0, (next - 2 * here + prev) / delta);
      prev = here;
      here = next;
      next = phi((i + 2) * delta);
    }
    // Panjer's recursion for the compound geometric sum: g_i = ρ·Σ_{j=1..i} r_j·g_{i−j} / (1 − ρ·r_0).
    const g = new Float64Array(CELLS);
    const scale = 1 / (1 - rho * r[0]);
    g[0] = (1 - rho) * scale;
    for (let i = 1; i < CELLS; i++) {
      let sum = 0;
      for (let j = 1; j <= i; j++) sum += r[j] * g[i - j];
      g[i] = rho * scale * sum;
    }
    // Given a wait (N ≥ 1): remove the atom 1 − ρ and rescale; the CDF at each lattice midpoint.
    const t = new Float64Array(CELLS);
    let cum = 0;
    for (let i = 0; i < CELLS; i++) {
      cum += (i === 0 ? g[0] - (1 - rho) : g[i]) / rho;
      t[i] = Math.min(1, cum);
    }
    // Mass past the lattice is put at its end.
    t[CELLS - 1] = 1;
    // The mean of the CDF linear through (0, 0) and the midpoints, then the axis scaled to make it 1.
    const h = delta / meanWait;
    let mean = ((1 + (1 - t[0])) / 2) * 0.5 * h;
    for (let i = 0; i + 1 < CELLS; i++) mean += ((2 - t[i] - t[i + 1]) / 2) * h;
    this.steps[k] = h / mean;
    return t;
  }
}

/** Each shape's tables, shared by every mixture and record that reads it. */
const tablesOf = new WeakMap<ServiceTimeShape, Mg1Wait>();

/** The M/G/1 wait tables of a service-time shape (made once per shape). */
export function mg1WaitOf(shape: ServiceTimeShape): Mg1Wait {
  let made = tablesOf.get(shape);
  if (!made) {
    made = new Mg1Wait(shape);
    tablesOf.set(shape, made);
  }
  return made;
}
