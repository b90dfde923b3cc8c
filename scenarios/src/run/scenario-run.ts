import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type AdvanceStatus,
  BatchLoop,
  BatchTier,
  ClusterAutoscaler,
  ColocationController,
  type Controller,
  FaultController,
  GpuLoadCheckpoints,
  type GroupEconomics,
  HardwareEffects,
  InvariantChecker,
  KOORDINATOR_DEFAULTS,
  type LearnedQueuePolicy,
  OnlineLoop,
  ReplayRecorder,
  Run,
  type RunListener,
  RunMetrics,
  type RunOptions,
  round6,
  type SchedulingLoop,
  ServiceRows,
  ServicesController,
  StrategyError,
  TaskLedger,
  TaskRows,
  TimeSeriesRows,
  UnknownRuntimeError,
  type VirtualNode,
} from "@clustersim/engine";
import { type ClusterState, DEFAULT_POWER, meanGpuPower } from "@clustersim/hardware-models";
import { ReplayWriter } from "@clustersim/replay";
import {
  type BatchPolicyName,
  createPlacement,
  kernelAgent,
  kernelQueueScore,
  type PlacementStrategy,
  type Pod,
  placementAgent,
  strategy as registered,
  type StrategyEntry,
  typicalPods,
} from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type DistSpec, sampler, type Task } from "@clustersim/workloads";
import { type ComposedCluster, composeCluster } from "../compose/cluster.js";
import { hardwareConfig } from "../compose/hardware.js";
import { PluginTimeout, PluginWatchdog } from "../compose/plugin-watchdog.js";
import { composeServices } from "../compose/services.js";
import { loadUserController } from "../compose/user-controller.js";
import { checkUserParams, loadUserStrategy } from "../compose/user-strategy.js";
import { composeWorkload } from "../compose/workload.js";
import { SpecError } from "../spec/load-spec.js";
import type { ScenarioSpec } from "../spec/schema.js";
import { assumptionsUsed } from "./assumptions.js";

/**
 * A scenario file run end to end: its cluster, its workload (streamed), its scheduler (a placement
 * strategy in the online loop, or a queue policy in the batch loop), its faults and controllers, until
 * its duration. Metrics and every output are subscribers of the run's events (engine/src/observers);
 * output lines go to callbacks as they happen, so the caller can stream them to files.
 *
 * Online runs apply the hardware models (./hardware-effects.ts: sandbox runtimes, CXL pools, NIC and
 * DPU) and faults; batch runs do not yet, and the summary says so.
 */
export interface ScenarioRunOptions {
  seed?: number;
  /** One CSV line per task (TASK_CSV_HEADER): finished ones as they finish, the rest at the end. */
  onTaskRow?(line: string): void;
  /** One JSON line per scheduling decision, when the scenario asks for decision records. */
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
  /**
   * Step the run in slices of this many simulated seconds instead of in one go (the results are the
   * same: a check of the steppable run, and a way to interleave other work).
   */
  stepS?: number;
  /** Check the run's invariants after every event (engine's InvariantChecker); a violation stops the run. */
  check?: boolean;
  /**
   * Seconds a plug-in may take to load, and each event of a run with plug-ins (every plug-in call is
   * part of one event); beyond it the run stops with an error naming the plug-in and the task.
   * Default DEFAULT_PLUGIN_TIME_LIMIT_S.
   */
  pluginTimeLimitS?: number;
}

export interface ScenarioRunResult {
  summary: Record<string, unknown>;
  events: number;
  wallS: number;
}

/** How many leading tasks a strategy that learns the workload's shape (FGD) may look at. */
const WORKLOAD_SAMPLE = 100_000;

