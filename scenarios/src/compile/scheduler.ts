import { resolve } from "node:path";
import type { BatchPlan, LearnedQueuePolicy } from "@clustersim/engine";
import type { ClusterState } from "@clustersim/hardware-models";
import {
  InputError,
  kernelAgent,
  kernelQueueScore,
  learnedPlacementScore,
  placementAgent,
  readCheckpointJson,
} from "@clustersim/rl";
import {
  type BatchPolicyName,
  createPlacement,
  type PlacementStrategy,
  type Pod,
  type RuntimeEstimate,
  type StrategyContext,
  type StrategyEntry,
  type TypicalPod,
} from "@clustersim/schedulers";
import type { Rng } from "@clustersim/sim-core";
import { thrownText } from "@clustersim/sim-core";
import { PluginTimeout, type PluginWatchdog } from "../plugins/plugin-watchdog.js";
import { SpecError } from "../schema/load-spec.js";
import type { ScenarioSpec } from "../schema/schema.js";

/** Where a scheduler is compiled: the scenario, its file and folder, and the plug-ins' time limit. */
export interface SchedulerSource {
  spec: ScenarioSpec;
  file: string;
  baseDir: string;
  watchdog?: PluginWatchdog;
}

/**
 * The batch loop's queue policy (named, or an agent from `params.checkpoint`), its placement, and
 * EASY backfilling, from the scheduler's parameters.
 */
export function batchScheduler(entry: StrategyEntry, src: SchedulerSource, state: ClusterState): BatchPlan {
  const sched = src.spec.scheduler;
  const params = entry.params.parse(sched.params) as {
    backfill: "none" | "easy";
    placement: string;
    checkpoint?: string;
    /** Absent for rl-kernel, whose parameters have neither: the loop's defaults. */
    runtime?: RuntimeEstimate;
    backfillOrder?: "arrival" | "shortest";
  };
  return {
    kind: "batch",
    name: sched.name,
    placement: (rng) => createPlacement(params.placement, {}, { rng }),
    policy:
      params.checkpoint === undefined
        ? (sched.name as BatchPolicyName)
        : learnedPolicy(params.checkpoint, src.baseDir, src.file, state),
    backfill: params.backfill === "easy",
    runtime: params.runtime,
    backfillOrder: params.backfillOrder,
  };
}

/**
 * How the online loop's strategy is made from the run's "scheduler" stream: a built-in one with its
 * parameters (and the workload's first tasks where it learns their shape), or a plug-in's, made under
 * the time limit and checked.
 */
export function placementFactory(
  entry: StrategyEntry,
  src: SchedulerSource,
  workload: readonly Pod[] | undefined,
): (rng: Rng, nodeLoad?: StrategyContext["nodeLoad"]) => PlacementStrategy {
  const sched = src.spec.scheduler;
  const agent =
    sched.name === "rl-placement"
      ? readAgent(sched.params?.checkpoint, src.baseDir, src.file, placementAgent)
      : undefined;
  return (rng, nodeLoad) => {
    const ctx: StrategyContext = {
      rng,
      nodeLoad,
      workload: workload ?? [],
      ...(agent && { learnedScore: (typical: readonly TypicalPod[]) => learnedPlacementScore(agent, typical) }),
    };
    const create = () => entry.create!(entry.params.parse(sched.params ?? {}), ctx);
    const label = `"${sched.name}" (${sched.plugin})`;
    // A built-in strategy in a run with other plug-ins (a controller) is the run's own code: it reads
    // the cluster itself, without the read-only view plug-ins get.
    return src.watchdog && sched.plugin !== undefined ? userStrategy(src.watchdog, create, label, src.file) : create();
  };
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

/**
 * A trained agent named by `scheduler.params.checkpoint`, read (rl's readCheckpointJson) and checked by
 * `read` (kernelAgent or placementAgent: rl's checkCheckpoint, the check every checkpoint read goes
 * through); each problem a SpecError naming the scenario, the field and the file.
 */
function readAgent<A>(path: unknown, baseDir: string, file: string, read: (json: unknown, where: string) => A): A {
  const field = `${file}: scheduler.params.checkpoint`;
  if (typeof path !== "string") throw new SpecError([`${field}: expected a checkpoint file, found none`]);
  const where = `${field} (${resolve(baseDir, path)})`;
  try {
    return read(readCheckpointJson(resolve(baseDir, path), where), where);
  } catch (err) {
    if (err instanceof InputError) throw new SpecError([err.message]);
    throw err;
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
        : `threw: ${thrownText(err)}`;
    throw new SpecError([`${file}: scheduler.plugin: plug-in strategy ${label}: create() ${why}`]);
  }
  if (!s || typeof s.decide !== "function") {
    throw new SpecError([
      `${file}: scheduler.plugin: plug-in strategy ${label}: expected create() to return a strategy with decide(view, pod), found ${typeof s}`,
    ]);
  }
  return watchdog.strategy(s, label);
}
