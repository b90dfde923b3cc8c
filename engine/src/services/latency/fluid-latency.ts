import { erlangC, responseQuantile } from "./erlang-c.js";
import type { LatencyModel, LatencyParams, TickFigures } from "./latency-model.js";

/**
 * The fluid latency model: any scale, a few operations per service and tick.
 *
 * Below saturation with nothing queued, the tick is in M/M/c steady state at its arrival rate λ, its
 * c servers and service rate μ = 1/meanService: Erlang C gives the probability of waiting, and the
 * response time (wait + service) its mean C/(cμ − λ) + 1/μ and its quantile (./erlang-c.ts).
 * At or above saturation the excess arrives as a cohort per tick (deterministic fluid): the cμ·dt
 * requests served per tick are taken from the oldest cohorts, each waiting from its arrival to the
 * moment it is served, so the tick's latency is a mixture of those waits plus an exponential service;
 * cohorts older than the timeout are dropped. When the backlog has drained, steady state resumes.
 *
 * Known to be wrong (the per-request model is the check): service times that are not exponential
 * (Erlang C assumes exponential; heavier tails wait longer); the transient just after a change of rate
 * or servers (steady state is assumed at once); queueing near saturation that a tick's mean rate hides
 * (bursts within a tick); and a backlog's wait spread within one cohort (all of a tick's excess
 * arrivals are taken to arrive at its midpoint).
 */
export class FluidLatency implements LatencyModel {
  private readonly baseMu: number;
  private mu: number;
  /** Backlog cohorts, oldest first: arrival time and requests left (a ring grown on demand). */
  private at = new Float64Array(64);
  private left = new Float64Array(64);
  private head = 0;
  private count = 0;
  private backlog = 0;
  /** Served cohorts of the current tick: their waits and sizes (for the latency mixture), reused. */
  private waits = new Float64Array(64);
  private sizes = new Float64Array(64);

  constructor(private readonly p: LatencyParams) {
    this.baseMu = 1 / p.meanServiceS;
    this.mu = this.baseMu;
  }

  tick(t0S: number, dtS: number, ratePerS: number, servers: number, out: TickFigures, slowdown = 1): void {
    this.mu = this.baseMu / slowdown;
    const { mu } = this;
    const capacityPerS = servers * mu;
    const arrivals = ratePerS * dtS;
    out.arrivals = arrivals;
    out.dropped = 0;
    if (this.backlog === 0 && ratePerS < capacityPerS) {
      const probWait = erlangC(servers, ratePerS / mu);
      const theta = capacityPerS - ratePerS;
      out.served = arrivals;
      out.meanS = arrivals > 0 ? probWait / theta + 1 / mu : Number.NaN;
      out.quantileS = arrivals > 0 ? responseQuantile(this.p.quantile, probWait, theta, mu) : Number.NaN;
      // The mean queue length of M/M/c (Little: λ·W).
      out.queued = (ratePerS * probWait) / theta;
      out.busy = ratePerS / mu;
      return;
    }
    if (arrivals > 0) this.push(t0S + dtS / 2, arrivals);
    this.serve(t0S, dtS, capacityPerS * dtS, out);
    this.dropOlderThan(t0S + dtS - this.p.timeoutS, out);
    out.queued = this.backlog;
  }

  /** Serve up to `capacity` requests of the tick [t0, t0 + dt] from the oldest cohorts, in order. */
  private serve(t0S: number, dtS: number, capacity: number, out: TickFigures): void {
    let used = 0;
    let n = 0;
    while (this.count > 0 && used < capacity) {
      const i = this.head;
      const take = Math.min(this.left[i], capacity - used);
      // Served evenly over the tick: this share at the middle of its slice of the tick's capacity.
      const servedAt = t0S + (dtS * (used + take / 2)) / capacity;
      if (n === this.waits.length) this.growServed();
      this.waits[n] = Math.max(0, servedAt - this.at[i]);
      this.sizes[n++] = take;
      used += take;
      this.left[i] -= take;
      this.backlog -= take;
      if (this.left[i] <= 1e-9) this.shift();
    }
    if (this.count === 0) this.backlog = 0;
    out.served = used;
    // Each request served occupies a server for 1/μ on average.
    out.busy = used / (this.mu * dtS);
    if (used === 0) {
      out.meanS = Number.NaN;
      out.quantileS = Number.NaN;
      return;
    }
    let waitSum = 0;
    for (let k = 0; k < n; k++) waitSum += this.waits[k] * this.sizes[k];
    out.meanS = waitSum / used + 1 / this.mu;
    out.quantileS = this.mixtureQuantile(n, used);
  }

  /** The q-quantile of a mixture of (wait_k + exponential service), weights sizes_k, by bisection. */
  private mixtureQuantile(n: number, total: number): number {
    const { mu } = this;
    const tail = 1 - this.p.quantile;
    let maxWait = 0;
    for (let k = 0; k < n; k++) maxWait = Math.max(maxWait, this.waits[k]);
    if (n === 1) return this.waits[0] + Math.log(1 / tail) / mu;
    let lo = 0;
    let hi = maxWait + Math.log(1 / tail) / mu;
    for (let it = 0; it < 60 && hi - lo > 1e-12 * hi; it++) {
      const t = (lo + hi) / 2;
      let p = 0;
      for (let k = 0; k < n; k++) p += this.sizes[k] * (t <= this.waits[k] ? 1 : Math.exp(-mu * (t - this.waits[k])));
      if (p / total > tail) lo = t;
      else hi = t;
    }
    return (lo + hi) / 2;
  }

  private dropOlderThan(cutoffS: number, out: TickFigures): void {
    while (this.count > 0 && this.at[this.head] < cutoffS) {
      out.dropped += this.left[this.head];
      this.backlog -= this.left[this.head];
      this.shift();
    }
    if (this.count === 0) this.backlog = 0;
  }

  private push(atS: number, requests: number): void {
    if (this.count === this.at.length) this.growRing();
    const i = (this.head + this.count) % this.at.length;
    this.at[i] = atS;
    this.left[i] = requests;
    this.count++;
    this.backlog += requests;
  }

  private shift(): void {
    this.head = (this.head + 1) % this.at.length;
    this.count--;
  }

  private growRing(): void {
    const size = this.at.length * 2;
    const at = new Float64Array(size);
    const left = new Float64Array(size);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.at.length;
      at[k] = this.at[i];
      left[k] = this.left[i];
    }
    this.at = at;
    this.left = left;
    this.head = 0;
  }

  private growServed(): void {
    const w = new Float64Array(this.waits.length * 2);
    w.set(this.waits);
    this.waits = w;
    const s = new Float64Array(this.sizes.length * 2);
    s.set(this.sizes);
    this.sizes = s;
  }
}