export async function runScenario(
  spec: ScenarioSpec,
  file: string,
  o: ScenarioRunOptions = {},
): Promise<ScenarioRunResult> {
  const baseDir = dirname(file);
  const seed = o.seed ?? spec.seed;
  const sched = spec.scheduler;
  let entry: StrategyEntry = registered(sched.name)!;
  // User code (a strategy or controller plug-in) runs under a time limit, and may not end the process.
  const plugins = sched.plugin !== undefined || spec.controllers.length > 0;
  const watchdog = plugins ? new PluginWatchdog(o.pluginTimeLimitS) : undefined;
  if (sched.plugin !== undefined) {
    entry = await loadUserStrategy(sched.plugin, baseDir, file, sched.name, watchdog!.limitS);
    checkUserParams(entry, sched.params, file);
  }
  const controllers: Controller[] = [];
  for (const [i, c] of spec.controllers.entries()) {
    controllers.push(await loadUserController(c.plugin, c.params, baseDir, `${file}: controllers[${i}]`, watchdog));
  }
  const cluster = await composeCluster(spec, baseDir);
  const state = cluster.state;
  const streams = new RandomStreams(seed);
  const tasks = () => composeWorkload(spec, { baseDir, seed });
  const batch = entry.kind === "queue";
  /** The workload's first tasks, for what learns its shape (FGD; the GPU fragmentation measure). */
  let workload: Pod[] | undefined;
  const sampleWorkload = async () => {
    const sample: Pod[] = [];
    for await (const t of tasks()) {
      sample.push(t as Pod);
      if (sample.length >= WORKLOAD_SAMPLE) break;
    }
    return sample;
  };

  const virtualNodes = virtualNodesOf(spec, cluster);
  let loop: SchedulingLoop;
  let online: OnlineLoop | undefined;
  let batchLoop: BatchLoop | undefined;
  let batchTier: BatchTier | undefined;
  let effects: HardwareEffects | undefined;
  if (batch) {
    const params = entry.params.parse(sched.params) as {
      backfill: "none" | "easy";
      placement: string;
      checkpoint?: string;
    };
    const placement = createPlacement(params.placement, {}, { rng: streams.get("scheduler") });
    const policy =
      params.checkpoint === undefined
        ? (sched.name as BatchPolicyName)
        : learnedPolicy(params.checkpoint, baseDir, file, state);
    batchLoop = new BatchLoop({ placement, policy, backfill: params.backfill === "easy" });
    loop = batchLoop;
  } else {
    if (sched.name === "fgd" || sched.name === "rl-placement") workload = await sampleWorkload();
    const ctx = {
      rng: streams.get("scheduler"),
      workload: workload ?? [],
      ...(sched.name === "rl-placement" && {
        placementAgent: readAgent(sched.params?.checkpoint, baseDir, file, placementAgent),
      }),
    };
    const create = () => entry.create!(entry.params.parse(sched.params ?? {}), ctx);
    const placement = watchdog ? userStrategy(watchdog, create, `"${sched.name}" (${sched.plugin})`, file) : create();
    placement.record = spec.outputs.decisions;
    effects = new HardwareEffects(hardwareConfig(spec, cluster, streams));
    const bursting = new Set(spec.services.filter((x) => x.replica.burst).map((x) => x.name));
    const burst =
      virtualNodes.size > 0 && bursting.size > 0
        ? { nodes: [...virtualNodes.keys()], allowed: (t: Task) => t.service !== undefined && bursting.has(t.service) }
        : undefined;
    const pre = sched.preemption;
    const preemption = pre.enabled
      ? { victims: pre.victims, checkpointIntervalS: pre.checkpointInterval, rng: streams.get("preemption") }
      : undefined;
    const colo = spec.colocation;
    if (colo?.enabled) {
      batchTier = new BatchTier(state, {
        ...KOORDINATOR_DEFAULTS,
        cpuReclaimPercent: colo.cpuReclaimPercent,
        memoryReclaimPercent: colo.memoryReclaimPercent,
        cpuSuppressPercent: colo.cpuSuppressPercent,
      });
    }
    online = new OnlineLoop({
      strategy: placement,
      queue: sched.queue,
      effects,
      burst,
      preemption,
      batchTier,
      userStrategy: sched.plugin === undefined ? undefined : `"${sched.name}" (${sched.plugin})`,
    });
    loop = online;
    for (const a of spec.autoscalers) controllers.push(clusterAutoscaler(a, spec, cluster, file));
  }
  // Faults in both kinds of run: a failed node's tasks are killed and resubmitted.
  if (spec.faults.length > 0) controllers.unshift(faultController(spec, cluster));
  let services: ServicesController | undefined;
  /** What reads the services at each sample: their time-series rows, the replay. */
  const serviceSamples: ((nowS: number, s: ServicesController) => void)[] = [];
  if (spec.services.length > 0) {
    if (batch) {
      throw new SpecError([
        `${file}: services: expected an online scheduler (services run in the online loop), found the batch policy "${sched.name}"`,
      ]);
    }
    const rows = o.onServiceRow || o.onServiceValues ? new ServiceRows(o.onServiceRow, o.onServiceValues) : undefined;
    if (rows) serviceSamples.push((now, s) => rows.sample(now, s));
    services = new ServicesController(await composeServices(spec.services, file, baseDir, spec.duration), {
      onSample: (now, s) => {
        for (const f of serviceSamples) f(now, s);
      },
      virtualNodes,
      tickS: spec.serviceTick,
      interference: spec.colocation && ((node) => colocation!.slowdown(node)),
    });
    controllers.push(services);
  }
  let colocation: ColocationController | undefined;
  if (spec.colocation) {
    if (batch) {
      throw new SpecError([
        `${file}: colocation: expected an online scheduler, found the batch policy "${sched.name}"`,
      ]);
    }
    colocation = new ColocationController({
      tier: batchTier,
      services,
      interferencePerUsage: spec.colocation.interference,
    });
    controllers.push(colocation);
  }

  const ledger = new TaskLedger();
  const economics: GroupEconomics[] = cluster.groups.map((_, g) => {
    const power = spec.cluster.nodeGroups?.[g]?.power ?? DEFAULT_POWER;
    const gpu = gpuPowerOfGroup(state, cluster.nodeGroup, g);
    return {
      idleW: power.idleW,
      peakW: power.peakW,
      gpuIdleW: power.gpuIdleW ?? gpu.idleW,
      gpuPeakW: power.gpuPeakW ?? gpu.peakW,
      perNodeHour: spec.cluster.nodeGroups?.[g]?.price?.perNodeHour,
    };
  });
  const metrics = new RunMetrics(state, ledger, economics);
  const listeners: RunListener[] = [ledger, metrics];
  // Energy follows usage where usage is known (service replicas, co-located batch pods).
  if (services || batchTier) listeners.push(usageForEnergy(metrics, state, services, batchTier));
  if (o.check) listeners.unshift(new InvariantChecker(state));
  let gpuLoads: GpuLoadCheckpoints | undefined;
  if (state.totals(-1).capacityGpuMilli > 0 && spec.outputs.arrivedGpuLoads.length > 0) {
    workload ??= await sampleWorkload();
    gpuLoads = new GpuLoadCheckpoints(state, spec.outputs.arrivedGpuLoads, typicalPods(workload));
    listeners.push(gpuLoads);
  }
  if ((o.onTaskRow || o.onTaskValues) && spec.outputs.tasks) {
    listeners.push(new TaskRows(ledger, o.onTaskRow, o.onTaskValues));
  }
  if (o.onTimeseriesRow || o.onTimeseriesValues) {
    listeners.push(new TimeSeriesRows(state, cluster.groups, ledger, o.onTimeseriesRow, o.onTimeseriesValues));
  }
  if (spec.outputs.replay && o.onReplayLine) {
    const w = new ReplayWriter(o.onReplayLine);
    w.header({
      scenario: spec.name ?? file,
      seed,
      scheduler: sched.name,
      durationS: spec.duration,
      groups: cluster.groups,
      nodes: Array.from({ length: state.nodeCount }, (_, n) => [
        cluster.nodeGroup[n],
        state.allocatableCpuMilli(n),
        state.allocatableMemoryMiB(n),
        state.gpuCount(n),
        state.isPresent(n) ? 1 : 0,
      ]),
      ...domainsOf(cluster),
      ...poolCapacities(state),
      ...(spec.services.length > 0 && {
        services: spec.services.map((x) => [x.name, x.slo.percentile / 100, x.slo.target] as [string, number, number]),
      }),
    });
    listeners.push(new ReplayRecorder(w));
    listeners.push(usageRecorder(w, state, services, batchTier));
    listeners.push(totalsRecorder(w, state, cluster, economics, effects, services));
    serviceSamples.push((now, svc) =>
      svc.services.forEach((_, i) => {
        const t = svc.tallies[i];
        const set = svc.sets[i];
        w.service(
          now,
          i,
          round6(t.lastRatePerS),
          set.replicas,
          set.ready.size,
          round6(t.last.quantileS),
          t.lastViolated,
        );
      }),
    );
  }
  const decisions = o.onDecision;
  if (decisions && spec.outputs.decisions) {
    listeners.push({ decision: (t, rec, now) => decisions(JSON.stringify({ timeS: now, task: t.id, ...rec })) });
  }
  let run: Run | undefined;
  if (o.onProgress) {
    const progress = o.onProgress;
    listeners.push({ sample: (now) => progress(now, spec.duration, run!.sim.eventsProcessed) });
  }
  const runOptions: RunOptions = {
    cluster: state,
    tasks: tasks(),
    loop,
    seed,
    untilS: spec.duration,
    sampleEveryS: spec.outputs.timeseriesInterval,
    listeners,
    controllers,
    groups: { names: cluster.groups, nodeGroup: cluster.nodeGroup },
  };
  if (plugins) guardExit(1);
  try {
    // Controllers start in the constructor: under the time limit too.
    run = watchdog ? watchdog.within(() => new Run(runOptions)) : new Run(runOptions);
    const r = run;
    const until = async (t?: number) => (watchdog ? driveWithin(r, watchdog, t) : r.runUntil(t));
    if (o.stepS !== undefined && o.stepS > 0) {
      for (let t = o.stepS; !run.isEnded; t += o.stepS) await until(t);
    } else await until();
  } catch (err) {
    if (err instanceof UnknownRuntimeError || err instanceof StrategyError || err instanceof PluginTimeout)
      throw new SpecError([`${file}: ${err.message}`]);
    throw err;
  } finally {
    if (plugins) guardExit(-1);
  }

  const simTimeS = run.nowS;
  const events = run.sim.eventsProcessed;
  const summary: Record<string, unknown> = {
    scheduler: sched.name,
    simTimeS,
    events,
    ...metrics.summary(),
    // Work thrown away by node failures and preemptions, core-seconds.
    workLostCoreS: (online ?? batchLoop)?.counts.workLostCoreS ?? 0,
    ...gpuLoads?.summary(),
    ...hardwareMetrics(effects, state, Math.max(simTimeS, 1e-9)),
    ...(services && servicesMetrics(services)),
    ...(colocation && {
      cpuUsedFraction: colocation.cpuUsedFraction(),
      batchTierCoreHours: colocation.batchCoreHours(),
    }),
    assumptions: assumptionsUsed(spec, effects?.counters),
    notModelled: batch ? ["hardware effects in batch runs", "autoscalers in batch runs"] : [],
  };
  // With serverless containers, the bill is the nodes' and the containers' together.
  if (typeof summary.serverlessCost === "number" && summary.serverlessCost > 0) {
    summary.costWithServerless = ((summary.cost as number | undefined) ?? 0) + summary.serverlessCost;
  }

  return { summary, events, wallS: run.wallSeconds };
}

