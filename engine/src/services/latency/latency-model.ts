/** What one tick of a service's traffic came to: the latency model's answer. */
export interface TickFigures {
  /** Requests that arrived in the tick. */
  arrivals: number;
  /** Requests that began service in the tick (the population of the latency figures). */
  served: number;
  /** Requests that waited longer than the timeout and left unserved, in the tick. */
  dropped: number;
  /** Mean and q-quantile of the response time (wait + service) of the requests served; NaN when none. */
  meanS: number;
  quantileS: number;
  /** Requests waiting at the end of the tick. */
  queued: number;
  /** Mean number of busy servers over the tick. */
  busy: number;
}

export function emptyFigures(): TickFigures {
  return { arrivals: 0, served: 0, dropped: 0, meanS: Number.NaN, quantileS: Number.NaN, queued: 0, busy: 0 };
}

/**
 * How a service turns traffic into latency, one tick at a time: `servers` ready (replicas × concurrency)
 * for the whole tick, requests arriving at `ratePerS`. The model keeps its queue between ticks.
 */
export interface LatencyModel {
  /** `slowdown` stretches every request's service time (interference from a busy node; 1: none). */
  tick(t0S: number, dtS: number, ratePerS: number, servers: number, out: TickFigures, slowdown?: number): void;
}

/** A service's traffic parameters, shared by both models. */
export interface LatencyParams {
  /** Mean time one request occupies a server (the mean of the service-time distribution), seconds. */
  meanServiceS: number;
  /** The latency percentile reported (0.99 for p99). */
  quantile: number;
  /** A request that has waited this long leaves unserved (a client timeout), seconds. */
  timeoutS: number;
}
