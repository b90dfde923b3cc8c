/**
 * Poisson variates, drawn from uniforms in [0, 1) (an Rng's `next`).
 *
 * Below a mean of 10: inversion by sequential search from P(0) = e^-mean (one uniform per draw, so
 * two runs whose means agree stay in step). From 10 up: Hörmann's transformed rejection with squeeze,
 * PTRS (W. Hörmann, "The transformed rejection method for generating Poisson random variables",
 * Insurance: Mathematics and Economics 12, 1993): two uniforms per try, about 1.1 tries per draw at
 * any mean, and a log-factorial only outside the squeeze. The constants are the paper's.
 *
 * Written here rather than taken from a library because the services' fluid model draws one count per
 * service and tick (86 million in bench:services' day), where stdlib's sampler cost 170 ns a draw;
 * sim-core/test/random.test.ts checks both branches against the Poisson probabilities.
 */
export function poissonDraw(mean: number, uniform: () => number): number {
  if (mean < 10) return inversion(mean, uniform);
  return transformedRejection(mean, uniform);
}

function inversion(mean: number, uniform: () => number): number {
  const u = uniform();
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  // Past k = 200 the remaining mass below a mean of 10 is under 1e-150: the loop cannot run away.
  while (u > cdf && k < 200) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

function transformedRejection(mean: number, uniform: () => number): number {
  const b = 0.931 + 2.53 * Math.sqrt(mean);
  const a = -0.059 + 0.02483 * b;
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = uniform() - 0.5;
    const v = uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    // The squeeze: accepted without a logarithm (about 85% of draws).
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    const lhs = Math.log(v) + Math.log(1.1239 + 1.1328 / (b - 3.4)) - Math.log(a / (us * us) + b);
    if (lhs <= -mean + k * Math.log(mean) - logFactorial(k)) return k;
  }
}

/** ln k! : exact sums below 16, Stirling's series (five terms, error below 1e-16 there) above. */
const SMALL = 16;
const LOG_FACTORIAL = new Float64Array(SMALL);
for (let k = 1; k < SMALL; k++) LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function logFactorial(k: number): number {
  if (k < SMALL) return LOG_FACTORIAL[k];
  // ln Γ(n) with n = k + 1: (n − ½) ln n − n + ½ ln 2π + Σ B₂ⱼ / (2j(2j − 1) n^(2j−1)).
  const n = k + 1;
  const r = 1 / n;
  const r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))));
  return (n - 0.5) * Math.log(n) - n + HALF_LOG_2PI + series;
}