/**
 * The scenario's faults as a controller: independent node failures (per node group or all nodes) and
 * scheduled outages of racks, CXL pools or DPUs (`index` counts the domains of that kind).
 */
function faultController(spec: ScenarioSpec, cluster: ComposedCluster): FaultController {
  const failures: ConstructorParameters<typeof FaultController>[1][number][] = [];
  const outages: ConstructorParameters<typeof FaultController>[2][number][] = [];
  spec.faults.forEach((f, i) => {
    if (f.type === "node-failures") {
      const g = f.nodeGroup === undefined ? -1 : cluster.groups.indexOf(f.nodeGroup);
      if (f.nodeGroup !== undefined && g < 0) {
        throw new SpecError([
          `faults[${i}].nodeGroup: expected one of ${cluster.groups.join(", ")}, found "${f.nodeGroup}"`,
        ]);
      }
      const nodes =
        g < 0
          ? undefined
          : Array.from({ length: cluster.state.nodeCount }, (_, n) => n).filter((n) => cluster.nodeGroup[n] === g);
      const model = { mtbfS: f.mtbf, mttrS: f.mttr, distribution: f.distribution, shape: f.weibullShape };
      failures.push({ model, nodes, stream: `${i}` });
    } else {
      const ofKind = cluster.domains.map((d, k) => [d, k] as const).filter(([d]) => d.kind === f.domain);
      if (ofKind.length === 0) {
        throw new SpecError([
          `faults[${i}].domain: the cluster has no ${f.domain} domains (racks come from nodesPerRack, pools from cxlPool)`,
        ]);
      }
      if (f.index >= ofKind.length) {
        throw new SpecError([
          `faults[${i}].index: expected a ${f.domain} index in 0..${ofKind.length - 1}, found ${f.index}`,
        ]);
      }
      outages.push({ domain: ofKind[f.index][1], atS: f.at, repairS: f.repair });
    }
  });
  return new FaultController(cluster.domains, failures, outages);
}

