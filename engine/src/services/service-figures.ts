import { emptyFigures, type TickFigures } from "./latency/latency-model.js";
import type { ServiceConfig } from "./service-config.js";

/**
 * Whether a tick broke the service's objective: its latency quantile above the target, or more of its
 * requests dropped (or left without any replica) than the quantile allows.
 */
export function violatesSlo(f: TickFigures, slo: ServiceConfig["slo"]): boolean {
  if (f.arrivals <= 0 && f.served <= 0 && f.dropped <= 0) return false;
  if (f.served <= 0) return true;
  if (f.quantileS > slo.targetS) return true;
  return f.dropped > (1 - slo.quantile) * (f.served + f.dropped);
}

/** One service's running totals over the run, and its last tick (for time-series rows). */
export class ServiceTally {
  readonly last: TickFigures = emptyFigures();
  /** Rate of the last tick, requests per second, and its CPU usage in cores. */
  lastRatePerS = 0;
  lastUsageCores = 0;
  lastViolated = false;
  arrivals = 0;
  served = 0;
  dropped = 0;
  /** Σ mean latency × served, Σ percentile latency × served: over requests, these / served. */
  latencySum = 0;
  quantileSum = 0;
  worstQuantileS = 0;
  violationS = 0;
  /** ∫ replicas placed dt, ∫ ready dt, ∫ CPU used dt (core-seconds), ∫ CPU requested by placed replicas dt. */
  replicaS = 0;
  readyS = 0;
  usedCoreS = 0;
  requestedCoreS = 0;
  replicasMax = 0;
  /** Serverless containers' bill: per second, per vCPU and GiB requested, while on a virtual node. */
  serverlessCost = 0;

  add(f: TickFigures, dtS: number, violated: boolean): void {
    this.arrivals += f.arrivals;
    this.served += f.served;
    this.dropped += f.dropped;
    if (f.served > 0) {
      this.latencySum += f.meanS * f.served;
      this.quantileSum += f.quantileS * f.served;
      if (f.quantileS > this.worstQuantileS) this.worstQuantileS = f.quantileS;
    }
    if (violated) this.violationS += dtS;
  }

  summary(): Record<string, number> {
    return {
      requests: this.arrivals,
      requestsServed: this.served,
      requestsDropped: this.dropped,
      latencyMeanS: this.served > 0 ? this.latencySum / this.served : Number.NaN,
      latencyQuantileMeanS: this.served > 0 ? this.quantileSum / this.served : Number.NaN,
      latencyQuantileWorstS: this.worstQuantileS,
      sloViolationMinutes: this.violationS / 60,
      replicaHours: this.replicaS / 3600,
      readyReplicaHours: this.readyS / 3600,
      replicasMax: this.replicasMax,
      cpuUsedCoreHours: this.usedCoreS / 3600,
      cpuRequestedCoreHours: this.requestedCoreS / 3600,
      serverlessCost: this.serverlessCost,
    };
  }
}
