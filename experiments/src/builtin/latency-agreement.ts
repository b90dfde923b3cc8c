import {
  constantServiceTime,
  emptyFigures,
  exponentialServiceTime,
  FluidLatency,
  type LatencyModel,
  type LatencyRecord,
  mgcWaiting,
  PerRequestLatency,
  quantileSorted,
  type ServiceTime,
  ServiceTimeShape,
} from "@clustersim/engine";
import { RandomStreams } from "@clustersim/sim-core";
import { normalQuantile } from "@clustersim/workloads";

/**
 * The fluid latency model against the per-request one on a single service: the agreement grid
 * (steady load over servers, utilisation and service-time variability) and the saturation sweep (a
 * burst from an empty queue at loads through 1). The per-request figures are exact over every request
 * simulated, with a standard error from batch means, so a comparison can say whether a difference
 * exceeds the reference's own noise.
 */

/** A service time of mean `meanS` and coefficient of variation 0 (constant), 1 (exponential) or 2 (log-normal). */
export function serviceTimeWithCv(cv: number, meanS: number): ServiceTime {
  if (cv === 0) return constantServiceTime(meanS);
  if (cv === 1) return exponentialServiceTime(meanS);
  // A log-normal of CV k: σ² = ln(1 + k²), μ = ln(mean) − σ²/2.
  const sigma = Math.sqrt(Math.log1p(cv * cv));
  const mu = Math.log(meanS) - (sigma * sigma) / 2;
  return {
    meanS,
    family: "general",
    sample: (rng) => rng.lognormal(mu, sigma),
    quantile: (u) => Math.exp(mu + sigma * normalQuantile(u)),
  };
}

export interface Figures {
  meanS: number;
  p99S: number;
}

/** Both figures with their standard errors (batch means over 20 batches). */
export interface Measured extends Figures {
  meanSe: number;
  p99Se: number;
  requests: number;
}

const NO_TIMEOUT_S = 1e12;

function params(time: ServiceTime) {
  return { shape: new ServiceTimeShape(time), targetS: Number.POSITIVE_INFINITY, timeoutS: NO_TIMEOUT_S };
}

/**
 * The fluid model's steady state at the rate that loads `c` servers to `rho`: ticks from an empty
 * queue for 30 relaxation times of its random part (1/(θ(1 − ρ)), ./queue-diffusion.ts), at least 50.
 */
export function fluidSteady(c: number, rho: number, time: ServiceTime): Figures {
  const model = new FluidLatency(params(time));
  const out = emptyFigures();
  const rate = (rho * c) / time.meanS;
  const w = mgcWaiting(c, rate, 1 / time.meanS, new ServiceTimeShape(time).scv, { probWait: 0, rate: 0 });
  const ticks = Math.min(1e5, Math.max(50, Math.ceil(30 / (w.rate * (1 - rho)))));
  for (let t = 0; t < ticks; t++) model.tick(t, 1, rate, c, out);
  return { meanS: out.meanS, p99S: model.lastQuantile(0.99) };
}

/**
 * The per-request model at steady load: `requests` requests after a warm-up of a tenth as many (from
 * an empty queue), in 1-second ticks at the rate that loads `c` servers to `rho`.
 */
export function perRequestSteady(c: number, rho: number, time: ServiceTime, requests: number, seed: number): Measured {
  const rate = (rho * c) / time.meanS;
  const warm = Math.ceil(requests / 10);
  const all = new Float64Array(requests);
  let n = 0;
  let seen = 0;
  const model = new PerRequestLatency(
    params(time),
    new RandomStreams(seed).get("requests"),
    (r) => time.sample(r),
    (x) => {
      if (seen++ >= warm && n < requests) all[n++] = x;
    },
  );
  const out = emptyFigures();
  // Ticks long enough for a few thousand requests each.
  const tickS = Math.max(1, 2000 / rate);
  for (let t = 0; n < requests; t += tickS) model.tick(t, tickS, rate, c, out);
  return measured(all);
}

function measured(all: Float64Array): Measured {
  const batches = 20;
  const size = Math.floor(all.length / batches);
  const means: number[] = [];
  const p99s: number[] = [];
  for (let b = 0; b < batches; b++) {
    const part = all.slice(b * size, (b + 1) * size).sort();
    means.push(part.reduce((s, x) => s + x, 0) / part.length);
    p99s.push(quantileSorted(part, 0.99));
  }
  const sorted = all.slice().sort();
  return {
    meanS: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    p99S: quantileSorted(sorted, 0.99),
    meanSe: standardError(means),
    p99Se: standardError(p99s),
    requests: all.length,
  };
}

/** The standard error of the mean of `xs` (batch means: their spread over √count). */
export function standardError(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(v / xs.length);
}

/**
 * A burst: `seconds` of load `rho` on `c` servers from an empty queue, in 1-second ticks. The
 * fluid model's p99 over the burst's requests (its run-level record); the per-request model's p99 of
 * every request of `runs` independent bursts pooled (the distribution the fluid model describes).
 */
export function burst(
  c: number,
  rho: number,
  time: ServiceTime,
  seconds: number,
  runs: number,
): { fluidP99S: number; perRequestP99S: number; fluidMeanS: number; perRequestMeanS: number } {
  const rate = (rho * c) / time.meanS;
  const drive = (model: LatencyModel, record: LatencyRecord | undefined) => {
    const out = emptyFigures();
    for (let t = 0; t < seconds; t++) {
      model.tick(t, 1, rate, c, out);
      if (record && out.served > 0) model.feed(record);
    }
    // Requests still waiting at the end are served after it: drain with no new arrivals.
    for (let t = seconds; out.queued > 1e-9; t++) {
      model.tick(t, 1, 0, c, out);
      if (record && out.served > 0) model.feed(record);
    }
  };
  const fluid = new FluidLatency(params(time));
  const record = fluid.newRecord();
  drive(fluid, record);
  const pooled: number[] = [];
  const streams = new RandomStreams(7);
  for (let r = 0; r < runs; r++) {
    const model = new PerRequestLatency(
      params(time),
      streams.get(`burst/${r}`),
      (x) => time.sample(x),
      (x) => pooled.push(x),
    );
    drive(model, undefined);
  }
  pooled.sort((a, b) => a - b);
  return {
    fluidP99S: record.quantile(0.99),
    fluidMeanS: record.mixture.mean(),
    perRequestP99S: quantileSorted(pooled, 0.99),
    perRequestMeanS: pooled.reduce((s, x) => s + x, 0) / pooled.length,
  };
}
