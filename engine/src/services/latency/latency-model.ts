import type { LatencyRecord } from "./latency-record.js";
import type { ServiceTimeShape } from "./service-time.js";

/** What one tick of a service's traffic came to: the latency model's answer. */
export interface TickFigures {
  /** Requests that arrived in the tick. */
  arrivals: number;
  /** Requests that began service in the tick (the population of the latency figures). */
  served: number;
  /** Requests that waited longer than the timeout and left unserved, in the tick. */
  dropped: number;
  /** Mean response time (wait + service) of the requests served; NaN when none. */
  meanS: number;
  /** Requests served whose response time was within the objective's target. */
  withinTarget: number;
  /** Requests waiting at the end of the tick. */
  queued: number;
  /** Mean number of busy servers over the tick. */
  busy: number;
}

export function emptyFigures(): TickFigures {
  return { arrivals: 0, served: 0, dropped: 0, meanS: Number.NaN, withinTarget: 0, queued: 0, busy: 0 };
}

/**
 * How a service turns traffic into latency, one tick at a time: `servers` ready (replicas × concurrency)
 * for the whole tick, requests arriving at `ratePerS`. The model keeps its queue between ticks.
 */
export interface LatencyModel {
  /** `slowdown` stretches every request's service time (interference from a busy node; 1: none). */
  tick(t0S: number, dtS: number, ratePerS: number, servers: number, out: TickFigures, slowdown?: number): void;
  /** The q-quantile of the response times of the requests served in the last tick (NaN when none). */
  lastQuantile(q: number): number;
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
