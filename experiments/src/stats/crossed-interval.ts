import quantileT from "@stdlib/stats-base-dists-t-quantile";

/**
 * The 95% interval of a grand mean over a crossed table: rows are training seeds, columns evaluation
 * windows, and every seed ran every window. Both are samples (other seeds would train other agents,
 * other windows hold other loads), so the mean's error has three parts: the seeds', the windows' and
 * what is left. With y[s][w] = μ + a_s + b_w + e_sw (random effects, no replication, so any seed ×
 * window interaction is inside e), S seeds and W windows,
 *
 *   Var(ȳ) = σ_a²/S + σ_b²/W + σ_e²/(SW),  estimated without bias by (MS_seeds + MS_windows − MS_rest)/(SW)
 *
 * from the two-way analysis of variance's mean squares (E[MS_seeds] = σ_e² + Wσ_a², E[MS_windows] =
 * σ_e² + Sσ_b², E[MS_rest] = σ_e²; Searle, Casella & McCulloch, "Variance Components", 1992, ch. 4),
 * with Satterthwaite's (1946) degrees of freedom for the combination, a fractional Student t. A
 * component estimated below zero (its mean square under the residual's) is taken as zero: then the
 * variance is the other factor's mean square over SW, with that factor's degrees of freedom.
 * One seed, or one window, leaves one factor: the ordinary t interval over the other. Tested for
 * coverage on simulated tables (experiments/test/crossed-interval.test.ts).
 */
export interface CrossedInterval {
  mean: number;
  low: number;
  high: number;
  /** The estimated standard error of the mean, √Var(ȳ). */
  se: number;
  /** The degrees of freedom of the t quantile used (Satterthwaite's, fractional); NaN without an interval. */
  df: number;
  seeds: number;
  windows: number;
}

export function crossedInterval(table: readonly (readonly number[])[]): CrossedInterval {
  const S = table.length;
  const W = S > 0 ? table[0]!.length : 0;
  for (const [s, row] of table.entries())
    if (row.length !== W)
      throw new RangeError(`crossedInterval: every seed must run every window: row ${s} has ${row.length}, not ${W}`);
  const none = {
    mean: Number.NaN,
    low: Number.NaN,
    high: Number.NaN,
    se: Number.NaN,
    df: Number.NaN,
    seeds: S,
    windows: W,
  };
  if (S === 0 || W === 0) return none;
  for (const row of table) for (const y of row) if (!Number.isFinite(y)) return none;
  const rowMean = table.map((row) => sum(row) / W);
  const colMean = Array.from({ length: W }, (_, w) => sum(table.map((row) => row[w]!)) / S);
  const mean = sum(rowMean) / S;
  if (S * W === 1) return { ...none, mean, low: -Infinity, high: Infinity };
  const msSeeds = S > 1 ? (W * sum(rowMean.map((m) => (m - mean) ** 2))) / (S - 1) : 0;
  const msWindows = W > 1 ? (S * sum(colMean.map((m) => (m - mean) ** 2))) / (W - 1) : 0;
  let variance: number;
  let df: number;
  if (S === 1 || W === 1) {
    // One factor: the sample variance of the means over the other, as a plain t interval gives it.
    const ms = S === 1 ? msWindows : msSeeds;
    variance = ms / (S * W);
    df = S * W - 1;
  } else {
    let ssRest = 0;
    for (let s = 0; s < S; s++)
      for (let w = 0; w < W; w++) ssRest += (table[s]![w]! - rowMean[s]! - colMean[w]! + mean) ** 2;
    const dfRest = (S - 1) * (W - 1);
    const msRest = ssRest / dfRest;
    // A component whose mean square falls below the residual's is estimated as zero, and only that
    // one: the other factor's share stays in (dropping both would leave the residual's alone, far too
    // narrow when, say, many seeds agree on few, unequal windows).
    const seedsIn = msSeeds > msRest;
    const windowsIn = msWindows > msRest;
    if (seedsIn && windowsIn) {
      const combined = msSeeds + msWindows - msRest;
      variance = combined / (S * W);
      // Satterthwaite: (Σ c_k MS_k)² / Σ (c_k MS_k)² / df_k, here with c = (1, 1, −1).
      df = combined ** 2 / (msSeeds ** 2 / (S - 1) + msWindows ** 2 / (W - 1) + msRest ** 2 / dfRest);
    } else if (windowsIn) {
      variance = msWindows / (S * W);
      df = W - 1;
    } else if (seedsIn) {
      variance = msSeeds / (S * W);
      df = S - 1;
    } else {
      variance = msRest / (S * W);
      df = dfRest;
    }
  }
  const se = Math.sqrt(variance);
  if (se === 0) return { mean, low: mean, high: mean, se, df, seeds: S, windows: W };
  const half = quantileT(0.975, df) * se;
  return { mean, low: mean - half, high: mean + half, se, df, seeds: S, windows: W };
}

function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
