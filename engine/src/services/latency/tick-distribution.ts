import { DiscreteTime, SumScratch } from "./discrete-time.js";
import { ATOM, type ResponseMixture } from "./response-mixture.js";
import type { ServiceTimeShape } from "./service-time.js";

/**
 * A fluid tick's response times in strata: its waits (each component's atom, or a wait distribution's
 * strata) plus the service time stretched by the tick's slowdown, independent. Callers compose call
 * graphs from it, so the last one made is kept and given again for a tick like it.
 */
export class TickDistribution {
  /** The service time in strata (made when first asked). */
  private service: DiscreteTime | undefined;
  private scratch: SumScratch | undefined;
  /** The last distribution made, and the tick it was made for: share served at once, mean, slowdown. */
  private made: DiscreteTime | undefined;
  private readonly madeFor = new Float64Array(3).fill(Number.NaN);

  constructor(private readonly shape: ServiceTimeShape) {}

  /** The distribution of `mix` (a tick's waits) at `slowdown`, or undefined when it holds no request. */
  of(mix: ResponseMixture, slowdown: number): DiscreteTime | undefined {
    if (!(mix.total > 0)) return undefined;
    // A tick like the one the last distribution was made for (its share served at once and mean
    // response within 10⁻⁴, the same slowdown) reuses it: a queue settled near its steady state
    // changes by less than its strata resolve, and callers then reuse what they made of it.
    let atOnce = 0;
    for (let i = 0; i < mix.count; i++) if (mix.kind[i] === ATOM && mix.param[i] <= 0) atOnce += mix.weight[i];
    atOnce /= mix.total;
    const mean = mix.mean();
    const key = this.madeFor;
    if (Math.abs(atOnce - key[0]) <= 1e-6 && Math.abs(mean - key[1]) <= 1e-4 * key[1] && slowdown === key[2]) {
      return this.made;
    }
    key[0] = atOnce;
    key[1] = mean;
    key[2] = slowdown;
    this.service ??= DiscreteTime.fromQuantile((u) => this.shape.quantile(u));
    this.scratch ??= new SumScratch();
    const wait = waitsOf(mix);
    this.made = wait.with(this.service.scaled(slowdown), false, this.scratch);
    return this.made;
  }
}

/** The mixture's waits in strata: an atom as itself, a wait distribution as its quantiles' strata. */
function waitsOf(mix: ResponseMixture): DiscreteTime {
  let size = 0;
  for (let i = 0; i < mix.count; i++) size += mix.kind[i] === ATOM ? 1 : DiscreteTime.STRATA;
  const values = new Float64Array(size);
  const weights = new Float64Array(size);
  let n = 0;
  for (let i = 0; i < mix.count; i++) {
    const w = mix.weight[i] / mix.total;
    if (mix.kind[i] === ATOM) {
      values[n] = mix.param[i];
      weights[n++] = w;
      continue;
    }
    const kind = mix.kind[i];
    const rate = mix.param[i];
    DiscreteTime.fromQuantile((u) => mix.waitQuantile(kind, rate, u)).forEachPoint((t, share) => {
      values[n] = t;
      weights[n++] = w * share;
    });
  }
  return DiscreteTime.fromWeighted(values, weights, n);
}
