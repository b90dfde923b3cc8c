import { poissonDraw } from "./poisson.js";

/**
 * Where an Rng's uniforms come from: a uniform double in [0, 1). seedrandom's generators (RandomStreams)
 * and the Philox cursor behind KeyedRng both fit.
 */
export interface UniformSource {
  double(): number;
}

/**
 * One named random stream. Every draw starts from `next()`, a uniform double in [0, 1) with 53 random
 * bits; the methods below turn it into the distributions models use, by inversion where a closed form
 * exists so that one draw consumes exactly one uniform (normal variates consume two, cached in pairs).
 *
 * Parameters are checked once per call only where a wrong value would silently give nonsense (NaN or
 * an infinite loop); the samplers in ./samplers.ts validate at construction instead.
 */
export class Rng {
  private spareNormal = NaN;
  /** The source as a function, made once (the Poisson sampler takes one). */
  private readonly uniformFn = () => this.prng.double();

  constructor(
    readonly name: string,
    private readonly prng: UniformSource,
  ) {}

  /**
   * Forget the cached second normal variate, for a subclass that repositions its source (KeyedRng's
   * view): the next `normal()` then depends only on the source's draws from the new position.
   */
  protected clearNormalCache(): void {
    this.spareNormal = NaN;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.prng.double();
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.prng.double();
  }

  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.prng.double() * (hi - lo + 1));
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.prng.double() < p;
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    return -Math.log1p(-this.prng.double()) / rate;
  }

  /** Normal (Gaussian) by the Box–Muller transform; the second variate of each pair is kept for the next call. */
  normal(mean = 0, sd = 1): number {
    let z = this.spareNormal;
    if (!Number.isNaN(z)) {
      this.spareNormal = NaN;
    } else {
      const r = Math.sqrt(-2 * Math.log1p(-this.prng.double()));
      const theta = 2 * Math.PI * this.prng.double();
      z = r * Math.cos(theta);
      this.spareNormal = r * Math.sin(theta);
    }
    return mean + sd * z;
  }

  /**
   * Poisson with the given mean (./poisson.ts: one uniform below a mean of 10, about two per draw at
   * and above it, from Hörmann's transformed rejection).
   */
  poisson(mean: number): number {
    if (!(mean >= 0 && mean < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`rng("${this.name}").poisson: expected a finite mean ≥ 0, found ${mean}`);
    }
    return mean === 0 ? 0 : poissonDraw(mean, this.uniformFn);
  }

  /** Log-normal: exp(N(mu, sigma)); mu and sigma are those of the underlying normal. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Pareto (type I) with scale (minimum) xm and tail index alpha: P(X > x) = (xm / x)^alpha. */
  pareto(xm: number, alpha: number): number {
    return xm * Math.pow(1 - this.prng.double(), -1 / alpha);
  }

  /** Weibull with shape k and scale lambda: P(X > x) = exp(-(x / lambda)^k). */
  weibull(shape: number, scale: number): number {
    return scale * Math.pow(-Math.log1p(-this.prng.double()), 1 / shape);
  }

  /** Burr type XII with shape c, shape k and a scale: P(X > x) = (1 + (x / scale)^c)^-k. */
  burrXII(c: number, k: number, scale = 1): number {
    return scale * Math.pow(Math.pow(1 - this.prng.double(), -1 / k) - 1, 1 / c);
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`rng("${this.name}").pick: the array is empty`);
    return items[Math.floor(this.prng.double() * items.length)];
  }

  /** Shuffle an array in place (Fisher–Yates) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}
