import { CohortQueue } from "./cohort-queue.js";
import type { DiscreteTime } from "./discrete-time.js";
import { DrawnQueue } from "./drawn-queue.js";
import { heldWhileQueued } from "./held-while-queued.js";
import { failServed, type Hold, type LatencyModel, type LatencyParams, type TickFigures } from "./latency-model.js";
import { MixtureRecord } from "./latency-record.js";
import { Mg1Wait, mg1WaitOf } from "./mg1-wait.js";
import { type MgcWaiting, mgcWaiting } from "./mgc-waiting.js";
import { QueueDiffusion } from "./queue-diffusion.js";
import { randomWaitAhead } from "./random-wait-ahead.js";
import { ATOM, EXPONENTIAL, MG1_WAIT, ResponseMixture } from "./response-mixture.js";
import { TickDistribution } from "./tick-distribution.js";

/** The relaxation time below which a tick is taken as steady (a twentieth of a tick). */
const STEADY_WITHIN_TICKS = 0.05;
/** Implicit steps per tick for the queue's random part. */
const STEPS_PER_TICK = 4;

/**
 * The fluid latency model: any scale, a few operations per service and tick when load is steady.
 *
 * A request's wait has two parts:
 * - The mean-value backlog: at or above saturation the excess arrives as a cohort per tick
 *   (deterministic fluid); the cμ·dt requests served per tick are taken from the oldest cohorts, each
 *   waiting from its arrival to the moment it is served; cohorts older than the timeout are dropped.
 *   The requests counted (served, dropped, queued) are this part's.
 * - The random part (./queue-diffusion.ts): a reflected diffusion of the wait whose steady state is the
 *   M/G/c approximation (./mgc-waiting.ts: a wait with Erlang C's probability, exponential with the
 *   mean of Kimura's interpolation, which follows the service time's variability; on one server,
 *   M/G/1's exact shape, ./mg1-wait.ts), and whose
 *   transient is the heavy-traffic diffusion's: a burst near or past saturation builds its delay over
 *   time instead of taking a long run's at once, continuously and monotonically in load.
 * When the load is steady and the random part would settle within a twentieth of a tick, the tick
 * takes the closed form at once: a few operations per service and tick. That holds for large
 * services well below saturation; others (10 servers of 0.1 s above ρ ≈ 0.55, any service near
 * saturation) take four tridiagonal solves over about 330 cells per tick.
 * A response is the wait plus a service time of the service's own shape (./response-mixture.ts), so a
 * log-normal's tail shows in the percentiles as it does in the per-request model.
 *
 * A server is held for the service and then the request's calls (`hold`). While requests queue, the
 * calls' time depends on how many the servers finish (their callees' waits grow with the calls sent),
 * so the tick takes it at the throughput it gives (./held-while-queued.ts); a callee tells its callers its
 * wait at a load (waitChangeAt).
 *
 * Drawn arrivals (a tick's count from a Poisson draw: `arrivals` in tick) do not move the waits: those
 * are the mean rate's, whose M/G/c approximation already is the average effect of random arrivals (a
 * queue driven by the draws as well would count their variability twice). The draws are counted in a
 * queue of their own with the same capacity and timeout, so that no tick serves more than its servers
 * can while a backlog lasts, and every drawn request is served, dropped or still queued at the end;
 * the tick's figures (served, dropped, queued, and the weight of its latencies) are those counts.
 *
 * Known to be wrong (the per-request model is the check; docs/guide/services.md has the measured
 * errors): the wait's shape when service times are not exponential on more than one server (its mean
 * and probability follow the variability, its tail is exponential); a wait beyond the top of the random part's grid (the
 * timeout, at most 10⁴ mean service times: capped there, not dropped); above saturation the random
 * part stays reflected at no wait while the backlog carries the drift, so the mean is high, the more
 * the longer the overload lasts (+21–32% over a 60 s burst at ρ 1.01–1.05); the random part keeps its
 * waits when the servers change (more replicas drain it at the new rate, but a wait already built is
 * not rescaled); and the spread of waits within one backlog cohort (a tick's excess arrives at its
 * midpoint).
 */
