import type { PlacementStrategy } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import type { BatchTier } from "../../colocation/batch-tier.js";
import type { RunEffects } from "../../effects/run-effects.js";
import type { PreemptionOptions } from "./preemption.js";

export interface OnlineLoopOptions {
  /** A placement strategy, or "external": each decision is awaited from outside the run (Run.decide). */
  strategy: PlacementStrategy | "external";
  /** kube-scheduler's queue (default), or strict first come, first served. */
  queue?: "kubernetes" | "fifo";
  effects?: RunEffects;
  /** Resubmissions of a killed task before it counts as failed (default 3). */
  maxRetries?: number;
  /**
   * Serverless burst: a task `allowed` to burst that the strategy places nowhere goes to the first of
   * these (virtual) nodes that fits it, as ACK's ResourcePolicy tries regular nodes first, then elastic
   * containers.
   */
  burst?: { nodes: readonly number[]; allowed(task: Task): boolean };
  /**
   * kube-scheduler's DefaultPreemption: a pod that fits nowhere evicts pods of strictly lower priority
   * from the node upstream's rules pick (./preemption.ts). Victims restart from scratch, or resume from
   * their last checkpoint (every `checkpointIntervalS` of work; 0: where they stopped); the work thrown
   * away is counted. `rng` picks where the search for candidates starts.
   */
  preemption?: PreemptionOptions;
  /**
   * Co-location: batch (best-effort) tasks run in this tier, on the room online pods leave, instead of
   * on the nodes' allocatable (../../colocation/batch-tier.ts).
   */
  batchTier?: BatchTier;
  /**
   * The strategy is user code (a plug-in), named so: each decision is checked (no exception, no
   * promise, null or a node of the cluster where the pod fits), and a bad one stops the run with a
   * StrategyError naming the plug-in, the task and the value.
   */
  userStrategy?: string;
  /**
   * Try every pod the kube-scheduler queue pops, even one no node has room for, rather than failing
   * such pods together (../../queues/kubernetes-queue.ts): the same decisions, slower; for tests.
   */
  tryEveryPod?: boolean;
}

/** What the online loop counted. */
export interface OnlineCounts {
  submitted: number;
  started: number;
  completed: number;
  /** Larger than every node: rejected at arrival. */
  tooLarge: number;
  /** Strategy calls, placed or not. */
  decisions: number;
  /** Task runs killed by node failures. */
  killed: number;
  /** Tasks killed more than maxRetries times. */
  failed: number;
  waitSumS: number;
  waitMaxS: number;
  /** Pods evicted by preemption. */
  preemptions: number;
  /** Work thrown away by node failures and preemptions: work done × CPU request, core-seconds. */
  workLostCoreS: number;
}

export function emptyCounts(): OnlineCounts {
  return {
    submitted: 0,
    started: 0,
    completed: 0,
    tooLarge: 0,
    decisions: 0,
    killed: 0,
    failed: 0,
    waitSumS: 0,
    waitMaxS: 0,
    preemptions: 0,
    workLostCoreS: 0,
  };
}
