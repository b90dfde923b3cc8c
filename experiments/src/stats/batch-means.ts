/**
 * Confidence interval of a steady-state mean from one long run by the method of non-overlapping batch
 * means (Law & Kelton, "Simulation Modeling and Analysis", ch. 9.5.3): split the observations, in the
 * order they occurred, into `batches` contiguous batches; treat the batch means as roughly independent
 * and normal; use Student's t with batches − 1 degrees of freedom. Consecutive waits in a queue are
 * strongly correlated, so the naive σ/√n interval would be far too narrow.
 */
export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
}

/** Student t quantiles t(0.975, df) for the batch counts offered (standard tables). */
const T975: Record<number, number> = { 10: 2.262, 20: 2.093, 30: 2.045 };

export function batchMeansInterval(values: ArrayLike<number>, batches: 10 | 20 | 30 = 20): MeanInterval {
  const n = values.length;
  const size = Math.floor(n / batches);
  if (size < 1) return { mean: NaN, low: NaN, high: NaN };
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = b * size; i < (b + 1) * size; i++) sum += values[i];
    means.push(sum / size);
  }
  const mean = means.reduce((a, x) => a + x, 0) / batches;
  const variance = means.reduce((a, x) => a + (x - mean) ** 2, 0) / (batches - 1);
  const half = T975[batches] * Math.sqrt(variance / batches);
  return { mean, low: mean - half, high: mean + half };
}
