import { ReplayWriter } from "@clustersim/replay";
import { RandomStreams } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import { BatchTier } from "../colocation/batch-tier.js";
import { ColocationController } from "../colocation/colocation-controller.js";
import { ClusterAutoscaler } from "../controllers/cluster-autoscaler.js";
import type { Controller } from "../controllers/controller.js";
import { FaultController } from "../controllers/fault-controller.js";
import { HardwareEffects } from "../effects/hardware-effects.js";
import { round6 } from "../observers/csv.js";
import { GpuLoadCheckpoints } from "../observers/gpu-load-checkpoints.js";
import { InvariantChecker } from "../observers/invariant-checker.js";
import { ReplayRecorder } from "../observers/replay-recorder.js";
import { RunMetrics } from "../observers/run-metrics.js";
import { TaskLedger } from "../observers/task-ledger.js";
import { TaskRows } from "../observers/task-rows.js";
import { TimeSeriesRows } from "../observers/timeseries.js";
import { replayTotals, replayUsage, usageForEnergy } from "../observers/usage-samplers.js";
import { BatchLoop } from "../runs/batch/batch-loop.js";
import { OnlineLoop } from "../runs/online/online-loop.js";
import { Run, type RunOptions } from "../runs/run.js";
import { ServiceRows } from "../services/service-rows.js";
import { ServicesController } from "../services/services-controller.js";
import { NodeLoadController } from "../usage/node-load-controller.js";
import { NodeLoadForecast } from "../usage/node-load-forecast.js";
import { UsageModel } from "../usage/usage-model.js";
import { replayHeader } from "./replay-header.js";
import type { OnlinePlan, RunPlan } from "./run-plan.js";
import { runSummary, type SummarySources } from "./run-summary.js";

/** Where a run's outputs go as they happen: each callback is optional, and absent ones cost nothing. */
export interface RunSinks {
  /** One CSV line per task (TASK_CSV_HEADER): finished ones as they finish, the rest at the end. */
  onTaskRow?(line: string): void;
  /** One JSON line per scheduling decision, when the plan asks for decision records. */
  onDecision?(line: string): void;
  /** One CSV line per time-series sample (TIMESERIES_CSV_HEADER): the cluster, then each node group. */
  onTimeseriesRow?(line: string): void;
  /** The same rows as typed values (TASK_COLUMNS, TIMESERIES_COLUMNS; NaN where the CSV is empty), for Parquet. */
  onTaskValues?(values: readonly (number | string)[]): void;
  onTimeseriesValues?(values: readonly (number | string)[]): void;
  /** With services: one CSV line per service and sample (SERVICE_CSV_HEADER), and the same as typed values. */
  onServiceRow?(line: string): void;
  onServiceValues?(values: readonly (number | string)[]): void;
  /** With `outputs.replay`: the replay file's lines (@clustersim/replay), header first, then events in time order. */
  onReplayLine?(line: string): void;
  /** Called at each sample with simulated time and events so far: for a progress display only. */
  onProgress?(simTimeS: number, durationS: number, events: number): void;
  /** Check the run's invariants after every event (InvariantChecker); a violation stops the run. */
  check?: boolean;
  /** With `check`: the last plug-in call made, named in a violation's message (the likeliest culprit). */
  lastPluginCall?(): string | undefined;
}

/** A run put together from its plan, and its summary once it ran (or at any point of it). */
export interface AssembledRun {
  run: Run;
  summary(): Record<string, unknown>;
}

/** The online parts of a run: its loop and what runs beside it. */
interface OnlineParts {
  loop: OnlineLoop;
  effects: HardwareEffects;
  tier?: BatchTier;
  services?: ServicesController;
  colocation?: ColocationController;
  usage?: UsageModel;
  /** The load-aware strategy's forecast of node usage, when it asked for one. */
  nodeLoad?: NodeLoadForecast;
  /** Co-location's forecast of online usage, when its batch room is predicted. */
  reclaim?: NodeLoadForecast;
  colocated: boolean;
  /** What reads the services at each sample (rows, replay), filled in by the observers. */
  serviceSamples: ((nowS: number, s: ServicesController) => void)[];
  controllers: Controller[];
}

