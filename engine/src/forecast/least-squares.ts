/**
 * Ordinary least squares by the normal equations, solved by Gaussian elimination with partial
 * pivoting: the regressions of the ARIMA fit have at most a few dozen columns, so XᵀX is small and
 * forming it (rows × columns² multiply-adds) is the whole cost.
 *
 * A ridge keeps a singular system solvable (columns alike, in a noiseless series) and gives a column
 * that is zero the coefficient 0 rather than NaN: 1e-10 × each column's own diagonal, plus 1e-20 × the
 * mean diagonal (1e-300 when that is 0). Mostly per column: a ridge of 1e-10 × the mean diagonal
 * weighed on the constant's column (diagonal: the row count) as on a lag of a series in the tens of
 * thousands (diagonal: rows × 10⁸), and pulled the constant into the lag's coefficient (an AR(1) of
 * idle times near 6 h, φ = −0.8, was fitted +0.5). The shared part still does that for a series at a
 * level near 10⁹ or above (it weighs 1e-20 × level² against the constant's 1); centring the columns
 * would remove it (not done). A column of
 * rounding noise may get a large coefficient, which multiplies noise: forecasts are not worse for it.
 */
export class NormalEquations {
  readonly xtx: Float64Array;
  readonly xty: Float64Array;
  rows = 0;

  constructor(readonly columns: number) {
    this.xtx = new Float64Array(columns * columns);
    this.xty = new Float64Array(columns);
  }

  /** Add one row: regressors `x` (length `columns`), response `y`. */
  add(x: ArrayLike<number>, y: number): void {
    const k = this.columns;
    for (let i = 0; i < k; i++) {
      const xi = x[i]!;
      if (xi === 0) continue;
      this.xty[i] += xi * y;
      const row = i * k;
      for (let j = i; j < k; j++) this.xtx[row + j] += xi * x[j]!;
    }
    this.rows++;
  }

  /** The coefficients minimising Σ (y − x·β)². */
  solve(): Float64Array {
    const k = this.columns;
    const a = new Float64Array(k * k);
    let trace = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        a[i * k + j] = this.xtx[i * k + j]!;
        a[j * k + i] = this.xtx[i * k + j]!;
      }
      trace += a[i * k + i]!;
    }
    const shared = trace > 0 ? (1e-20 * trace) / k : 1e-300;
    for (let i = 0; i < k; i++) a[i * k + i] += 1e-10 * a[i * k + i]! + shared;
    return solveLinear(a, Float64Array.from(this.xty), k);
  }
}

/** Solve A x = b (A k×k row-major, overwritten, as is b) by elimination with partial pivoting. */
export function solveLinear(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]!) > Math.abs(a[pivot * k + c]!)) pivot = r;
    if (pivot !== c) {
      for (let j = 0; j < k; j++) {
        const t = a[c * k + j]!;
        a[c * k + j] = a[pivot * k + j]!;
        a[pivot * k + j] = t;
      }
      const t = b[c]!;
      b[c] = b[pivot]!;
      b[pivot] = t;
    }
    const d = a[c * k + c]!;
    if (d === 0) continue;
    for (let r = c + 1; r < k; r++) {
      const f = a[r * k + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < k; j++) a[r * k + j] -= f * a[c * k + j]!;
      b[r] -= f * b[c]!;
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let j = r + 1; j < k; j++) s -= a[r * k + j]! * x[j]!;
    const d = a[r * k + r]!;
    x[r] = d === 0 ? 0 : s / d;
  }
  return x;
}
