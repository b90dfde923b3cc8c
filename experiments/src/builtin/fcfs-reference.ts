import type { ServiceTime } from "@clustersim/engine";
import { RandomStreams } from "@clustersim/sim-core";
import { type Measured, standardError } from "./latency-agreement.js";

/**
 * An independent reference for the latency grid near saturation: the stationary FCFS M/G/c queue by
 * Kiefer and Wolfowitz's recursion (Kiefer & Wolfowitz 1955, "On the theory of queues with many
 * servers"; Asmussen, *Applied Probability and Queues*, 2nd ed., §XII.2): each arrival is served by
 * the server that frees first, so its wait is max(0, earliest free time − arrival). It is the queue the
 * per-request model serves (first come, first served, `c` identical servers, no timeout) written
 * without the engine's ticks, events or pools, and it costs a few tenths of a microsecond per request:
 * at ρ 0.99 a reference tight enough to judge the fluid model within 10% needs about 10⁸–10⁹
 * requests, where the per-request model's event loop would take hours.
 *
 * Percentiles come from a histogram on a logarithmic grid of relative width 10⁻⁴ (a quantile is
 * read at its bin's centre: within 0.005%); standard errors from 20 batch means, as the per-request
 * reference's (./latency-agreement.ts).
 */

const BATCHES = 20;
/** Response times binned from 10⁻⁷ s upward, 10⁻⁴ wide in ln: bin k holds [e^(LO+kW), e^(LO+(k+1)W)). */
const LOG_LO = Math.log(1e-7);
const LOG_WIDTH = 1e-4;
/** Enough bins to reach e^(LOG_LO + 400,000·10⁻⁴) ≈ 2.4·10¹⁰ s. */
const BINS = 400_000;

/** One cell of the near-saturation table (bench:latency-reference writes it, the agreement test reads it). */
export interface FcfsReferenceRow {
  c: number;
  rho: number;
  /** The service time's coefficient of variation: 0 constant, 1 exponential, 2 log-normal. */
  cv: number;
  /** The cell's own random stream (fcfsReferenceStream), so that cells' errors are independent. */
  stream: string;
  requests: number;
  meanS: number;
  p99S: number;
  /** Two standard errors of each figure. */
  meanErr2S: number;
  p99Err2S: number;
}

export const fcfsReferenceStream = (c: number, rho: number, cv: number) => `fcfs-reference/c${c}/rho${rho}/cv${cv}`;

/**
 * `requests` response times of FCFS M/G/c at the arrival rate that loads `c` servers to `rho`, after a
 * warm-up of a tenth as many from an empty system; arrivals and service times from the named `stream`
 * of `seed`, so a cell is reproducible. Cells meant to be independent need streams of their own: two
 * cells on one stream whose service times are the same shape scaled (the grid's mean service is c/1000
 * s, so its arrival rate is the same at every c) draw the same numbers, and their errors are alike.
 */
export function fcfsSteady(
  c: number,
  rho: number,
  time: ServiceTime,
  requests: number,
  seed: number,
  stream = "fcfs-reference",
): Measured {
  if (!(rho > 0 && rho < 1)) throw new RangeError(`fcfsSteady: expected rho in (0, 1), found ${rho}`);
  if (!(requests >= BATCHES))
    throw new RangeError(`fcfsSteady: expected at least ${BATCHES} requests, found ${requests}`);
  const rng = new RandomStreams(seed).get(stream);
  const rate = (rho * c) / time.meanS;
  const perBatch = Math.floor(requests / BATCHES);
  const warm = Math.ceil(requests / 10);
  // The servers' free times as a binary min-heap: the root frees first.
  const free = new Float64Array(c);
  const counts = new Uint32Array(BATCHES * BINS);
  const sums = new Float64Array(BATCHES);
  let now = 0;
  const total = warm + perBatch * BATCHES;
  for (let i = 0; i < total; i++) {
    now += rng.exponential(rate);
    const start = free[0] > now ? free[0] : now;
    const done = start + time.sample(rng);
    siftRootDown(free, done);
    if (i < warm) continue;
    const response = done - now;
    const batch = Math.floor((i - warm) / perBatch);
    sums[batch] += response;
    counts[batch * BINS + binOf(response)]++;
  }
  const batchMeans: number[] = [];
  const batchP99s: number[] = [];
  const pooled = new Float64Array(BINS);
  for (let b = 0; b < BATCHES; b++) {
    const bins = counts.subarray(b * BINS, (b + 1) * BINS);
    batchMeans.push(sums[b] / perBatch);
    batchP99s.push(binQuantile(bins, perBatch, 0.99));
    for (let k = 0; k < BINS; k++) pooled[k] += bins[k];
  }
  return {
    meanS: mean(batchMeans),
    p99S: binQuantile(pooled, perBatch * BATCHES, 0.99),
    meanSe: standardError(batchMeans),
    p99Se: standardError(batchP99s),
    requests: perBatch * BATCHES,
  };
}

/** Replace the heap's root by `value` and restore the heap. */
function siftRootDown(heap: Float64Array, value: number): void {
  const n = heap.length;
  let k = 0;
  for (;;) {
    const left = 2 * k + 1;
    if (left >= n) break;
    const child = left + 1 < n && heap[left + 1] < heap[left] ? left + 1 : left;
    if (heap[child] >= value) break;
    heap[k] = heap[child];
    k = child;
  }
  heap[k] = value;
}

function binOf(x: number): number {
  const k = Math.floor((Math.log(x) - LOG_LO) / LOG_WIDTH);
  return k < 0 ? 0 : k >= BINS ? BINS - 1 : k;
}

/** The q-quantile of `n` binned values: the centre of the bin where the running count reaches q·n. */
function binQuantile(bins: ArrayLike<number>, n: number, q: number): number {
  const target = q * n;
  let seen = 0;
  for (let k = 0; k < bins.length; k++) {
    seen += bins[k];
    if (seen >= target) return Math.exp(LOG_LO + (k + 0.5) * LOG_WIDTH);
  }
  return Number.POSITIVE_INFINITY;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
