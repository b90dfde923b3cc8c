/**
 * The random part of a service's queue, as a distribution that evolves in time: what lets the fluid
 * model be continuous through saturation, and lets a short burst show only the delay it builds.
 *
 * The wait a request would have if it arrived now (seconds of work ahead of it) is a reflected
 * diffusion: drift −(1 − ρ) seconds per second and a diffusion coefficient D (the heavy-traffic
 * limit of a multi-server queue, Iglehart & Whitt 1970; Harrison, "Brownian Motion and Stochastic Flow
 * Systems", 1985), plus an atom at 0, the chance that a server is free. Below saturation D and the
 * atom's exchange rate are set so that its steady state is exactly the M/G/c approximation's (no wait
 * with probability 1 − C, else exponential at rate θ: D = (1 − ρ)/θ), so a long steady load gives the
 * closed form; as ρ → 1, D tends to (1 + scv)/(2cμ), the heavy-traffic variance (λ + cμ·scv)/(cμ)²/2, the
 * value used at and above saturation, so the model is continuous in load. The queue above capacity
 * (ρ > 1) is the fluid backlog's (./fluid-latency.ts); this part then has no drift and keeps spreading.
 *
 * Numerically: a finite-volume grid of waits, geometric (5% wider per cell) from a thousandth of the
 * mean service time up to the timeout (at most 10⁴ mean service times), with Scharfetter–Gummel fluxes
 * (exact for exponential profiles at the cells' centres, so the steady state is the closed form's to
 * within the cells' width: p99 about 1% high) and implicit Euler steps (stable at any step), a
 * tridiagonal solve of O(cells) per step.
 */
export class QueueDiffusion {
  /** Cell edges (edges[i], edges[i + 1]), centres and widths, seconds of wait. */
  readonly edges: Float64Array;
  readonly centres: Float64Array;
  private readonly widths: Float64Array;
  /** P(no wait) and each cell's probability; they sum to 1. */
  free = 1;
  readonly mass: Float64Array;
  /** The state at the start of the last step (for the tick's average) and solver scratch. */
  readonly before: Float64Array;
  freeBefore = 1;
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  private readonly upper: Float64Array;
  private readonly rhs: Float64Array;