export class FluidLatency implements LatencyModel {
  /** The mean-value backlog: cohorts of the mean rate's excess, whose waits the tick's figures take. */
  private readonly backlog = new CohortQueue();
  /** The drawn requests waiting, when arrivals are drawn: what the counts are. */
  private readonly counted: DrawnQueue;
  /** Whether the last tick's arrivals were drawn (its counts are then `counted`'s, else `backlog`'s). */
  private drawnLast = false;
  /** The last tick's response-time distribution, weighted by the requests it served. */
  private readonly tickMix: ResponseMixture;
  private readonly waiting: MgcWaiting = { probWait: 0, rate: 0 };
  /**
   * The shape of the wait of a request that waits, this tick: exponential, or on one server with a
   * service time that is not exponential, M/G/1's at the tick's load (./mg1-wait.ts).
   */
  private waitKind = EXPONENTIAL;
  /** The service shape's M/G/1 wait tables, once a tick needs them. */
  private mg1: Mg1Wait | undefined;
  private slowdown = 1;
  /** The random part of the wait, while it is not steady (allocated on first use). */
  private diffusion: QueueDiffusion | undefined;
  private diffusing = false;
  /**
   * For callers (waitChangeAt): whether a tick was made; the last tick's servers and capacity
   * (requests a second); the mean wait of the last tick that served any (what the last distribution
   * holds, as callers compose it); the random part's mean at the last tick's end.
   */
  private ticked = false;
  private servers = 0;
  private capacityPerS = 0;
  private lastWaitS = 0;
  private randomEndS = 0;
  private readonly probe: MgcWaiting = { probWait: 0, rate: 0 };
  /** The last steady state taken: where the random part starts when it stops being steady. */
  private steadyProbWait = 0;
  private steadyRate = Number.POSITIVE_INFINITY;
  /** Whether the last tick was steady (its mixture is then built only when asked), and its figures. */
  private steadyLast = false;
  private lastShiftS = 0;
  private lastServed = 0;
  /** Requests counted served over the run, and those of them failed since (a replica lost). */
  private servedSoFar = 0;
  private failedSoFar = 0;
  /**
   * The squared coefficient of variation of the time a request holds its server: its service time's,
   * or with calls, that of its service plus the calls' time (independent).
   */
  private scv: number;
  /** The last tick's response times in strata, made when asked. */
  private readonly distribution: TickDistribution;

  /** The parameters read every tick, copied beside the model's state. */
  private readonly meanS: number;
  private readonly shapeScv: number;
  private readonly timeoutS: number;
  private readonly targetS: number;

  constructor(private readonly p: LatencyParams) {
    this.meanS = p.shape.meanS;
    this.shapeScv = p.shape.scv;
    this.timeoutS = p.timeoutS;
    this.targetS = p.targetS;
    this.tickMix = new ResponseMixture(p.shape);
    this.scv = p.shape.scv;
    this.counted = new DrawnQueue(p.timeoutS);
    this.distribution = new TickDistribution(p.shape);
  }

