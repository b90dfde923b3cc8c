import { type Column, csvLine, round6 } from "../observers/csv.js";
import type { ServicesController } from "./services-controller.js";

export const SERVICE_COLUMNS: readonly Column[] = [
  { name: "timeS", type: "float" },
  { name: "service", type: "text" },
  { name: "ratePerS", type: "float" },
  { name: "replicas", type: "int" },
  { name: "readyReplicas", type: "int" },
  { name: "cpuUsedCores", type: "float" },
  { name: "cpuRequestedCores", type: "float" },
  { name: "latencyMeanS", type: "float" },
  { name: "latencyQuantileS", type: "float" },
  { name: "droppedPerS", type: "float" },
  { name: "queued", type: "float" },
  { name: "sloViolated", type: "int" },
  { name: "forecastPerS", type: "float" },
  { name: "arrivalsPerS", type: "float" },
];
export const SERVICE_CSV_HEADER = SERVICE_COLUMNS.map((c) => c.name).join(",");

/**
 * services.csv: at every sample, one row per service with its traffic tick then under way (the last
 * whole tick): request rate, replicas (all, and ready), CPU used and requested by its placed replicas,
 * mean and objective-quantile latency, drops, requests waiting, whether the tick broke the objective,
 * with a predictive HPA the rate it forecast for that tick's interval (empty before it could), and the
 * requests that arrived per second since the row before (callers' calls included; empty unless both
 * rows fall on the service ticks' boundaries): what the HPA's offered-rate metric and the predictive
 * HPA count, and what a later run's history reads.
 */
export class ServiceRows {
  private readonly values: (number | string)[] = new Array(SERVICE_COLUMNS.length);
  /** Each service's arrivals and the time at the row before (none before the first). */
  private arrivalsBefore: number[] = [];
  private timeBefore = Number.NaN;

  constructor(
    private readonly write?: (line: string) => void,
    private readonly record?: (values: readonly (number | string)[]) => void,
  ) {}

  sample(nowS: number, s: ServicesController): void {
    const v = this.values;
    // A tick counts its arrivals as it starts: only between two rows on the ticks' boundaries are the
    // arrivals counted those of the time between them (none are written otherwise).
    const onTick = (x: number) => Math.abs(x / s.tickS - Math.round(x / s.tickS)) < 1e-9;
    const onTicks = onTick(nowS) && onTick(this.timeBefore);
    s.services.forEach((svc, i) => {
      const t = s.tallies[i];
      const set = s.sets[i];
      const f = t.last;
      v[0] = round6(nowS);
      v[1] = svc.name;
      v[2] = round6(t.lastRatePerS);
      v[3] = set.replicas;
      v[4] = set.ready.size;
      v[5] = round6(t.lastUsageCores);
      v[6] = round6(set.placedCpuMilli / 1000);
      v[7] = round6(f.meanS);
      v[8] = round6(s.lastQuantile(i));
      v[9] = round6(f.dropped / s.tickS);
      v[10] = round6(f.queued);
      v[11] = t.lastViolated ? 1 : 0;
      v[12] = round6(s.forecastPerS(i));
      v[13] = onTicks ? round6((t.arrivals - (this.arrivalsBefore[i] ?? 0)) / (nowS - this.timeBefore)) : Number.NaN;
      this.arrivalsBefore[i] = t.arrivals;
      this.write?.(csvLine(v));
      this.record?.(v);
    });
    this.timeBefore = nowS;
  }
}