/**
 * The engine's side of a scenario: from a compiled plan to a run's loop, controllers, effects and
 * observers, each built once and in a fixed order (controllers start in that order: faults, the
 * Cluster Autoscaler, services, the load-aware strategy's usage samples, co-location, users' controllers). `construct` makes the run from its options
 * (controllers start then): a caller guarding plug-ins wraps it in its time limit.
 */
export function assembleRun(
  plan: RunPlan,
  sinks: RunSinks = {},
  construct: (options: RunOptions) => Run = (o) => new Run(o),
): AssembledRun {
  const streams = new RandomStreams(plan.seed);
  const state = plan.cluster.state;
  const s = plan.scheduler;
  const online = s.kind === "online" ? onlineParts(s, plan, streams) : undefined;
  const loop =
    s.kind === "online"
      ? online!.loop
      : new BatchLoop({
          placement: s.placement(streams.get("scheduler")),
          policy: s.policy,
          backfill: s.backfill,
          runtime: s.runtime,
          backfillOrder: s.backfillOrder,
        });
  const controllers: Controller[] = [];
  if (plan.faults)
    controllers.push(new FaultController(plan.cluster.domains, plan.faults.failures, plan.faults.outages));
  // Users' controllers start after the built-in ones: they see the services and may act on them.
  controllers.push(...(online?.controllers ?? []), ...plan.controllers);

  const ledger = new TaskLedger();
  const metrics = new RunMetrics(state, ledger, plan.economics);
  const sources: SummarySources = { plan, metrics, loop, ...online };
  const listeners = observers(plan, sinks, ledger, sources, online);
  const options: RunOptions = {
    cluster: state,
    tasks: plan.tasks(),
    loop,
    seed: plan.seed,
    untilS: plan.durationS,
    sampleEveryS: plan.outputs.timeseriesIntervalS,
    listeners,
    controllers,
    groups: { names: plan.cluster.groups, nodeGroup: plan.cluster.nodeGroup },
    services: online?.services?.views,
  };
  let run: Run | undefined;
  if (sinks.onProgress) {
    const progress = sinks.onProgress;
    listeners.push({ sample: (now) => progress(now, plan.durationS, run?.sim.eventsProcessed ?? 0) });
  }
  run = construct(options);
  const built = run;
  return { run, summary: () => runSummary(sources, built.nowS, built.sim.eventsProcessed) };
}

/** The online loop with its effects, serverless burst, preemption, batch tier, services and co-location. */
function onlineParts(s: OnlinePlan, plan: RunPlan, streams: RandomStreams): OnlineParts {
  const state = plan.cluster.state;
  let nodeLoad: NodeLoadForecast | undefined;
  const placement = s.placement(streams.get("scheduler"), (o) => {
    nodeLoad = new NodeLoadForecast(state, o);
    return nodeLoad;
  });
  placement.record = plan.outputs.decisions;
  const effects = new HardwareEffects({ ...s.hardware, cluster: state, streams });
  const bursting = s.services?.bursting ?? new Set<string>();
  const burst =
    s.virtualNodes.size > 0 && bursting.size > 0
      ? { nodes: [...s.virtualNodes.keys()], allowed: (t: Task) => t.service !== undefined && bursting.has(t.service) }
      : undefined;
  const tier = s.colocation?.tier && new BatchTier(state, s.colocation.tier);
  const loop = new OnlineLoop({
    strategy: placement,
    queue: s.queue,
    effects,
    burst,
    preemption: s.preemption && { ...s.preemption, rng: streams.get("preemption") },
    batchTier: tier,
    userStrategy: s.userStrategy,
  });
  const controllers: Controller[] = s.clusterAutoscaler ? [new ClusterAutoscaler(s.clusterAutoscaler)] : [];
  const serviceSamples: OnlineParts["serviceSamples"] = [];
  // Services slow by the interference that co-location measures, and co-location reads the services' usage.
  let colocation: ColocationController | undefined;
  const services =
    s.services &&
    new ServicesController([...s.services.configs], {
      onSample: (now, svc) => {
        for (const f of serviceSamples) f(now, svc);
      },
      virtualNodes: s.virtualNodes,
      tickS: s.services.tickS,
      warmupS: s.services.warmupS,
      windows: s.services.windows,
      interference: s.colocation && ((node) => colocation!.slowdown(node)),
      machine: effects,
    });
  if (services) controllers.push(services);
  // One owner of what the nodes' CPU does (a listener, sampled with the run's samples).
  const usage = services || s.colocation || nodeLoad ? new UsageModel(state, { services, tier }) : undefined;
  if (nodeLoad) controllers.push(new NodeLoadController(nodeLoad, usage!, { services, tier }));
  // Co-location's batch room from predicted online usage: a forecast of its own, sampled alike.
  const reclaim = tier?.o.reclaim && new NodeLoadForecast(state, tier.o.reclaim);
  if (reclaim) {
    tier!.predictOnline = (node, horizonS) => reclaim.onlineCpuMilli(node, horizonS);
    controllers.push(new NodeLoadController(reclaim, usage!, { services, tier }));
  }
  if (s.colocation) {
    colocation = new ColocationController({
      tier,
      usage: usage!,
      interferencePerUsage: s.colocation.interferencePerUsage,
    });
    controllers.push(colocation);
  }
  return {
    loop,
    effects,
    tier,
    services,
    colocation,
    usage,
    nodeLoad,
    reclaim,
    colocated: !!s.colocation,
    serviceSamples,
    controllers,
  };
}