/**
 * At every sample, into the replay: cold starts so far, and the bill so far: each priced node group's
 * nodes present (not virtual) at the sample, at its hourly price, times the time since the last sample,
 * plus the serverless containers' bill.
 */
function totalsRecorder(
  w: ReplayWriter,
  state: ComposedCluster["state"],
  cluster: ComposedCluster,
  economics: readonly GroupEconomics[],
  effects: HardwareEffects | undefined,
  services: ServicesController | undefined,
): RunListener {
  let lastS = 0;
  let nodeCost = 0;
  return {
    sample(now) {
      for (let g = 0; g < cluster.groups.length; g++) {
        const price = economics[g]?.perNodeHour;
        if (price === undefined) continue;
        let present = 0;
        for (let n = 0; n < state.nodeCount; n++) {
          if (cluster.nodeGroup[n] === g && state.isPresent(n) && !state.isVirtual(n)) present++;
        }
        nodeCost += (present * price * (now - lastS)) / 3600;
      }
      lastS = now;
      let serverless = 0;
      if (services) for (const t of services.tallies) serverless += t.serverlessCost;
      w.totals(now, effects?.counters.coldStarts ?? 0, round6(nodeCost + serverless));
    },
  };
}

/** The CXL pools' capacities, for the replay (absent without pools). */
function poolCapacities(state: ComposedCluster["state"]): { poolCapacityMiB?: number[] } {
  let pools = 0;
  for (let n = 0; n < state.nodeCount; n++) pools = Math.max(pools, state.poolOf(n) + 1);
  if (pools === 0) return {};
  return { poolCapacityMiB: Array.from({ length: pools }, (_, p) => state.poolFreeMiB(p) + state.poolUsedMiB(p)) };
}

