import type { ServiceHpa } from "./autoscaling/service-hpa.js";
import type { ServiceVpa } from "./autoscaling/service-vpa.js";
import type { CallEdgeTally } from "./call-edge-tally.js";
import type { ReplicaMemory } from "./replica-memory.js";
import type { ReplicaSet } from "./replica-set.js";
import type { ServiceConfig } from "./service-config.js";
import type { MeasureWindow, ServiceTally, WindowTally } from "./service-figures.js";

/** What a run's service figures are read from: the services controller's state, service by service. */
export interface ReportedServices {
  services: readonly ServiceConfig[];
  sets: readonly ReplicaSet[];
  /** Each service's windows: the run's first, then the named ones. */
  windows: readonly (readonly WindowTally[])[];
  tallies: readonly ServiceTally[];
  callEdges: CallEdgeTally;
  scaling: readonly (ServiceHpa | undefined)[];
  vertical: readonly (ServiceVpa | undefined)[];
  memory: readonly (ReplicaMemory | undefined)[];
}

/** Per service, by name: its totals over the run, and its latency and objective after the warm-up. */
export function serviceSummary(r: ReportedServices): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  r.services.forEach((s, i) => {
    const set = r.sets[i];
    const predictive = r.scaling[i]?.predictive;
    const vertical = r.vertical[i];
    out[s.name] = {
      ...r.windows[i][0].summary(),
      ...r.tallies[i].summary(),
      ...r.callEdges.criticalPathShares(i),
      ...r.callEdges.callFigures(i),
      ...(predictive && { forecastError: predictive.weightedError }),
      scaleUps: set.scaleUps,
      scaleDowns: set.scaleDowns,
      replicasAtEnd: set.replicas,
      ...(s.vpa && {
        vpaRestarts: set.restarts,
        vpaInPlaceResizes: vertical?.inPlaceResizes ?? 0,
        vpaInPlaceFallbacks: vertical?.inPlaceFallbacks ?? 0,
        cpuRequestMilliAtEnd: set.template.cpuMilli,
        vpaTargetMilli: vertical?.last?.targetMilli ?? Number.NaN,
      }),
      ...r.memory[i]?.summary(),
    };
  });
  return out;
}

/** Every service's requests after the warm-up, added up: served, answered (served or dropped), within the objective. */
export function measuredTotals(windows: readonly (readonly WindowTally[])[]): {
  served: number;
  answered: number;
  within: number;
  latencySumS: number;
} {
  const t = { served: 0, answered: 0, within: 0, latencySumS: 0 };
  for (const [run] of windows) {
    t.served += run.served;
    t.answered += run.served + run.dropped;
    t.within += run.within;
    t.latencySumS += run.latencySumS;
  }
  return t;
}

/** Per named window, per service: its requests, latency and objective within the window. */
export function windowSummary(
  services: readonly ServiceConfig[],
  windows: readonly (readonly WindowTally[])[],
  named: readonly MeasureWindow[],
): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  for (const [k, w] of named.entries()) {
    const per: Record<string, Record<string, number>> = {};
    services.forEach((s, i) => {
      per[s.name] = windows[i][k + 1].summary();
    });
    out[w.name] = per;
  }
  return out;
}
