import type { ClusterState } from "@clustersim/hardware-models";
import type { BatchTier } from "../colocation/batch-tier.js";
import type { ColocationController } from "../colocation/colocation-controller.js";
import type { HardwareEffects } from "../effects/hardware-effects.js";
import type { GpuLoadCheckpoints } from "../observers/gpu-load-checkpoints.js";
import type { RunMetrics } from "../observers/run-metrics.js";
import { poolCount } from "../observers/usage-samplers.js";
import type { BatchLoop } from "../runs/batch/batch-loop.js";
import type { OnlineLoop } from "../runs/online/online-loop.js";
import type { ServicesController } from "../services/services-controller.js";
import type { NodeLoadForecast } from "../usage/node-load-forecast.js";
import type { UsageModel } from "../usage/usage-model.js";
import type { PlannedAssumption, RunPlan } from "./run-plan.js";

/** What a run's summary is read from: the plan and the parts the assembly built. */
export interface SummarySources {
  plan: RunPlan;
  metrics: RunMetrics;
  loop: OnlineLoop | BatchLoop;
  gpuLoads?: GpuLoadCheckpoints;
  effects?: HardwareEffects;
  services?: ServicesController;
  /** With services or co-location: what the nodes' CPU does. */
  usage?: UsageModel;
  /** The load-aware strategy's forecast of node usage and its account of placements. */
  nodeLoad?: NodeLoadForecast;
  /** Co-location's forecast of online usage, when its batch room is predicted. */
  reclaim?: NodeLoadForecast;
  colocated?: boolean;
  /** Co-location's batch tier and its controller (suppression's account), when enabled. */
  tier?: BatchTier;
  colocation?: ColocationController;
}

/** The run's summary.json figures, in their order, at simulated time `simTimeS` after `events` events. */
export function runSummary(s: SummarySources, simTimeS: number, events: number): Record<string, unknown> {
  const { plan, effects, services, usage } = s;
  const summary: Record<string, unknown> = {
    scheduler: plan.scheduler.name,
    simTimeS,
    events,
    ...s.metrics.summary(),
    // Work thrown away by node failures and preemptions, core-seconds.
    workLostCoreS: s.loop.counts.workLostCoreS ?? 0,
    ...(plan.scheduler.kind === "batch" &&
      plan.scheduler.runtime === "predicted" &&
      predictionMetrics(s.loop as BatchLoop)),
    ...s.gpuLoads?.summary(),
    ...hardwareMetrics(effects, plan.cluster.state, Math.max(simTimeS, 1e-9)),
    ...(usage && { cpuUsedFraction: usage.cpuUsedFraction(simTimeS) }),
    ...(services && servicesMetrics(services)),
    ...(usage && s.colocated && { batchTierCoreHours: usage.batchCoreHours(simTimeS) }),
    ...(s.tier && s.colocation && { batchCpuSuppressedShare: s.colocation.batchCpuSuppressedShare }),
    ...s.nodeLoad?.summary(),
    ...(s.reclaim && services && { batchReclaimUsageOverForecastShare: s.reclaim.usageOverForecastShare }),
    assumptions: assumptionsHeld(plan.assumptions, effects),
    notModelled: plan.scheduler.kind === "batch" ? ["hardware effects in batch runs", "autoscalers in batch runs"] : [],
  };
  // The bill is the nodes' and the serverless containers' together: in every run with services, so
  // that a run that used none (or could not: burst off) compares with one that did.
  if (typeof summary.serverlessCost === "number") {
    summary.costWithServerless = ((summary.cost as number | undefined) ?? 0) + summary.serverlessCost;
  }
  return summary;
}

/** Predicted run times: jobs started with a prediction short of their run, and the corrections made. */
function predictionMetrics(loop: BatchLoop): Record<string, number> {
  return { jobsUnderpredicted: loop.counts.underpredicted, runtimeCorrections: loop.counts.corrections };
}