/**
 * At every sample, tell the metrics how the nodes' CPU usage differs from their allocation (service
 * replicas at their traffic's usage, co-located batch pods at their rate), per node group, so that
 * power follows usage. Usage is read at each sample (outputs.timeseriesInterval) and held until the
 * next: energy integrates it at that resolution. Each node's utilisation stays within 0 and 1 (or its
 * allocation, where overcommitted).
 */
function usageForEnergy(
  metrics: RunMetrics,
  state: ComposedCluster["state"],
  services: ServicesController | undefined,
  tier: BatchTier | undefined,
): RunListener {
  const n = state.nodeCount;
  const delta = new Float64Array(n);
  const byGroup = new Float64Array(Math.max(1, state.groupCount));
  return {
    sample(now) {
      delta.fill(0);
      services?.addUsageDelta(delta);
      byGroup.fill(0);
      for (let i = 0; i < n; i++) {
        const cap = state.allocatableCpuMilli(i);
        if (!(cap > 0) || !state.isUp(i)) continue;
        const extra = delta[i] + (tier ? tier.usedOn(i) : 0);
        if (extra === 0) continue;
        const allocated = (cap - state.freeCpuMilli(i)) / cap;
        const used = Math.min(Math.max(allocated + extra / cap, 0), Math.max(1, allocated));
        byGroup[state.groupCount === 0 ? 0 : state.groupOf(i)] += used - allocated;
      }
      metrics.setUsage(now, byGroup);
    },
  };
}

