import type { DistSpec } from "./distributions.js";

/**
 * The inverse CDF (quantile function) of a distribution as scenario files write it: the value below
 * which a share u of draws falls, the same distribution `sampler` draws from. The fluid latency model
 * reads a service time's shape through it (the per-request model draws). A normal's draws below zero
 * are taken as zero, as the services' sampler takes them.
 */
export function inverseCdf(spec: DistSpec): (u: number) => number {
  if (typeof spec === "number") return () => spec;
  switch (spec.dist) {
    case "constant":
      return () => spec.value;
    case "uniform":
      return (u) => spec.min + u * (spec.max - spec.min);
    case "exponential":
      return (u) => -spec.mean * Math.log1p(-u);
    case "normal":
      return (u) => spec.mean + spec.sd * normalQuantile(u);
    case "lognormal":
      return (u) => Math.exp(spec.mu + spec.sigma * normalQuantile(u));
    case "pareto":
      return (u) => spec.xm * (1 - u) ** (-1 / spec.alpha);
    case "weibull":
      return (u) => spec.scale * (-Math.log1p(-u)) ** (1 / spec.shape);
    case "burr":
      // The schema leaves the scale out for 1, as the sampler reads it.
      return (u) => (spec.scale ?? 1) * ((1 - u) ** (-1 / spec.k) - 1) ** (1 / spec.c);
    case "empirical":
      return empiricalInverse(spec.values, spec.mode ?? "resample");
  }
}

/** `resample` draws each observation with equal chance (a step function); `interpolate` joins them linearly. */
function empiricalInverse(values: readonly number[], mode: "resample" | "interpolate"): (u: number) => number {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  if (mode === "resample" || n === 1) return (u) => v[Math.min(n - 1, Math.floor(u * n))];
  return (u) => {
    const x = u * (n - 1);
    const i = Math.min(n - 2, Math.floor(x));
    return v[i] + (x - i) * (v[i + 1] - v[i]);
  };
}

// Acklam's rational approximation to the standard normal quantile (relative error below 1.15e-9 over
// (0, 1); P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
// function", 2003): one rational function for the central region, another for each tail.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const LOW = 0.02425;

/** The standard normal quantile Φ⁻¹(u), u in (0, 1). */
export function normalQuantile(u: number): number {
  if (u <= 0) return Number.NEGATIVE_INFINITY;
  if (u >= 1) return Number.POSITIVE_INFINITY;
  if (u < LOW) return tail(Math.sqrt(-2 * Math.log(u)));
  if (u > 1 - LOW) return -tail(Math.sqrt(-2 * Math.log1p(-u)));
  const q = u - 0.5;
  const r = q * q;
  const num = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q;
  const den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1;
  return num / den;
}

function tail(q: number): number {
  const num = ((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5];
  const den = (((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1;
  return num / den;
}