  tick(
    t0S: number,
    dtS: number,
    ratePerS: number,
    servers: number,
    out: TickFigures,
    slowdown = 1,
    hold?: Hold,
    drawnArrivals?: number,
  ): void {
    if (!(ratePerS >= 0 && servers >= 0 && slowdown > 0 && Number.isFinite(ratePerS * slowdown))) {
      throw new RangeError(
        `fluid latency: a rate ${ratePerS}/s on ${servers} servers slowed ${slowdown}× cannot be served`,
      );
    }
    this.slowdown = slowdown;
    this.drawnLast = drawnArrivals !== undefined;
    out.failed = 0;
    // A server is held for the service and then the calls: the queue sees their sum's mean and spread.
    const ownS = this.meanS * slowdown;
    const arrivals = ratePerS * dtS;
    let holdS = hold ? hold.mean() : 0;
    if (hold?.meanAt && (this.backlog.size > 0 || ratePerS * (ownS + holdS) >= servers)) {
      holdS = heldWhileQueued(hold, ownS, servers, (this.backlog.size + arrivals) / dtS);
    }
    const mu = 1 / (ownS + holdS);
    this.scv = hold
      ? (ownS * ownS * this.shapeScv + hold.variance()) / ((ownS + holdS) * (ownS + holdS))
      : this.shapeScv;
    const capacityPerS = servers * mu;
    this.capacityPerS = capacityPerS;
    this.servers = servers;
    this.ticked = true;
    const cutoffS = t0S + dtS - this.timeoutS;
    out.arrivals = arrivals;
    out.dropped = 0;
    let shiftS = 0;
    const backlog = this.backlog;
    if (backlog.size === 0 && ratePerS < capacityPerS) {
      out.served = arrivals;
      out.busy = ratePerS / mu;
    } else {
      if (arrivals > 0) backlog.push(t0S + dtS / 2, arrivals);
      out.served = backlog.serve(t0S, dtS, capacityPerS * dtS);
      shiftS = out.served > 0 ? backlog.waitSum / out.served : 0;
      // Each request served occupies a server for 1/μ on average.
      out.busy = out.served / (mu * dtS);
      out.dropped = backlog.dropOlderThan(cutoffS);
    }
    out.expectedServed = out.served;
    let waiting = backlog.size;
    if (drawnArrivals !== undefined) {
      waiting = this.counted.take(drawnArrivals, t0S, dtS, capacityPerS * dtS, out);
      out.arrivals = drawnArrivals;
    }
    this.servedSoFar += out.served;
    const rho = capacityPerS > 0 ? ratePerS / capacityPerS : Number.POSITIVE_INFINITY;
    const w = rho < 1 ? mgcWaiting(servers, ratePerS, mu, this.scv, this.waiting) : undefined;
    this.waitKind = w ? this.waitShape(servers, rho, hold) : EXPONENTIAL;
    // The tick a backlog drains serves its last cohorts after a wait: the random part then carries it.
    if (backlog.size === 0 && shiftS === 0 && w && this.steady(w, rho, dtS)) {
      this.diffusing = false;
      this.steadyProbWait = w.probWait;
      this.steadyRate = w.rate;
      this.steadyTick(out, w, shiftS, waiting, out.arrivals / dtS);
      this.randomEndS = w.probWait > 0 ? w.probWait / w.rate : 0;
      if (out.served > 0) this.lastWaitS = this.randomEndS;
      return;
    }
    this.steadyLast = false;
    this.tickMix.clear();
    const meanWait = capacityPerS > 0 ? this.diffuse(dtS, rho, capacityPerS, w) : this.queue().meanWait();
    this.randomEndS = meanWait;
    if (out.served > 0) this.lastWaitS = shiftS + this.queue().meanWaitOverStep();
    this.addDiffusionWaits(shiftS, out.served);
    out.queued = waiting + (out.arrivals / dtS) * meanWait;
    this.summarise(out);
  }

  /**
   * The wait of a request arriving at the end of a tick that brings `ratePerS` (at the last tick's
   * servers), less the mean wait of the last tick that served any: the backlog then left, plus the
   * random part's mean then (./random-wait-ahead.ts), at most the timeout (older requests leave); the timeout
   * with no servers. The tick's end rather than its middle: a caller that takes this each tick settles
   * on its callee's capacity without ringing about it (the implicit step; the middle's rings when the
   * callee serves many more a tick than the caller has servers). 0 before the first tick.
   */
  waitChangeAt(ratePerS: number, dtS: number): number {
    if (!this.ticked) return 0;
    const capacity = this.capacityPerS;
    if (!(capacity > 0)) return this.timeoutS - this.lastWaitS;
    const backlogS = Math.max(0, this.backlog.size + (ratePerS - capacity) * dtS) / capacity;
    const random = randomWaitAhead(this.randomEndS, ratePerS, capacity, this.servers, this.scv, dtS, this.probe);
    return Math.min(backlogS + random, this.timeoutS) - this.lastWaitS;
  }