/** The run's listeners in their order: the checker, the ledger and metrics, then each output asked for. */
function observers(
  plan: RunPlan,
  sinks: RunSinks,
  ledger: TaskLedger,
  sources: SummarySources,
  online: OnlineParts | undefined,
): RunListener[] {
  const state = plan.cluster.state;
  const { metrics, services, usage } = sources;
  const tier = online?.tier;
  const listeners: RunListener[] = [ledger, metrics];
  if (usage) listeners.push(usage);
  // Energy follows usage where usage is known (service replicas, co-located batch pods).
  if (services || tier) listeners.push(usageForEnergy(metrics, state, usage!));
  if (sinks.check) listeners.unshift(new InvariantChecker(state, undefined, sinks.lastPluginCall));
  const gpu = plan.outputs.arrivedGpuLoads;
  if (gpu) {
    sources.gpuLoads = new GpuLoadCheckpoints(state, gpu.loads, gpu.typical);
    listeners.push(sources.gpuLoads);
  }
  if ((sinks.onTaskRow || sinks.onTaskValues) && plan.outputs.tasks) {
    listeners.push(new TaskRows(ledger, sinks.onTaskRow, sinks.onTaskValues));
  }
  const { groups, nodeGroup } = plan.cluster;
  if (sinks.onTimeseriesRow || sinks.onTimeseriesValues) {
    listeners.push(new TimeSeriesRows(state, [...groups], ledger, sinks.onTimeseriesRow, sinks.onTimeseriesValues));
  }
  if (online && services && (sinks.onServiceRow || sinks.onServiceValues)) {
    const rows = new ServiceRows(sinks.onServiceRow, sinks.onServiceValues);
    online.serviceSamples.push((now, s) => rows.sample(now, s));
  }
  if (plan.outputs.replay && sinks.onReplayLine) {
    const w = new ReplayWriter(sinks.onReplayLine);
    const hasVirtual = plan.scheduler.kind === "online" && plan.scheduler.virtualNodes.size > 0;
    w.header(replayHeader(plan));
    listeners.push(new ReplayRecorder(w));
    listeners.push(replayUsage(w, state, services || tier ? usage : undefined));
    listeners.push(replayTotals(w, state, nodeGroup, plan.economics, online?.effects, services));
    online?.serviceSamples.push((now, svc) =>
      svc.services.forEach((_, i) => {
        const t = svc.tallies[i];
        w.service(
          now,
          i,
          round6(t.lastRatePerS),
          svc.sets[i].replicas,
          svc.sets[i].ready.size,
          round6(svc.lastQuantile(i)),
          t.lastViolated,
          hasVirtual ? svc.replicasOnVirtual(i) : undefined,
        );
        const forecast = round6(svc.forecastPerS(i));
        if (Number.isFinite(forecast)) w.forecast(now, i, forecast);
      }),
    );
  }
  const decisions = sinks.onDecision;
  if (decisions && plan.outputs.decisions) {
    listeners.push({ decision: (t, rec, now) => decisions(JSON.stringify({ timeS: now, task: t.id, ...rec })) });
  }
  return listeners;
}
