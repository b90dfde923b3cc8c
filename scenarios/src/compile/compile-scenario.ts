import { dirname } from "node:path";
import { KOORDINATOR_DEFAULTS, type OnlinePlan, type RunPlan } from "@clustersim/engine";
import {
  nodeLoadOptions,
  type Pod,
  strategy as registered,
  type StrategyEntry,
  typicalPods,
} from "@clustersim/schedulers";
import { PluginWatchdog } from "../plugins/plugin-watchdog.js";
import { loadUserAutoscaler } from "../plugins/user-autoscaler.js";
import { loadUserController } from "../plugins/user-controller.js";
import { checkUserParams, loadUserStrategy } from "../plugins/user-strategy.js";
import { SpecError } from "../schema/load-spec.js";
import type { ScenarioSpec } from "../schema/schema.js";
import { assumptionsOf } from "./assumptions.js";
import { type ComposedCluster, composeCluster } from "./cluster.js";
import { compileClusterAutoscaler, compileFaults } from "./controllers.js";
import { groupEconomics, virtualNodesOf } from "./economics.js";
import { hardwareConfig } from "./hardware.js";
import { batchScheduler, placementFactory, type SchedulerSource } from "./scheduler.js";
import { composeServices, type LoadAutoscaler } from "./services.js";
import { composeWorkload } from "./workload.js";

export interface CompileOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Seconds a plug-in may take to load, and each event of a run with plug-ins (PluginWatchdog). */
  pluginTimeLimitS?: number;
}

/** A compiled scenario: its run plan, and the watchdog its plug-ins run under (absent without plug-ins). */
export interface CompiledScenario {
  plan: RunPlan;
  watchdog?: PluginWatchdog;
}

/** How many leading tasks a strategy that learns the workload's shape (FGD) may look at. */
const WORKLOAD_SAMPLE = 100_000;

/**
 * A validated scenario compiled into a run plan: plug-ins loaded (under their time limit), the
 * cluster built, trace files and checkpoints read, every cross-reference between sections checked
 * (node groups, domains, what an online or batch run can hold). What fails here fails before the
 * first event, with the file and field.
 */
export async function compileScenario(
  spec: ScenarioSpec,
  file: string,
  o: CompileOptions = {},
): Promise<CompiledScenario> {
  const baseDir = dirname(file);
  const seed = o.seed ?? spec.seed;
  const sched = spec.scheduler;
  // User code (a strategy or controller plug-in) runs under a time limit, and may not end the process.
  const plugins =
    sched.plugin !== undefined ||
    spec.controllers.length > 0 ||
    spec.services.some((x) => x.autoscaler?.type === "plugin");
  const watchdog = plugins ? new PluginWatchdog(o.pluginTimeLimitS) : undefined;
  let entry: StrategyEntry = registered(sched.name)!;
  if (sched.plugin !== undefined) {
    entry = await loadUserStrategy(sched.plugin, baseDir, file, sched.name, watchdog!.limitS);
    checkUserParams(entry, sched.params, file);
  }
  const controllers = [];
  for (const [i, c] of spec.controllers.entries()) {
    controllers.push(await loadUserController(c.plugin, c.params, baseDir, `${file}: controllers[${i}]`, watchdog));
  }
  const cluster = await composeCluster(spec, baseDir);
  const tasks = () => composeWorkload(spec, { baseDir, seed });
  /** The workload's first tasks, for what learns its shape (FGD; the GPU fragmentation measure). */
  let workload: Pod[] | undefined;
  const sample = async () => {
    if (workload) return workload;
    workload = [];
    for await (const t of tasks()) {
      workload.push(t as Pod);
      if (workload.length >= WORKLOAD_SAMPLE) break;
    }
    return workload;
  };
  const src: SchedulerSource = { spec, file, baseDir, watchdog };
  let scheduler: RunPlan["scheduler"];
  if (entry.kind === "queue") {
    scheduler = batchScheduler(entry, src, cluster.state);
    const batchOnly = (what: string) =>
      new SpecError([
        `${file}: ${what}: expected an online scheduler${what === "services" ? " (services run in the online loop)" : ""}, found the batch policy "${sched.name}"`,
      ]);
    if (spec.services.length > 0) throw batchOnly("services");
    if (spec.colocation) throw batchOnly("colocation");
  } else {
    if (sched.name === "fgd" || sched.name === "rl-placement") await sample();
    scheduler = await onlineScheduler(entry, src, cluster, workload);
  }
  const gpuLoads = spec.outputs.arrivedGpuLoads;
  const gpus = cluster.state.totals(-1).capacityGpuMilli > 0 && gpuLoads.length > 0;
  const plan: RunPlan = {
    name: spec.name ?? file,
    source: file,
    seed,
    durationS: spec.duration,
    cluster,
    economics: groupEconomics(spec, cluster),
    tasks,
    scheduler,
    faults: compileFaults(spec, cluster, file),
    controllers,
    outputs: {
      tasks: spec.outputs.tasks,
      decisions: spec.outputs.decisions,
      replay: spec.outputs.replay,
      ...(spec.outputs.clock !== undefined && { clockStartS: secondsOfDay(spec.outputs.clock) }),
      timeseriesIntervalS: spec.outputs.timeseriesInterval,
      ...(gpus && { arrivedGpuLoads: { loads: gpuLoads, typical: typicalPods(await sample()) } }),
    },
    assumptions: assumptionsOf(spec),
  };
  return { plan, watchdog };
}

