import type { ClusterState, FailureDomain } from "@clustersim/hardware-models";
import type {
  BatchPolicyName,
  NodeLoad,
  NodeLoadOptions,
  PlacementStrategy,
  RuntimeEstimate,
  TypicalPod,
} from "@clustersim/schedulers";
import type { Rng } from "@clustersim/sim-core";
import type { TaskSource } from "../arrivals/arrival-pump.js";
import type { ColocationOptions } from "../colocation/batch-tier.js";
import type { ClusterAutoscalerOptions } from "../controllers/cluster-autoscaler.js";
import type { Controller } from "../controllers/controller.js";
import type { NodeFailures, Outage } from "../controllers/fault-controller.js";
import type { HardwareEffectsConfig } from "../effects/hardware-effects.js";
import type { GroupEconomics } from "../observers/run-metrics.js";
import type { LearnedQueuePolicy } from "../runs/batch/batch-loop.js";
import type { ServiceConfig, VirtualNode } from "../services/service-config.js";
import type { MeasureWindow } from "../services/service-figures.js";

/**
 * A run as compiled from a scenario: every unit resolved, every file read or located, every default
 * applied and every cross-reference checked. Nothing of the scenario file is left in it; the engine's
 * assembly (./assemble-run.ts) builds the run's loops, controllers, effects and observers from it alone.
 * What is code in it (a plug-in, a workload stream, a strategy's constructor) was loaded and checked
 * when the plan was compiled.
 */
export interface RunPlan {
  /** The scenario's name, for the replay; its file, for messages. */
  name: string;
  source: string;
  seed: number;
  durationS: number;
  cluster: PlannedCluster;
  /** Power and price of each node group. */
  economics: readonly GroupEconomics[];
  /** The merged, transformed task stream; called once per pass over the workload. */
  tasks(): TaskSource;
  scheduler: OnlinePlan | BatchPlan;
  /** Faults in either kind of run; absent without any. */
  faults?: { failures: readonly NodeFailures[]; outages: readonly Outage[] };
  /** User controllers (plug-ins), loaded and guarded, in the scenario's order. */
  controllers: readonly Controller[];
  outputs: OutputsPlan;
  /** The assumptions ([U] defaults) the scenario leans on, in the summary's order. */
  assumptions: readonly PlannedAssumption[];
}

/** The cluster as built: its state, each node's group, the groups' names, and the failure domains. */
export interface PlannedCluster {
  state: ClusterState;
  nodeGroup: Int32Array;
  groups: readonly string[];
  domains: readonly FailureDomain[];
}

/** The online loop: a placement strategy, kube-scheduler's queue or FIFO, and what runs beside it. */
export interface OnlinePlan {
  kind: "online";
  name: string;
  /**
   * Makes the strategy, given the run's "scheduler" stream and, for a strategy that reads node usage
   * (load-aware), the run's forecast of it made to the strategy's settings.
   */
  placement(rng: Rng, nodeLoad?: (o: NodeLoadOptions) => NodeLoad): PlacementStrategy;
  queue: "kubernetes" | "fifo";
  /** DefaultPreemption; absent when off. */
  preemption?: { victims: "restart" | "resume"; checkpointIntervalS: number };
  /** The strategy's plug-in label, when it is user code (its decisions are then checked). */
  userStrategy?: string;
  /** The hardware effects (runtimes, CXL, DPU, warm pool), without the run's cluster and streams. */
  hardware: Omit<HardwareEffectsConfig, "cluster" | "streams">;
  /** Serverless (virtual) nodes by node index. */
  virtualNodes: ReadonlyMap<number, VirtualNode>;
  services?: ServicesPlan;
  /** Co-location: the batch tier's settings (absent when not enabled) and the interference. */
  colocation?: { tier?: ColocationOptions; interferencePerUsage: number };
  /** The Cluster Autoscaler over the autoscaled node groups; absent when none is. */
  clusterAutoscaler?: ClusterAutoscalerOptions;
}

/** The batch loop: a queue policy (named or learned), its placement, and EASY backfilling. */
export interface BatchPlan {
  kind: "batch";
  name: string;
  placement(rng: Rng): PlacementStrategy;
  policy: BatchPolicyName | LearnedQueuePolicy;
  backfill: boolean;
  /** Order and backfill by requested or predicted run times (absent: requested). */
  runtime?: RuntimeEstimate;
  /** The order backfilling tries jobs in (absent: arrival). */
  backfillOrder?: "arrival" | "shortest";
}

export interface ServicesPlan {
  configs: readonly ServiceConfig[];
  tickS: number;
  /** Services whose replicas may burst onto serverless nodes. */
  bursting: ReadonlySet<string>;
  /** Latency figures leave out the first seconds; named windows are reported apart. */
  warmupS: number;
  windows: readonly MeasureWindow[];
}

export interface OutputsPlan {
  /** One row per task (finished ones as they finish). */
  tasks: boolean;
  /** Decision records (filter rejections, best scores). */
  decisions: boolean;
  replay: boolean;
  /** Seconds after midnight at t = 0, when the scenario names its clock (the replay carries it). */
  clockStartS?: number;
  timeseriesIntervalS: number;
  /** GPU allocation at these arrived loads, with the workload's typical pods (absent: not asked or no GPUs). */
  arrivedGpuLoads?: { loads: readonly number[]; typical: readonly TypicalPod[] };
}

/**
 * An assumption, and, where it matters only when the run used a model, which one: sandbox starts (cold
 * or warm), tasks with memory on a CXL pool, tasks paying the host's virtio cost.
 */
export interface PlannedAssumption {
  text: string;
  when?: "sandboxStarts" | "pooledTasks" | "virtioTasks";
}