  /**
   * The counted queue's requests are dropped. The rest of what the replicas held (those in service,
   * and the random part's waiting, which the counts took as served on arrival) fail. Both queues and
   * the random part start again empty.
   */
  loseAll(out: TickFigures): void {
    const waiting = this.drawnLast ? this.counted.size : this.backlog.size;
    out.dropped += waiting;
    // Those in service (Little's law: the served rate times the time each holds a server) and the
    // random part's waiting fail; no more than were counted served and have not failed yet. Little's
    // steady state overstates them while a slow service fills up: 0.6 requests served and 15,970
    // failed, once, for a replica sharing 100m of CPU among 1,000 requests of 2 core-seconds.
    const lost = Math.min(Math.max(0, out.busy + out.queued - waiting), this.servedSoFar - this.failedSoFar);
    this.failedSoFar += lost;
    failServed(out, lost);
    out.queued = 0;
    this.backlog.clear();
    this.counted.clear();
    this.diffusing = false;
    this.steadyProbWait = 0;
    this.steadyRate = Number.POSITIVE_INFINITY;
    this.diffusion?.reset(0, Number.POSITIVE_INFINITY);
    this.randomEndS = 0;
  }

  /**
   * A steady tick: no wait (probability 1 − C) or a wait of the tick's kind (exponential, or M/G/1's),
   * after `shiftS`. Its figures in
   * closed form, without building the tick's mixture (the common case, kept to a few operations).
   */
  private steadyTick(out: TickFigures, w: MgcWaiting, shiftS: number, waiting: number, ratePerS: number): void {
    this.steadyLast = true;
    this.lastShiftS = shiftS;
    this.lastServed = out.served;
    const mix = this.tickMix;
    const s = this.slowdown;
    const c = w.probWait;
    const meanWait = c > 0 ? c / w.rate : 0;
    out.queued = waiting + ratePerS * meanWait;
    if (!(out.served > 0)) {
      out.meanS = Number.NaN;
      out.withinTarget = 0;
      return;
    }
    out.meanS = shiftS + meanWait + s * this.meanS;
    const t = this.targetS;
    const waited = c > 0 ? c * mix.cdfOf(this.waitKind, w.rate, s, t - shiftS) : 0;
    out.withinTarget = out.served * ((1 - c) * mix.cdfOf(ATOM, shiftS, s, t) + waited);
  }

  lastQuantile(q: number): number {
    if (this.steadyLast) this.steadyMixture();
    return this.tickMix.quantile(q);
  }

  /**
   * The last tick's response times in strata: its waits plus the stretched service time, independent
   * (./tick-distribution.ts; a tick like the last one reuses what was made for it).
   */
  lastDistribution(): DiscreteTime | undefined {
    if (this.steadyLast) this.steadyMixture();
    return this.distribution.of(this.tickMix, this.slowdown);
  }

  newRecord(): MixtureRecord {
    return new MixtureRecord(this.p.shape);
  }

  feed(record: MixtureRecord): void {
    if (!this.steadyLast) {
      record.addMixture(this.tickMix);
      return;
    }
    const c = this.waiting.probWait;
    record.addComponent(ATOM, this.lastShiftS, this.slowdown, this.lastServed * (1 - c));
    record.addComponent(this.waitKind, this.waiting.rate, this.slowdown, this.lastServed * c);
  }

  /** The last steady tick's mixture, built when asked for (its quantile). */
  private steadyMixture(): void {
    const mix = this.tickMix;
    mix.clear();
    const c = this.waiting.probWait;
    mix.add(ATOM, this.lastShiftS, this.slowdown, this.lastServed * (1 - c));
    mix.add(this.waitKind, this.waiting.rate, this.slowdown, this.lastServed * c);
  }

  private summarise(out: TickFigures): void {
    const mix = this.tickMix;
    if (mix.total > 0) {
      out.meanS = mix.mean();
      out.withinTarget = out.served * mix.cdf(this.targetS);
    } else {
      out.meanS = Number.NaN;
      out.withinTarget = 0;
    }
  }

