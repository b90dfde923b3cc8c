import type { Rng } from "@clustersim/sim-core";

/**
 * Share boundaries of the strata a time distribution is kept in: 30 equal strata up to the 0.9
 * quantile, then 25 whose tail share shrinks tenfold every 5 strata down to 10⁻⁶, and the last 10⁻⁶.
 * Percentiles live in the tail, so that is where the strata are fine (the 0.999 quantile lies between
 * points a stratum of 0.0006 apart).
 */
const BOUNDS = (() => {
  const b: number[] = [];
  for (let i = 0; i <= 30; i++) b.push((0.9 * i) / 30);
  for (let j = 1; j <= 25; j++) b.push(1 - 0.1 * 10 ** (-j / 5));
  b.push(1);
  return Float64Array.from(b);
})();
const K = BOUNDS.length - 1;
/**
 * At most this many bins for folding weighted times into strata. A bin is a range of the times'
 * floating-point encodings: their exponent and leading mantissa bits (HdrHistogram's log-linear
 * buckets), as many mantissa bits as keep the bins from the least positive time to the most within
 * the count: 2⁷ bins per octave over a range of 10⁶ (each at most 0.8% wide), 2⁹ or 2¹⁰ over a range
 * of 10 (as it spans 5 or 4 binary exponents).
 * Reading a bin off the encoding costs a shift, where a logarithm per time cost three quarters of a
 * composition.
 */
const MAX_BINS = 4096;
const BINS = { weight: new Float64Array(MAX_BINS + 1), sum: new Float64Array(MAX_BINS + 1) };
/** Mantissa bits in a double's high 32-bit word (below the sign and the 11 exponent bits). */
const HIGH_MANTISSA_BITS = 20;
/** Index of a double's high word in an Int32Array over its bytes: 1 on little-endian machines. */
const HIGH = new Int32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0;
/** The high 32 bits of a double's encoding (sign, exponent, leading mantissa). */
const HIGH_WORD = new Int32Array(2);
const HIGH_WORD_OF = new Float64Array(HIGH_WORD.buffer);
function highWord(x: number): number {
  HIGH_WORD_OF[0] = x;
  return HIGH_WORD[HIGH];
}

/**
 * A distribution of times in K strata of fixed shares (BOUNDS): each stratum's point is the mean of the
 * times in it, so the mean is exact. What a call graph composes: a caller's requests wait for their
 * callees' responses, so their time is a sum (sequential calls) of such distributions. Sums take every
 * pair of points (K² = 3,136) and fold them back into K strata; so do maxima (calls made at once).
 */
export class DiscreteTime {
  /** How many strata. */
  static readonly STRATA = K;
  /** Points, seconds, ascending; stratum k holds a share BOUNDS[k+1] − BOUNDS[k]. */
  readonly points = new Float64Array(K);
  private meanS = Number.NaN;
  private varianceS2 = Number.NaN;

  /** Zero time: no calls. */
  static zero(): DiscreteTime {
    return new DiscreteTime();
  }

  /** Always `x` seconds (a call that always times out at `x`). */
  static at(x: number): DiscreteTime {
    const d = new DiscreteTime();
    d.points.fill(x);
    return d;
  }

  /**
   * A mixture: `parts[i]`, each of its points later by `shifts[i]` seconds, with weight `weights[i]`
   * (weights need not add to 1: they are normalised), folded back into strata as sums are.
   */
  static mixture(
    parts: readonly DiscreteTime[],
    weights: ArrayLike<number>,
    shifts: ArrayLike<number>,
    scratch: SumScratch = SHARED_SCRATCH,
  ): DiscreteTime {
    let n = 0;
    for (let i = 0; i < parts.length; i++) {
      if (!(weights[i] > 0)) continue;
      for (let k = 0; k < K; k++) {
        scratch.values[n] = parts[i].points[k] + shifts[i];
        scratch.weights[n++] = weights[i] * (BOUNDS[k + 1] - BOUNDS[k]);
      }
    }
    return DiscreteTime.fromWeighted(scratch.values, scratch.weights, n);
  }

  /** From an inverse CDF, read at the middle of each stratum (the mean of a stratum, to first order). */
  static fromQuantile(quantile: (u: number) => number): DiscreteTime {
    const d = new DiscreteTime();
    for (let k = 0; k < K; k++) d.points[k] = Math.max(0, quantile((BOUNDS[k] + BOUNDS[k + 1]) / 2));
    return d;
  }

