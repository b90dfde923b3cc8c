import type { Rng } from "@clustersim/sim-core";

/**
 * Failure and repair times of nodes and failure domains (racks, CXL pools, DPUs). Times between
 * failures are exponential (memoryless) or Weibull with a shape parameter (shape < 1: infant
 * mortality, > 1: wear-out), scaled so that their mean is the MTBF. Repairs likewise with the MTTR.
 * What happens to the tasks on a failed node is the simulator's business: it gets an event.
 */
export interface FailureModel {
  mtbfS: number;
  mttrS: number;
  distribution: "exponential" | "weibull";
  /** Weibull shape (default 1, which is exponential). */
  shape?: number;
}

/** Gamma function by the Lanczos approximation (g = 7, 9 terms; relative error < 1e-13 for x > 0.5). */
function gamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

/** A duration with the given mean under the model's distribution. */
function draw(rng: Rng, mean: number, model: FailureModel): number {
  if (model.distribution === "exponential" || (model.shape ?? 1) === 1) return rng.exponential(1 / mean);
  const k = model.shape ?? 1;
  return rng.weibull(k, mean / gamma(1 + 1 / k));
}

export function timeToFailureS(rng: Rng, model: FailureModel): number {
  return draw(rng, model.mtbfS, model);
}

export function timeToRepairS(rng: Rng, model: FailureModel): number {
  return draw(rng, model.mttrS, model);
}

/** Long-run fraction of time a component is up: MTBF / (MTBF + MTTR). */
export function availability(model: FailureModel): number {
  return model.mtbfS / (model.mtbfS + model.mttrS);
}

export { gamma as gammaFunction };