  /**
   * The kind of wait of a request that waits: M/G/1's exact shape on one server whose service time is
   * not exponential and holds its server alone (no calls); else exponential (exact for M/M/c, and close
   * for many servers, where most waits end at the first of many departures).
   */
  private waitShape(servers: number, rho: number, hold: Hold | undefined): number {
    if (servers !== 1 || hold || this.p.shape.family === "exponential") return EXPONENTIAL;
    return MG1_WAIT + Mg1Wait.indexOf(rho);
  }

  /** Whether the tick may take the steady state at once: it settles fast, and nothing is left to drain. */
  private steady(w: MgcWaiting, rho: number, dtS: number): boolean {
    if (w.probWait <= 0) return !this.diffusing || this.queue().meanWait() <= 0.01 * this.meanS;
    const relaxS = 1 / (w.rate * (1 - rho));
    if (relaxS > STEADY_WITHIN_TICKS * dtS) return false;
    if (!this.diffusing) return true;
    const steadyMean = w.probWait / w.rate;
    return this.queue().meanWait() <= 1.5 * steadyMean + 0.01 * this.meanS;
  }

  private queue(): QueueDiffusion {
    if (!this.diffusion) {
      const m = this.meanS;
      this.diffusion = new QueueDiffusion(1e-3 * m, Math.max(2e-3 * m, Math.min(this.timeoutS, 1e4 * m)));
    }
    return this.diffusion;
  }

  /**
   * Advance the random part over the tick: below saturation with no backlog, toward the M/G/c steady
   * state; at or above it (or while a backlog takes the spare capacity), without drift at the
   * heavy-traffic diffusion. Returns the mean wait it holds.
   */
  private diffuse(dtS: number, rho: number, capacityPerS: number, w: MgcWaiting | undefined): number {
    const q = this.queue();
    if (!this.diffusing) {
      q.reset(this.steadyProbWait, this.steadyRate);
      this.diffusing = true;
    }
    const scv = this.scv;
    // The heavy-traffic coefficient: (λ + cμ·scv)/(2(cμ)²), λ at most cμ; never zero (a floor of 1e-6 of it).
    const heavy = (Math.min(rho, 1) + Math.max(scv, 1e-6)) / (2 * capacityPerS);
    if (this.backlog.size === 0 && w && w.probWait > 0) {
      q.advance(dtS, STEPS_PER_TICK, -(1 - rho), (1 - rho) / w.rate, w.probWait, w.rate);
    } else if (this.backlog.size === 0 && w) {
      q.advance(dtS, STEPS_PER_TICK, -(1 - rho), heavy, 0, Number.POSITIVE_INFINITY);
    } else {
      q.advance(dtS, STEPS_PER_TICK, 0, heavy, 1, 0);
    }
    return q.meanWait();
  }

  /** The tick's served requests wait `shiftS` (the backlog's) plus the random part, averaged over the tick. */
  private addDiffusionWaits(shiftS: number, served: number): void {
    if (!(served > 0)) return;
    const q = this.queue();
    const s = this.slowdown;
    this.tickMix.add(ATOM, shiftS, s, (served * (q.free + q.freeBefore)) / 2);
    // With M/G/1's shape, while the random part drifts toward its steady state (no backlog, below
    // saturation), each wait moves to the same quantile of it as it holds of the exponential of that
    // steady state, which so maps to M/G/1's exactly; waits far beyond it (left by an overload) keep
    // their length (Mg1Wait.fromExponential). Otherwise, the diffusion's own waits.
    const k = this.backlog.size === 0 && this.waiting.probWait > 0 ? this.waitKind - MG1_WAIT : -1;
    const theta = this.waiting.rate;
    if (k >= 0) this.mg1 ??= mg1WaitOf(this.p.shape);
    const shape = k >= 0 ? this.mg1 : undefined;
    for (let i = 0; i < q.cells; i++) {
      const m = (q.mass[i] + q.before[i]) / 2;
      if (!(m > 1e-10)) continue;
      const x = q.centres[i];
      const wait = shape ? shape.fromExponential(k, theta * x) / theta : x;
      this.tickMix.add(ATOM, shiftS + wait, s, served * m);
    }
  }
}