  /**
   * From weighted times (any order, none negative): each stratum the weighted mean of the times that
   * fill its share. The times are first gathered in log-linear bins (MAX_BINS: each keeps its weight
   * and mean), so that no sort is needed: a stratum's point is within the width of a bin of the exact one.
   */
  static fromWeighted(values: Float64Array, weights: Float64Array, n: number): DiscreteTime {
    const d = new DiscreteTime();
    let least = Number.POSITIVE_INFINITY;
    let most = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v > 0 && v < least) least = v;
      if (v > most) most = v;
      total += weights[i];
    }
    if (!(total > 0) || most <= 0) return d;
    // An infinite time would span the whole exponent range: no composition makes one (times are bounded).
    if (!(most < Number.POSITIVE_INFINITY)) throw new RangeError(`fromWeighted: expected finite times, found ${most}`);
    // Bin 0: no time at all; bins 1..count: by encoding from the least positive time to the most.
    const lowWord = highWord(least);
    const highestWord = highWord(most);
    const octaves = (highestWord >>> HIGH_MANTISSA_BITS) - (lowWord >>> HIGH_MANTISSA_BITS) + 1;
    let bits = HIGH_MANTISSA_BITS;
    while (bits > 0 && octaves << bits > MAX_BINS) bits--;
    const shift = HIGH_MANTISSA_BITS - bits;
    const base = (lowWord >>> shift) - 1;
    const count = (highestWord >>> shift) - base;
    const words = new Int32Array(values.buffer, values.byteOffset, 2 * n);
    const bins = BINS;
    bins.weight.fill(0, 0, count + 1);
    bins.sum.fill(0, 0, count + 1);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const b = v > 0 ? (words[2 * i + HIGH] >>> shift) - base : 0;
      bins.weight[b] += weights[i];
      bins.sum[b] += weights[i] * v;
    }
    let b = 0;
    let left = bins.weight[0] / total;
    for (let k = 0; k < K; k++) {
      let need = BOUNDS[k + 1] - BOUNDS[k];
      const share = need;
      let sum = 0;
      while (need > 1e-15 && b <= count) {
        const take = Math.min(need, left);
        if (take > 0) sum += take * (bins.sum[b] / bins.weight[b]);
        need -= take;
        left -= take;
        if (left <= 1e-15) {
          b++;
          while (b <= count && bins.weight[b] <= 0) b++;
          left = b <= count ? bins.weight[b] / total : 0;
        }
      }
      // Rounding may leave the last stratum a hair short: it takes the most for the rest.
      if (need > 1e-15) sum += need * most;
      d.points[k] = sum / share;
    }
    return d;
  }

  /** The distribution of X + Y (`max` false: calls one after another) or max(X, Y) (true: at once), independent. */
  with(other: DiscreteTime, max = false, scratch: SumScratch = SHARED_SCRATCH): DiscreteTime {
    let n = 0;
    for (let a = 0; a < K; a++) {
      const wa = BOUNDS[a + 1] - BOUNDS[a];
      for (let b = 0; b < K; b++) {
        const x = this.points[a];
        const y = other.points[b];
        scratch.values[n] = max ? (x > y ? x : y) : x + y;
        scratch.weights[n++] = wa * (BOUNDS[b + 1] - BOUNDS[b]);
      }
    }
    return DiscreteTime.fromWeighted(scratch.values, scratch.weights, n);
  }

  /** With probability `p` this combined with `extra` (see `with`), else this: a fractional call's share. */
  withProbability(extra: DiscreteTime, p: number, max = false, scratch: SumScratch = SHARED_SCRATCH): DiscreteTime {
    if (p <= 0) return this;
    const both = this.with(extra, max, scratch);
    if (p >= 1) return both;
    let n = 0;
    for (let k = 0; k < K; k++) {
      const w = BOUNDS[k + 1] - BOUNDS[k];
      scratch.values[n] = this.points[k];
      scratch.weights[n++] = (1 - p) * w;
      scratch.values[n] = both.points[k];
      scratch.weights[n++] = p * w;
    }
    return DiscreteTime.fromWeighted(scratch.values, scratch.weights, n);
  }

  /**
   * The distribution of min(T, x): a call's time under a timeout of `x`, the mass above `x` an atom at
   * `x` of share 1 − cdf(x) (the share that times out, as `cdf` reads it). Strata wholly below keep
   * their points; strata wholly above become `x`. The one stratum `x` falls in keeps its share: its part
   * below `x` is taken as spread evenly between the stratum's lower edge and `x` (the CDF is linear
   * there), its part above moves to `x`, and its point, the mean of the two, never exceeds the old one.
   */
  capped(x: number): DiscreteTime {
    const u = this.cdf(x);
    if (u >= 1) return this;
    const d = new DiscreteTime();
    for (let k = 0; k < K; k++) {
      if (BOUNDS[k + 1] <= u) d.points[k] = Math.min(this.points[k], x);
      else if (BOUNDS[k] >= u) d.points[k] = x;
      else d.points[k] = this.straddling(k, u, x);
    }
    return d;
  }

  /**
   * T given T ≤ x: the times of calls that end within a timeout of `x` (undefined when none does;
   * this itself when all do). Consistent with `capped`: cdf(x) of this and 1 − cdf(x) at `x` make it.
   */
  below(x: number, scratch: SumScratch = SHARED_SCRATCH): DiscreteTime | undefined {
    const u = this.cdf(x);
    if (u >= 1) return this;
    if (u <= 0) return undefined;
    let n = 0;
    for (let k = 0; k < K && BOUNDS[k] < u; k++) {
      if (BOUNDS[k + 1] <= u) {
        scratch.values[n] = Math.min(this.points[k], x);
        scratch.weights[n++] = BOUNDS[k + 1] - BOUNDS[k];
      } else {
        // The stratum's part below x: what is left of its capped mean once the part at x is taken out.
        const atX = (BOUNDS[k + 1] - u) * x;
        const part = u - BOUNDS[k];
        const mean = (this.straddling(k, u, x) * (BOUNDS[k + 1] - BOUNDS[k]) - atX) / part;
        scratch.values[n] = Math.min(x, Math.max(0, mean));
        scratch.weights[n++] = part;
      }
    }
    return DiscreteTime.fromWeighted(scratch.values, scratch.weights, n);
  }

  /** Stratum k's mean of min(T, x) when x falls within it, at share u (see `capped`). */
  private straddling(k: number, u: number, x: number): number {
    // The stratum starts at the quantile of its lower edge (stratum 0: at its point, as `cdf` has it).
    const lo = Math.min(x, this.quantile(BOUNDS[k]));
    const share = BOUNDS[k + 1] - BOUNDS[k];
    const mean = ((u - BOUNDS[k]) * (lo + x)) / 2 / share + ((BOUNDS[k + 1] - u) * x) / share;
    return Math.min(this.points[k], mean);
  }

  /** Every point times `factor` (a slowdown). */
  scaled(factor: number): DiscreteTime {
    const d = new DiscreteTime();
    for (let k = 0; k < K; k++) d.points[k] = this.points[k] * factor;
    return d;
  }

  /** The mean, seconds (kept once asked: a distribution is not changed once made). */
  mean(): number {
    if (Number.isNaN(this.meanS)) {
      let m = 0;
      for (let k = 0; k < K; k++) m += (BOUNDS[k + 1] - BOUNDS[k]) * this.points[k];
      this.meanS = m;
    }
    return this.meanS;
  }

  /** The variance, seconds² (of the points: within-stratum spread left out). */
  variance(): number {
    if (Number.isNaN(this.varianceS2)) {
      const m = this.mean();
      let v = 0;
      for (let k = 0; k < K; k++) v += (BOUNDS[k + 1] - BOUNDS[k]) * (this.points[k] - m) ** 2;
      this.varianceS2 = v;
    }
    return this.varianceS2;
  }

  /**
   * P(T ≤ t): the inverse of `quantile` (linear between the strata's middles). Below the first point,
   * none: `quantile` puts the lowest half-stratum at that point, and a time with a floor (a constant
   * service time) has nothing below it; a timeout shorter than every response catches them all.
   */
  cdf(t: number): number {
    const p = this.points;
    const mid = (k: number) => (BOUNDS[k] + BOUNDS[k + 1]) / 2;
    if (t < p[0]) return 0;
    if (t >= p[K - 1]) return 1;
    let lo = 0;
    let hi = K - 1;
    while (hi - lo > 1) {
      const m = (lo + hi) >> 1;
      if (p[m] <= t) lo = m;
      else hi = m;
    }
    const span = p[hi] - p[lo];
    return span > 0 ? mid(lo) + ((t - p[lo]) / span) * (mid(hi) - mid(lo)) : mid(hi);
  }

  /** The q-quantile: linear between the strata's middles. */
  quantile(q: number): number {
    const p = this.points;
    const mid = (k: number) => (BOUNDS[k] + BOUNDS[k + 1]) / 2;
    if (q <= mid(0)) return p[0];
    for (let k = 1; k < K; k++) {
      if (q <= mid(k)) return p[k - 1] + ((q - mid(k - 1)) / (mid(k) - mid(k - 1))) * (p[k] - p[k - 1]);
    }
    return p[K - 1];
  }

  /** A draw through the quantile (linear between the strata's middles). */
  sample(rng: Rng): number {
    return this.quantile(rng.next());
  }

  /**
   * `slices` quantiles evenly within each stratum, each with its share of the whole: what a record of
   * requests is fed, smoother than the strata's points alone.
   */
  forEachSlice(slices: number, fn: (timeS: number, share: number) => void): void {
    for (let k = 0; k < K; k++) {
      const w = (BOUNDS[k + 1] - BOUNDS[k]) / slices;
      for (let j = 0; j < slices; j++) fn(this.quantile(BOUNDS[k] + (j + 0.5) * w), w);
    }
  }

  /** Each stratum's share and point, for records that weigh them by requests. */
  forEachPoint(fn: (timeS: number, share: number) => void): void {
    for (let k = 0; k < K; k++) fn(this.points[k], BOUNDS[k + 1] - BOUNDS[k]);
  }
}

/** Reusable arrays for sums (K² pairs). */
export class SumScratch {
  readonly values = new Float64Array(2 * K * K);
  readonly weights = new Float64Array(2 * K * K);
}

/**
 * The arrays a composition uses when its caller gives none (100 KB allocated each time before). One
 * suffices: a composition fills them and folds them into its result before it returns, and one that
 * calls another (withProbability calls with) fills them again only after that call returns.
 */
const SHARED_SCRATCH = new SumScratch();
