import type { ClusterState } from "@clustersim/hardware-models";
import type { Demand, Pod, QueuedJob, RunningJob } from "@clustersim/schedulers";
import type { EventHandle } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";

/** What the batch loop counted. */
export interface BatchCounts {
  submitted: number;
  completed: number;
  /** Evictions (a job evicted twice counts twice). */
  preempted: number;
  /** Rejected at arrival: no run time, or a gang that fits no empty cluster. */
  rejected: number;
  waitSumS: number;
  /** Σ max(1, (wait + run) / max(run, 10)) over completed jobs. */
  boundedSlowdownSum: number;
  /** Σ run × CPU of completed jobs, millicore-seconds. */
  workMilliS: number;
  /** Jobs killed by node failures (a job killed twice counts twice), and those retried out. */
  killed: number;
  failed: number;
  /** Work thrown away by kills and evictions: run time so far × CPU, core-seconds. */
  workLostCoreS: number;
  /**
   * Predicted run times (runtime: predicted): jobs first started with a prediction below their request
   * and short of their run (each counted once, however often it restarts), and corrections made.
   */
  underpredicted: number;
  corrections: number;
  firstSubmitS: number;
  lastEndS: number;
}

/** A waiting job; its `reqTimeS` is the run time the queue goes by: the request, or the prediction. */
export interface Job extends QueuedJob {
  task: Task;
  /** One of its `procs` tasks, as placed (CPU and memory its share of the job's, rounded up). */
  pod: Pod;
  need: Demand;
  /** The user's request (the job's run time where the trace has none): a prediction's cap. */
  requestedS: number;
  /** Whether it has started before (a job evicted or killed goes back to the queue). */
  started: boolean;
}

/** A job's gang as placed: a placement id and a node per task. */
export interface Gang {
  ids: number[];
  nodes: number[];
}

/** A running job; `expectedEndS` is when the queue expects it to end (by its request or prediction). */
export interface Running extends RunningJob, Gang {
  job: Job;
  startS: number;
  finish: EventHandle;
  /** Corrections of its prediction so far, and the next one while it is due. */
  corrections: number;
  correction: EventHandle | null;
}

/** The cluster's free CPU, memory and GPU thousandths, pooled (its own machines, not virtual nodes). */
export function freeCapacity(cluster: ClusterState): Demand {
  const t = cluster.totals(-1);
  return {
    cpuMilli: t.capacityCpuMilli - t.allocatedCpuMilli,
    memoryMiB: t.capacityMemoryMiB - t.allocatedMemoryMiB,
    gpuMilli: t.capacityGpuMilli - t.allocatedGpuMilli,
  };
}
