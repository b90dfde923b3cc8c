import type { ClusterState } from "@clustersim/hardware-models";
import type { Decision, Pod } from "@clustersim/schedulers";
import type { Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunBus } from "../bus/run-events.js";

/** What a scheduling loop (online placement, batch queue) gets from the run it drives. */
export interface RunServices {
  readonly sim: Simulation;
  readonly bus: RunBus;
  readonly cluster: ClusterState;
  /** Ask for a scheduling pass at the end of the current instant. */
  requestPass(): void;
}

/**
 * What the node says to an in-place resize of a running task's CPU request, as the kubelet answers a
 * pod resize (KEP-1287, Kubernetes v1.33): applied; deferred (it fits the node's allocatable but not
 * its free CPU now: nothing changes, ask again later); infeasible (more than the node's allocatable).
 */
export type ResizeOutcome = "resized" | "deferred" | "infeasible";

/**
 * How a run decides what starts where: the online placement loop or the batch queue. The run calls
 * `admit` for every task that enters, `schedule` once at the end of each instant in which anything
 * happened, and tells it about nodes failing and capacity appearing.
 */
export interface SchedulingLoop {
  attach(run: RunServices): void;
  admit(task: Task): void;
  /** One scheduling pass; false when it paused for a decision from outside (`pendingDecision`). */
  schedule(): boolean;
  nodeDown(node: number): void;
  /** A node came back or joined: waiting tasks may fit now. */
  capacityAdded(): void;
  readonly waiting: number;
  readonly running: number;
  /** The task and pod an external decision is awaited for, if any; and the decision. */
  readonly pendingDecision?: { task: Task; pod: Pod } | undefined;
  supplyDecision?(d: Decision | null): void;
  /** A batch queue's: the job choice awaited from outside, if any; and the choice (a waiting job). */
  readonly pendingJobChoice?: JobChoice | undefined;
  chooseJob?(task: Task): void;
  /** Change a running task's speed (rate-based progress); false when the task is not running. */
  setRate?(task: Task, rate: number): boolean;
  /** Take a task out for good (running or waiting); where it was. */
  remove?(task: Task): "running" | "waiting" | undefined;
  /** When a running task's work begins (after its start delay); NaN when not running. */
  workStartS?(task: Task): number;
  /** A CXL pool failed: kill the tasks holding memory in it. */
  poolDown?(pool: number): void;
  /**
   * Change a running task's CPU request in place, where its node has room (./online/binding.ts);
   * undefined when the task is not running.
   */
  resize?(task: Task, cpuMilli: number): ResizeOutcome | undefined;
  /** Evict a running task back to the queue (drain, preemption); false when not running. */
  evict?(task: Task): boolean;
  /** The running tasks on a node. */
  tasksOn?(node: number): Task[];
  /** Give back a leaving node's idle warm instances (placements of no task). */
  releaseIdle?(node: number): void;
  /** Every waiting task and its pod. */
  forEachWaiting?(fn: (task: Task, pod: Pod) => void): void;
}

/**
 * A batch queue awaiting the next job to start from outside (a queue agent's environment): the jobs
 * waiting, in arrival order, and whether each fits the cluster's free CPU, memory and GPU now.
 */
export interface JobChoice {
  readonly waiting: readonly Task[];
  fits(task: Task): boolean;
}

/** Node groups as controllers name them: names, and each node's group. */
export interface NodeGroups {
  names: readonly string[];
  nodeGroup: Int32Array;
}