  constructor(smallestS: number, largestS: number) {
    const ratio = 1.05;
    const n = Math.max(2, Math.ceil(Math.log(largestS / smallestS) / Math.log(ratio)) + 1);
    this.edges = new Float64Array(n + 1);
    this.edges[1] = smallestS;
    for (let i = 2; i <= n; i++) this.edges[i] = this.edges[i - 1] * ratio;
    this.centres = new Float64Array(n);
    this.widths = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.centres[i] = (this.edges[i] + this.edges[i + 1]) / 2;
      this.widths[i] = this.edges[i + 1] - this.edges[i];
    }
    this.mass = new Float64Array(n);
    this.before = new Float64Array(n);
    this.up = new Float64Array(n);
    this.down = new Float64Array(n);
    this.upper = new Float64Array(n + 1);
    this.rhs = new Float64Array(n + 1);
  }

  get cells(): number {
    return this.mass.length;
  }

  /** The steady state: no wait with probability 1 − C, else an exponential wait at rate θ. */
  reset(probWait: number, theta: number): void {
    this.free = 1 - probWait;
    const n = this.cells;
    let prev = 1;
    for (let i = 0; i < n; i++) {
      const next = i === n - 1 ? 0 : Math.exp(-theta * this.edges[i + 1]);
      this.mass[i] = probWait * (prev - next);
      prev = next;
    }
  }

  /** The mean wait, seconds. */
  meanWait(): number {
    let sum = 0;
    for (let i = 0; i < this.cells; i++) sum += this.mass[i] * this.centres[i];
    return sum;
  }

  /** The mean wait averaged over the last step (its start's and its end's): what the tick's requests waited. */
  meanWaitOverStep(): number {
    let sum = 0;
    for (let i = 0; i < this.cells; i++) sum += (this.mass[i] + this.before[i]) * this.centres[i];
    return sum / 2;
  }

  /**
   * Advance by `dtS` in `steps` implicit steps with drift `drift` (seconds of wait per second; ≤ 0)
   * and diffusion `d`. The atom at 0 is entered from the first cell at the boundary flux and left at
   * the rate that makes its steady share 1 − `probWait` when the cells hold an exponential at rate
   * `theta`; `probWait` = 1 (saturation) empties it.
   */
  advance(dtS: number, steps: number, drift: number, d: number, probWait: number, theta: number): void {
    this.before.set(this.mass);
    this.freeBefore = this.free;
    const n = this.cells;
    const c = this.centres;
    const w = this.widths;
    // Interface rates between cells i and i + 1 (Scharfetter–Gummel): up from i, down from i + 1.
    for (let i = 0; i < n - 1; i++) {
      const gap = c[i + 1] - c[i];
      const x = (drift * gap) / d;
      const b = bernoulli(x);
      this.up[i] = ((d / gap) * (b + x)) / w[i];
      this.down[i + 1] = ((d / gap) * b) / w[i + 1];
    }
    this.up[n - 1] = 0;
    // The first cell empties into the atom as into a neighbour at 0.
    const x0 = (drift * c[0]) / d;
    let toFree = ((d / c[0]) * bernoulli(x0)) / w[0];
    // Balance at the steady state: (1 − C)·fromFree = toFree·C·P(wait in the first cell | wait).
    let fromFree = probWait > 0 ? (toFree * probWait * -Math.expm1(-theta * this.edges[1])) / (1 - probWait) : 0;
    if (probWait >= 1) {
      this.mass[0] += this.free;
      this.free = 0;
      toFree = 0;
      fromFree = 0;
    }
    const h = dtS / steps;
    for (let s = 0; s < steps; s++) this.implicitStep(h, toFree, fromFree);
  }

  /**
   * One implicit Euler step (I − hGᵀ)x' = x of the birth–death chain atom, cell 0 … cell n − 1, by
   * the Thomas algorithm: unknown 0 is the atom, unknown i + 1 cell i.
   */
  private implicitStep(h: number, toFree: number, fromFree: number): void {
    const n = this.cells;
    const upper = this.upper;
    const rhs = this.rhs;
    // Row k: −h·(rate into k from k − 1)·x[k−1] + (1 + h·out_k)·x[k] − h·(rate into k from k + 1)·x[k+1].
    const lowerOf = (k: number) => (k === 1 ? -h * fromFree : -h * this.up[k - 2]);
    const upperOf = (k: number) => (k === 0 ? -h * toFree : -h * this.down[k]);
    const outOf = (k: number) => (k === 0 ? fromFree : this.up[k - 1] + (k === 1 ? toFree : this.down[k - 1]));
    // Forward sweep.
    let d = 1 + h * outOf(0);
    upper[0] = upperOf(0) / d;
    rhs[0] = this.free / d;
    for (let k = 1; k <= n; k++) {
      const l = lowerOf(k);
      d = 1 + h * outOf(k) - l * upper[k - 1];
      upper[k] = k < n ? upperOf(k) / d : 0;
      rhs[k] = (this.mass[k - 1] - l * rhs[k - 1]) / d;
    }
    // Back substitution.
    let next = rhs[n];
    this.mass[n - 1] = Math.max(0, next);
    for (let k = n - 1; k >= 1; k--) {
      next = rhs[k] - upper[k] * next;
      this.mass[k - 1] = Math.max(0, next);
    }
    this.free = Math.max(0, rhs[0] - upper[0] * next);
  }
}

/** B(x) = x / (eˣ − 1), with B(0) = 1 (the Scharfetter–Gummel weight). */
function bernoulli(x: number): number {
  if (Math.abs(x) < 1e-8) return 1 - x / 2;
  if (x > 700) return 0;
  return x / Math.expm1(x);
}
