import { emptyFigures, type LatencyModel, type TickFigures } from "./latency/latency-model.js";
import type { LatencyRecord } from "./latency/latency-record.js";
import type { ServiceConfig } from "./service-config.js";

/** A measurement window over the run: [fromS, toS). The run's own starts after the warm-up. */
export interface MeasureWindow {
  name: string;
  fromS: number;
  toS: number;
}

/** The percentiles every window reports, and their summary names. */
const PERCENTILES: readonly [number, string][] = [
  [0.5, "latencyP50S"],
  [0.9, "latencyP90S"],
  [0.99, "latencyP99S"],
  [0.999, "latencyP999S"],
];

/** SLO violation is counted over windows of this length (the SRE practice of per-minute SLIs). */
const MINUTE_S = 60;

/**
 * Whether some requests broke the objective: fewer than its percentile of them served within the
 * target, a dropped request counting as one that was not; traffic that arrived while none was served
 * or dropped (no replica ready) breaks it too.
 */
export function brokeObjective(
  arrivals: number,
  served: number,
  dropped: number,
  within: number,
  quantile: number,
): boolean {
  const answered = served + dropped;
  if (answered <= 0) return arrivals > 0;
  return within < quantile * answered;
}

/**
 * One service's requests within a window: counts, the mean, a record of every served request's
 * response time for percentiles (./latency/latency-record.ts), the share within the objective
 * (attainment, the SRE definition: requests within the target over requests answered) and the
 * minutes (1-minute windows from the window's start) in which the objective was broken.
 */
export class WindowTally {
  requests = 0;
  served = 0;
  dropped = 0;
  failed = 0;
  within = 0;
  latencySumS = 0;
  private readonly record: LatencyRecord;
  private minute = -1;
  private minuteArrivals = 0;
  private minuteServed = 0;
  private minuteDropped = 0;
  private minuteWithin = 0;
  violationMinutes = 0;
  /** The window's bounds and the objective's quantile, copied: read every tick. */
  private readonly fromS: number;
  private readonly toS: number;
  private readonly quantile: number;

  constructor(
    readonly window: MeasureWindow,
    private readonly model: LatencyModel,
    slo: ServiceConfig["slo"],
  ) {
    this.record = model.newRecord();
    this.fromS = window.fromS;
    this.toS = window.toS;
    this.quantile = slo.quantile;
  }

  /** The tick starting at `nowS`, if it falls in the window. */
  add(nowS: number, f: TickFigures): void {
    if (nowS < this.fromS || nowS >= this.toS) return;
    const minute = Math.floor((nowS - this.fromS) / MINUTE_S);
    if (minute !== this.minute) {
      this.closeMinute();
      this.minute = minute;
    }
    this.requests += f.arrivals;
    this.served += f.served;
    this.dropped += f.dropped;
    this.failed += f.failed;
    this.within += f.withinTarget;
    this.minuteArrivals += f.arrivals;
    this.minuteServed += f.served;
    this.minuteDropped += f.dropped;
    this.minuteWithin += f.withinTarget;
    if (f.served > 0) {
      this.latencySumS += f.meanS * f.served;
      this.model.feed(this.record);
    }
  }

  private closeMinute(): void {
    const q = this.quantile;
    if (brokeObjective(this.minuteArrivals, this.minuteServed, this.minuteDropped, this.minuteWithin, q)) {
      this.violationMinutes++;
    }
    this.minuteArrivals = 0;
    this.minuteServed = 0;
    this.minuteDropped = 0;
    this.minuteWithin = 0;
  }

  summary(): Record<string, number> {
    // The last minute, whole or not, is counted once the run is over.
    const open = this.minute >= 0;
    const violationMinutes =
      this.violationMinutes +
      (open &&
      brokeObjective(this.minuteArrivals, this.minuteServed, this.minuteDropped, this.minuteWithin, this.quantile)
        ? 1
        : 0);
    const answered = this.served + this.dropped;
    const out: Record<string, number> = {
      requests: this.requests,
      requestsServed: this.served,
      requestsDropped: this.dropped,
      requestsFailed: this.failed,
      latencyMeanS: this.served > 0 ? this.latencySumS / this.served : Number.NaN,
    };
    for (const [q, name] of PERCENTILES) out[name] = this.record.quantile(q);
    out.sloAttainment = answered > 0 ? this.within / answered : Number.NaN;
    out.sloViolationMinutes = violationMinutes;
    return out;
  }
}

/** One service's running totals over the whole run, and its last tick (for time-series rows). */
export class ServiceTally {
  readonly last: TickFigures = emptyFigures();
  /** Rate of the last tick, requests per second, and its CPU usage in cores. */
  lastRatePerS = 0;
  lastUsageCores = 0;
  /** Whether the last tick broke the objective (as a minute is judged, over the tick's requests). */
  lastViolated = false;
  arrivals = 0;
  served = 0;
  dropped = 0;
  failed = 0;
  /** ∫ replicas placed dt, ∫ ready dt, ∫ CPU used dt (core-seconds), ∫ CPU requested by placed replicas dt. */
  replicaS = 0;
  readyS = 0;
  usedCoreS = 0;
  requestedCoreS = 0;
  replicasMax = 0;
  /** The highest tick's arrival rate, requests per second (calls from callers included). */
  peakRatePerS = 0;
  /** Serverless containers' bill: per second, per vCPU and GiB requested, while on a virtual node. */
  serverlessCost = 0;

  add(f: TickFigures): void {
    this.arrivals += f.arrivals;
    this.served += f.served;
    this.dropped += f.dropped;
    this.failed += f.failed;
  }

  summary(): Record<string, number> {
    return {
      requests: this.arrivals,
      requestsServed: this.served,
      requestsDropped: this.dropped,
      requestsFailed: this.failed,
      requestsQueuedAtEnd: this.last.queued,
      replicaHours: this.replicaS / 3600,
      readyReplicaHours: this.readyS / 3600,
      replicasMax: this.replicasMax,
      peakRatePerS: this.peakRatePerS,
      cpuUsedCoreHours: this.usedCoreS / 3600,
      cpuRequestedCoreHours: this.requestedCoreS / 3600,
      serverlessCost: this.serverlessCost,
    };
  }
}
