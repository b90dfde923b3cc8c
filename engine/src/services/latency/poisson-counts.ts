import type { Rng } from "@clustersim/sim-core";
import poisson from "@stdlib/random-base-poisson";

/**
 * A service's requests per tick as a Poisson draw from its mean: what arrives when requests come
 * independently of one another (the per-request model's arrivals, counted per tick). The draws come
 * from stdlib's Poisson sampler (Knuth's method below a mean of 30, Hörmann's transformed rejection
 * above) fed by the service's own stream, so two runs on one seed draw the same counts wherever
 * their means agree.
 */
export class PoissonCounts {
  private readonly sample: (mean: number) => number;

  constructor(rng: Rng) {
    this.sample = poisson.factory({ prng: () => rng.next() });
  }

  /** The requests of one tick whose mean is `mean` (a mean of 0 draws nothing and uses no uniform). */
  draw(mean: number): number {
    return mean > 0 ? this.sample(mean) : 0;
  }
}