/**
 * At every sample, into the replay: each node's CPU in use where it differs from its allocation
 * (service replicas at their traffic's usage, co-located batch pods at their rate) when it moved by
 * over 1% of the node since last written, and each CXL pool's use when it changed.
 */
function usageRecorder(
  w: ReplayWriter,
  state: ComposedCluster["state"],
  services: ServicesController | undefined,
  tier: BatchTier | undefined,
): RunListener {
  const n = state.nodeCount;
  const written = new Float64Array(n).fill(Number.NaN);
  const usage = new Float64Array(n);
  let pools = 0;
  for (let i = 0; i < n; i++) pools = Math.max(pools, state.poolOf(i) + 1);
  const poolWritten = new Float64Array(pools);
  return {
    sample(now) {
      if (services || tier) {
        usage.fill(0);
        services?.addUsageDelta(usage);
        for (let i = 0; i < n; i++) {
          const allocated = state.allocatableCpuMilli(i) - state.freeCpuMilli(i);
          const used = Math.round(allocated + usage[i] + (tier ? tier.usedOn(i) : 0));
          const last = written[i];
          const moved = Number.isNaN(last)
            ? used !== allocated
            : Math.abs(used - last) > 0.01 * state.allocatableCpuMilli(i);
          if (moved) {
            written[i] = used;
            w.usage(now, i, used);
          }
        }
      }
      for (let p = 0; p < pools; p++) {
        const used = state.poolUsedMiB(p);
        if (used !== poolWritten[p]) {
          poolWritten[p] = used;
          w.pool(now, p, used);
        }
      }
    },
  };
}

/** Each node's rack and CXL pool, for the replay (absent where the cluster has none). */
function domainsOf(cluster: ComposedCluster): { racks?: number[]; pools?: number[] } {
  const n = cluster.state.nodeCount;
  const out: { racks?: number[]; pools?: number[] } = {};
  for (const [kind, key] of [
    ["rack", "racks"],
    ["cxl-pool", "pools"],
  ] as const) {
    const of = new Array<number>(n).fill(-1);
    let k = 0;
    for (const d of cluster.domains) {
      if (d.kind !== kind) continue;
      for (const node of d.nodes) of[node] = k;
      k++;
    }
    if (k > 1) out[key] = of;
  }
  return out;
}

/**
 * The queue order of a trained agent named by `scheduler.params.checkpoint` (rl-kernel): its processors
 * feature is relative to this cluster's CPU cores.
 */
function learnedPolicy(path: string, baseDir: string, file: string, cluster: ClusterState): LearnedQueuePolicy {
  const agent = readAgent(path, baseDir, file, kernelAgent);
  const maxProcs = Math.max(1, cluster.totals(-1).capacityCpuMilli / 1000);
  return { name: "rl-kernel", score: (fitsNow) => kernelQueueScore(agent, maxProcs, fitsNow) };
}

