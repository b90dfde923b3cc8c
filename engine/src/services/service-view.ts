import type { LatencyModel } from "./latency/latency-model.js";
import type { ReplicaSet } from "./replica-set.js";
import type { ServiceView } from "./service-api.js";
import type { ServiceConfig } from "./service-config.js";
import type { ServiceTally } from "./service-figures.js";

/** What a service's view reads: its configuration, last tick, model and replicas (once the run started). */
export interface ViewSource {
  config: ServiceConfig;
  tickS: number;
  tally: ServiceTally;
  model(): LatencyModel | undefined;
  /** The replicas, undefined before the run starts. */
  set(): ReplicaSet | undefined;
  /** A node's group name ("serverless" for a virtual node). */
  groupOf(node: number): string;
}

/** A service as controllers see it and act on it (./service-api.ts), read as it stands when asked. */
export function serviceView(v: ViewSource): ServiceView {
  const s = v.config;
  const perS = (n: number) => n / v.tickS;
  const started = () => {
    const set = v.set();
    if (!set) throw new RangeError(`service ${s.name}: read before the run started`);
    return set;
  };
  const clamp = (n: number, set: ReplicaSet) => Math.min(set.maxReplicas, Math.max(set.minReplicas, n));
  return {
    name: s.name,
    slo: s.slo,
    get offeredPerS() {
      return perS(v.tally.last.arrivals);
    },
    get servedPerS() {
      return perS(v.tally.last.served);
    },
    get droppedPerS() {
      return perS(v.tally.last.dropped);
    },
    get queued() {
      return v.tally.last.queued;
    },
    latencyQuantileS: (q) => v.model()?.lastQuantile(q) ?? Number.NaN,
    get withinObjective() {
      const f = v.tally.last;
      return f.served > 0 ? f.withinTarget / f.served : Number.NaN;
    },
    get cpuUsedCores() {
      return v.tally.lastUsageCores;
    },
    get replicas() {
      const set = started();
      return { desired: set.replicas, pending: set.pending.size, starting: set.starting.size, ready: set.ready.size };
    },
    placement() {
      const out: Record<string, number> = {};
      for (const node of started().nodeOf.values()) {
        const group = v.groupOf(node);
        out[group] = (out[group] ?? 0) + 1;
      }
      return out;
    },
    get minReplicas() {
      return started().minReplicas;
    },
    get maxReplicas() {
      return started().maxReplicas;
    },
    scaleTo(n) {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`service ${s.name}: expected a whole number of replicas ≥ 0, found ${n}`);
      const set = started();
      set.scaleTo(clamp(n, set));
    },
    setBounds(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < Math.max(1, min))
        throw new RangeError(`service ${s.name}: expected whole bounds 0 ≤ min ≤ max, max ≥ 1, found ${min}, ${max}`);
      const set = started();
      set.minReplicas = min;
      set.maxReplicas = max;
      if (!s.autoscaler && !s.customAutoscaler) set.scaleTo(clamp(set.replicas, set));
    },
  };
}
