import type { Pod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";

/** A task waiting to be placed, with what its queue keeps about it. */
export interface Waiting {
  task: Task;
  /** What the scheduler sees of the task (with the hardware's charges). */
  pod: Pod;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the task (re-)entered the queue, for ordering. */
  timestampS: number;
  /** Arrival order in the run, the tie-break of last resort. */
  seq: number;
  /** The task's priority (0 when it has none), kept here for the queues' comparisons. */
  priority: number;
  /** Kubernetes queue: end of the current back-off, the cycle of the last attempt, unschedulable since. */
  backoffUntilS: number;
  cycle: number;
  unschedulableSinceS: number;
  /**
   * The CPU and local memory a node needs free for the pod, kept here when the run may fail the pod
   * without a try (../runs/online/online-loop.ts), so that judging it needs no read of the pod; NaN
   * when it may not.
   */
  needCpu?: number;
  needMem?: number;
}

/**
 * The queue of tasks waiting for a node, as the online run's scheduling pass uses it: the pass pops
 * tasks to try one at a time; a task that does not fit is handed back with `failed`; changes of the
 * cluster that may let waiting tasks fit (a task left, a node came up or joined) are reported with
 * `clusterChanged`.
 */
export interface WaitingQueue {
  add(w: Waiting): void;
  /** The next task to try now, or undefined when the pass is over. */
  pop(): Waiting | undefined;
  failed(w: Waiting): void;
  clusterChanged(): void;
  /** Tasks waiting, in any of the queue's parts. */
  readonly size: number;
  /** Every waiting task (at the end of a run), in arrival order. */
  remaining(): Waiting[];
}

export const byArrival = (a: Waiting, b: Waiting) => a.task.arrivalS - b.task.arrivalS || a.seq - b.seq;
