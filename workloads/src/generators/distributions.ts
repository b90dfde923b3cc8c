import { Empirical, type Rng } from "@clustersim/sim-core";

/**
 * Distributions as scenario files write them (`{ dist: lognormal, mu: 0, sigma: 1 }`, or a bare
 * number for a constant), turned into samplers over a named random stream.
 */
export type DistSpec =
  | number
  | { dist: "constant"; value: number }
  | { dist: "uniform"; min: number; max: number }
  | { dist: "exponential"; mean: number }
  | { dist: "normal"; mean: number; sd: number }
  | { dist: "lognormal"; mu: number; sigma: number }
  | { dist: "pareto"; xm: number; alpha: number }
  | { dist: "weibull"; shape: number; scale: number }
  | { dist: "burr"; c: number; k: number; scale: number }
  | { dist: "empirical"; values: number[]; mode?: "resample" | "interpolate" };

export type Sampler = (rng: Rng) => number;

export function sampler(spec: DistSpec): Sampler {
  if (typeof spec === "number") return () => spec;
  switch (spec.dist) {
    case "constant":
      return () => spec.value;
    case "uniform":
      return (r) => r.uniform(spec.min, spec.max);
    case "exponential":
      return (r) => r.exponential(1 / spec.mean);
    case "normal":
      return (r) => r.normal(spec.mean, spec.sd);
    case "lognormal":
      return (r) => r.lognormal(spec.mu, spec.sigma);
    case "pareto":
      return (r) => r.pareto(spec.xm, spec.alpha);
    case "weibull":
      return (r) => r.weibull(spec.shape, spec.scale);
    case "burr":
      return (r) => r.burrXII(spec.c, spec.k, spec.scale);
    case "empirical": {
      const e = new Empirical(spec.values, spec.mode ?? "resample");
      return (r) => e.sample(r);
    }
  }
}