/** A group's GPU power by its nodes' GPU models (hardware-models GPU_POWER): the mean over its GPUs. */
function gpuPowerOfGroup(state: ClusterState, nodeGroup: Int32Array, g: number) {
  const gpus = new Map<string | undefined, number>();
  for (let n = 0; n < state.nodeCount; n++) {
    if (nodeGroup[n] !== g || state.gpuCount(n) === 0) continue;
    const model = state.gpuModel(n) || undefined;
    gpus.set(model, (gpus.get(model) ?? 0) + state.gpuCount(n));
  }
  return meanGpuPower(gpus);
}

/** A trained agent named by `scheduler.params.checkpoint`, read and checked by `read`. */
function readAgent<A>(path: unknown, baseDir: string, file: string, read: (json: unknown, where: string) => A): A {
  const where = `${file}: scheduler.params.checkpoint`;
  if (typeof path !== "string") throw new SpecError([`${where}: expected a checkpoint file, found none`]);
  const full = resolve(baseDir, path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(full, "utf8"));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message.split("\n")[0];
    throw new SpecError([`${where}: expected a checkpoint file (JSON), found ${why}: ${full}`]);
  }
  try {
    return read(json, where);
  } catch (err) {
    throw new SpecError([(err as Error).message]);
  }
}

/** A user strategy made under the time limit, its calls marked as the plug-in's. */
function userStrategy(
  watchdog: PluginWatchdog,
  create: () => PlacementStrategy,
  label: string,
  file: string,
): PlacementStrategy {
  let s: PlacementStrategy;
  try {
    s = watchdog.within(create);
  } catch (err) {
    const why =
      err instanceof PluginTimeout
        ? `did not return within ${watchdog.limitS} s (--plugin-time-limit)`
        : `threw: ${err instanceof Error ? err.message : String(err)}`;
    throw new SpecError([`${file}: scheduler.plugin: plug-in strategy ${label}: create() ${why}`]);
  }
  if (!s || typeof s.decide !== "function") {
    throw new SpecError([
      `${file}: scheduler.plugin: plug-in strategy ${label}: expected create() to return a strategy with decide(view, pod), found ${typeof s}`,
    ]);
  }
  return watchdog.strategy(s, label);
}

/**
 * Run to `untilS` (default: the end) in slices of events, each under the watchdog's time limit. The
 * slices start at one event and double while they take under 10 ms (up to 4,096 events), halving when one
 * takes over 50 ms: arming the limit then costs little per event, and a slow event runs alone, so that
 * the limit holds per event. Sliced or not, a run gives the same events (Run.advance).
 */
async function driveWithin(run: Run, watchdog: PluginWatchdog, untilS?: number): Promise<AdvanceStatus> {
  let slice = 1;
  const now = () => run.nowS;
  for (;;) {
    const t0 = performance.now();
    const status = watchdog.within(() => run.advance({ untilS, maxEvents: slice }), now);
    const ms = performance.now() - t0;
    if (ms < 10) slice = Math.min(4096, slice * 2);
    else if (ms > 50) slice = Math.max(1, slice >> 1);
    if (status === "input") await run.refill();
    else if (status !== "max-events") return status;
  }
}

/** Runs with plug-ins under way in this thread, and the process.exit they replaced. */
let guarded = 0;
let realExit: typeof process.exit | undefined;

/**
 * While any run with plug-ins is under way, process.exit throws a StrategyError instead of ending the
 * process (counted, so that overlapping runs restore the real one only when the last ends).
 */
function guardExit(delta: 1 | -1): void {
  if (delta > 0 && guarded++ === 0) {
    realExit = process.exit;
    process.exit = ((code?: number) => {
      throw new StrategyError(
        `a plug-in called process.exit(${code ?? ""}) during the run: plug-ins may not end the process`,
      );
    }) as typeof process.exit;
  } else if (delta < 0 && --guarded === 0 && realExit) {
    process.exit = realExit;
    realExit = undefined;
  }
}