/** The plan's assumptions that the run leaned on: those tied to a model only where the model was used. */
function assumptionsHeld(all: readonly PlannedAssumption[], e: HardwareEffects | undefined): string[] {
  const c = e?.counters;
  const used = {
    sandboxStarts: c !== undefined && c.coldStarts + c.warmStarts > 0,
    pooledTasks: c !== undefined && c.pooledTasks > 0,
    virtioTasks: c !== undefined && c.virtioTasks > 0,
  };
  return all.filter((a) => a.when === undefined || used[a.when]).map((a) => a.text);
}

/** The services' figures: totals over every service at the top (for sweeps and reports), then each service. */
function servicesMetrics(c: ServicesController): Record<string, unknown> {
  const per = c.summary();
  const sum = (k: string) => Object.values(per).reduce((s, x) => s + x[k], 0);
  const m = c.measuredTotals();
  const windows = c.windowSummary();
  const calls = c.callTotals();
  return {
    serviceSloViolationMinutes: sum("sloViolationMinutes"),
    // Over every service's requests after the warm-up: within the objective over served or dropped.
    serviceSloAttainment: m.answered > 0 ? m.within / m.answered : Number.NaN,
    serviceReplicaHours: sum("replicaHours"),
    serviceRequests: sum("requests"),
    serviceRequestsDropped: sum("requestsDropped"),
    serviceLatencyMeanS: m.served > 0 ? m.latencySumS / m.served : Number.NaN,
    serverlessCost: sum("serverlessCost"),
    ...memoryTotals(per),
    // With a call graph: calls retried and attempts timed out, after the warm-up, over every call edge;
    // the seconds the call edge that swung longest swung (call-edge-tally.ts, addSent; each edge's in
    // its caller's figures, callSwingS_<callee>).
    ...(calls && {
      serviceCallRetries: calls.retries,
      serviceCallTimeouts: calls.timeouts,
      serviceCallSwingS: calls.swingS,
    }),
    services: per,
    ...(Object.keys(windows).length > 0 && { serviceWindows: windows }),
  };
}

/** OOM kills and container restarts over the services whose memory is modelled; nothing when none is. */
function memoryTotals(per: Record<string, Record<string, number>>): Record<string, number> {
  const modelled = Object.values(per).filter((x) => x.oomKills !== undefined);
  if (modelled.length === 0) return {};
  return {
    serviceOomKills: modelled.reduce((s, x) => s + x.oomKills, 0),
    serviceContainerRestarts: modelled.reduce((s, x) => s + x.containerRestarts, 0),
  };
}

/** What the hardware models did, where they did anything. */
function hardwareMetrics(e: HardwareEffects | undefined, state: ClusterState, endS: number): Record<string, number> {
  if (!e) return {};
  const c = e.counters;
  const out: Record<string, number> = { runTimeStretchMean: c.placed > 0 ? c.stretchSum / c.placed : 1 };
  const starts = c.coldStarts + c.warmStarts;
  if (starts > 0) {
    out.coldStarts = c.coldStarts;
    out.coldStartRate = c.coldStarts / starts;
    out.startLatencyMeanS = c.startLatencySumS / starts;
    // What keeping sandboxes warm cost: the memory idle instances held, GiB-hours (0 without a warm pool).
    out.warmIdleMemoryGiBh = e.idleWarmMiBS(endS) / 1024 / 3600;
    // With a warm pool: the share of cold starts of the app at the 75th percentile ("Serverless in the
    // Wild" plots this against wasted memory: a hot app's warm starts do not hide the rare apps').
    const p75 = e.appColdStartRateQuantile(0.75);
    if (!Number.isNaN(p75)) out.appColdStartRateP75 = p75;
  }
  const pools = poolCount(state);
  if (pools > 0) {
    let capacity = 0;
    for (let p = 0; p < pools; p++) capacity += state.poolFreeMiB(p) + state.poolUsedMiB(p);
    out.cxlPoolAllocatedFraction = capacity > 0 ? e.pooledMiB.average(endS) / capacity : 0;
    out.cxlPooledTasks = c.pooledTasks;
    out.cxlSlowdownMean = c.pooledTasks > 0 ? c.cxlSlowdownSum / c.pooledTasks : 0;
  }
  return out;
}
