import type { Rng } from "@clustersim/sim-core";
import type { DiscreteTime } from "./discrete-time.js";
import type { LatencyRecord } from "./latency-record.js";
import type { ServiceTimeShape } from "./service-time.js";

/** What one tick of a service's traffic came to: the latency model's answer. */
export interface TickFigures {
  /** Requests that arrived in the tick. */
  arrivals: number;
  /** Requests that began service in the tick (the population of the latency figures). */
  served: number;
  /**
   * The requests the mean-value queue served in the tick: what callees' mean rates are made of. The
   * fluid model with drawn arrivals runs its queue on the mean rate and thins its counts by the draw
   * (`served` then differs); otherwise equal to `served`.
   */
  expectedServed: number;
  /** Requests that waited longer than the timeout and left unserved, in the tick. */
  dropped: number;
  /** Requests served whose calls to other services failed (the client gets an error). */
  failed: number;
  /** Mean response time (wait + service) of the requests served; NaN when none. */
  meanS: number;
  /** Requests served whose response time was within the objective's target. */
  withinTarget: number;
  /** Requests waiting at the end of the tick. */
  queued: number;
  /** Mean number of busy servers over the tick. */
  busy: number;
}

/**
 * The time a request holds its server after its own service, waiting for the services it calls: the
 * fluid model reads its mean and variance, the per-request model draws it for each request.
 */
export interface Hold {
  mean(): number;
  variance(): number;
  sample(rng: Rng): number;
  /** Whether the request of the last `sample` failed: one of its calls did (absent: none fails). */
  lastFailed?(): boolean;
  /** The calls' time as a distribution, where it was composed (the fluid model's callers). */
  readonly time?: DiscreteTime;
  /**
   * The mean hold were the caller to finish `throughputPerS` requests a second over this tick: its
   * callees' waits then follow the calls it sends them (absent: the hold does not depend on it).
   */
  meanAt?(throughputPerS: number): number;
}

export function emptyFigures(): TickFigures {
  return {
    arrivals: 0,
    served: 0,
    expectedServed: 0,
    dropped: 0,
    failed: 0,
    meanS: Number.NaN,
    withinTarget: 0,
    queued: 0,
    busy: 0,
  };
}

/**
 * `n` requests counted served in `out` fail after all (their replica was lost: LatencyModel.loseAll):
 * counted failed, and the share within the objective shrinks by theirs of the served (they were counted
 * within it in proportion, as a failed call's are not).
 */
export function failServed(out: TickFigures, n: number): void {
  if (out.served > 0) out.withinTarget *= Math.max(0, 1 - n / out.served);
  out.failed += n;
}

/**
 * How a service turns traffic into latency, one tick at a time: `servers` ready (replicas × concurrency)
 * for the whole tick, requests arriving at `ratePerS`. The model keeps its queue between ticks.
 */
export interface LatencyModel {
  /**
   * `slowdown` stretches every request's service time (interference from a busy node; 1: none);
   * `hold` is the time each request then holds its server waiting for the services it calls;
   * `arrivals`, the requests that arrive in the tick when they were drawn (absent: ratePerS × dtS).
   */
  tick(
    t0S: number,
    dtS: number,
    ratePerS: number,
    servers: number,
    out: TickFigures,
    slowdown?: number,
    hold?: Hold,
    arrivals?: number,
  ): void;
  /** The q-quantile of the response times of the requests served in the last tick (NaN when none). */
  lastQuantile(q: number): number;
  /**
   * Recent response times (the last tick's in the fluid model, the last few thousand requests' in the
   * per-request one; undefined when none): what callers compose.
   */
  lastDistribution(): DiscreteTime | undefined;
  /**
   * `count` requests arrive in the next tick as calls from callers: the per-request model places that
   * many (absent: the caller adds their rate to the tick's, as the fluid model takes it).
   */
  receiveCalls?(count: number): void;
  /**
   * Every replica serving the queue was killed after the tick whose figures are `out` (the kernel's
   * OOM killer, ../replica-memory.ts): the requests waiting leave unserved (added to
   * `out.dropped`), those in the replicas' hands fail (added to `out.failed`: they were counted served
   * when they began, or, where a request is counted when answered, they are answered now), the share
   * within the objective shrinks by theirs, and the queue is empty (`out.queued` 0). Arrivals = served
   * + dropped + queued (+ in service, where requests are counted when answered) still holds.
   */
  loseAll(out: TickFigures): void;
  /**
   * How much longer than the last responses a request arriving at the end of a tick would take, were
   * the service to receive `ratePerS` over that tick of `dtS` (negative: shorter; absent: not known).
   * What a caller's `Hold.meanAt` is made of.
   */
  waitChangeAt?(ratePerS: number, dtS: number): number;
  /** One recent response time drawn at random (the per-request model; undefined: none kept). */
  drawRecent?(rng: Rng): number | undefined;
  /**
   * The share of recent answers (served or dropped) that failed: the per-request model's over its
   * last few hundred (undefined: none yet); absent, callers take the last tick's.
   */
  recentFailShare?(): number | undefined;
  /** An empty record of response times, of the kind this model feeds. */
  newRecord(): LatencyRecord;
  /** Add the last tick's served requests to a record this model made. */
  feed(record: LatencyRecord): void;
}

/** A service's traffic parameters, shared by both models. */
export interface LatencyParams {
  /** The service time: its mean, shape and draws. */
  shape: ServiceTimeShape;
  /** The objective's target: a served request within it counts in `withinTarget`, seconds. */
  targetS: number;
  /** A request that has waited this long leaves unserved (a client timeout), seconds. */
  timeoutS: number;
}