/** The online loop's plan: its strategy, queue, preemption, hardware, services, co-location, autoscalers. */
async function onlineScheduler(
  entry: StrategyEntry,
  src: SchedulerSource,
  cluster: ComposedCluster,
  workload: Pod[] | undefined,
): Promise<OnlinePlan> {
  const { spec, file, baseDir, watchdog } = src;
  const sched = spec.scheduler;
  const pre = sched.preemption;
  const loadAutoscaler: LoadAutoscaler = (a, where) =>
    loadUserAutoscaler(a.plugin, a.params, a.syncPeriod, baseDir, where, watchdog!);
  const colo = spec.colocation;
  return {
    kind: "online",
    name: sched.name,
    placement: placementFactory(entry, src, workload),
    queue: sched.queue,
    preemption: pre.enabled ? { victims: pre.victims, checkpointIntervalS: pre.checkpointInterval } : undefined,
    userStrategy: sched.plugin === undefined ? undefined : `"${sched.name}" (${sched.plugin})`,
    hardware: hardwareConfig(spec, cluster),
    virtualNodes: virtualNodesOf(spec, cluster),
    services:
      spec.services.length === 0
        ? undefined
        : {
            configs: await composeServices(spec.services, file, baseDir, spec.duration, loadAutoscaler),
            tickS: spec.serviceTick,
            bursting: new Set(spec.services.filter((x) => x.replica.burst).map((x) => x.name)),
            warmupS: spec.outputs.warmup,
            windows: spec.outputs.windows.map((w) => ({ name: w.name, fromS: w.from, toS: w.to })),
          },
    colocation: colo && {
      tier: colo.enabled
        ? {
            ...KOORDINATOR_DEFAULTS,
            cpuReclaimPercent: colo.cpuReclaimPercent,
            memoryReclaimPercent: colo.memoryReclaimPercent,
            cpuSuppressPercent: colo.cpuSuppressPercent,
            reclaim: colo.reclaim.predictor === "trend" ? nodeLoadOptions(colo.reclaim) : undefined,
          }
        : undefined,
      interferencePerUsage: colo.interference,
    },
    clusterAutoscaler: compileClusterAutoscaler(spec, cluster, file),
  };
}

/** "HH:MM" or "HH:MM:SS" (checked by the schema) as seconds after midnight. */
function secondsOfDay(clock: string): number {
  const [h, m, sec = 0] = clock.split(":").map(Number);
  return h * 3600 + m * 60 + sec;
}