/** A node group's Cluster Autoscaler, its group and bounds checked against the cluster. */
function clusterAutoscaler(
  a: ScenarioSpec["autoscalers"][number],
  spec: ScenarioSpec,
  cluster: ComposedCluster,
  file: string,
): ClusterAutoscaler {
  const i = spec.autoscalers.indexOf(a);
  const g = cluster.groups.indexOf(a.nodeGroup);
  if (g < 0) {
    throw new SpecError([
      `${file}: autoscalers[${i}].nodeGroup: expected one of ${cluster.groups.join(", ")}, found "${a.nodeGroup}"`,
    ]);
  }
  let size = 0;
  for (let n = 0; n < cluster.state.nodeCount; n++) if (cluster.nodeGroup[n] === g) size++;
  if (a.max > size || a.min > a.max) {
    throw new SpecError([
      `${file}: autoscalers[${i}]: expected min ≤ max ≤ the group's maxCount (${size}), found min ${a.min}, max ${a.max}`,
    ]);
  }
  return new ClusterAutoscaler({
    group: a.nodeGroup,
    minNodes: a.min,
    maxNodes: a.max,
    provisionS: a.scaleUpDelay,
    scanIntervalS: a.scanInterval,
    utilizationThreshold: a.utilizationThreshold,
    unneededS: a.scaleDownAfter,
    delayAfterAddS: a.scaleDownDelayAfterAdd,
  });
}

/** The virtual (serverless) nodes of the cluster, by node: their start latency and per-second prices. */
function virtualNodesOf(spec: ScenarioSpec, cluster: ComposedCluster): Map<number, VirtualNode> {
  const out = new Map<number, VirtualNode>();
  const groups = spec.cluster.nodeGroups ?? [];
  for (let n = 0; n < cluster.state.nodeCount; n++) {
    const v = groups[cluster.nodeGroup[n]]?.virtual;
    if (!v) continue;
    const draw = sampler(v.startLatency as DistSpec);
    out.set(n, {
      startS: (rng) => Math.max(0, draw(rng)),
      pricePerVcpuS: v.pricePerVcpuHour / 3600,
      pricePerGiBS: v.pricePerGiBHour / 3600,
    });
  }
  return out;
}

/** The services' figures: totals over every service at the top (for sweeps and reports), then each service. */
function servicesMetrics(c: ServicesController): Record<string, unknown> {
  const per = c.summary();
  const sum = (k: string) => Object.values(per).reduce((s, x) => s + x[k], 0);
  const served = sum("requestsServed");
  let latency = 0;
  for (const x of Object.values(per)) if (x.requestsServed > 0) latency += x.latencyMeanS * x.requestsServed;
  return {
    cpuUsedFraction: c.cpuUsedFraction(),
    serviceSloViolationMinutes: sum("sloViolationMinutes"),
    serviceReplicaHours: sum("replicaHours"),
    serviceRequests: sum("requests"),
    serviceRequestsDropped: sum("requestsDropped"),
    serviceLatencyMeanS: served > 0 ? latency / served : Number.NaN,
    serverlessCost: sum("serverlessCost"),
    services: per,
  };
}

/** What the hardware models did, where they did anything. */
function hardwareMetrics(
  e: HardwareEffects | undefined,
  state: ComposedCluster["state"],
  endS: number,
): Record<string, number> {
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
  }
  let pools = 0;
  for (let n = 0; n < state.nodeCount; n++) pools = Math.max(pools, state.poolOf(n) + 1);
  if (pools > 0) {
    let capacity = 0;
    for (let p = 0; p < pools; p++) capacity += state.poolFreeMiB(p) + state.poolUsedMiB(p);
    out.cxlPoolAllocatedFraction = capacity > 0 ? e.pooledMiB.average(endS) / capacity : 0;
    out.cxlPooledTasks = c.pooledTasks;
    out.cxlSlowdownMean = c.pooledTasks > 0 ? c.cxlSlowdownSum / c.pooledTasks : 0;
  }
  return out;
}
