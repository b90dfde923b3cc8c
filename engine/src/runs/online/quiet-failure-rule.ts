import { type ClusterState, leastLocalMemory } from "@clustersim/hardware-models";
import type { PlacementStrategy } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import { BatchTier } from "../../colocation/batch-tier.js";
import type { QuietFailures } from "../../queues/kubernetes-queue.js";
import type { Waiting } from "../../queues/waiting-queue.js";
import type { OnlineLoopOptions } from "./online-options.js";
import type { PlacementTable } from "./placement-table.js";
import { mayPreempt } from "./preemption.js";

/** What the rule reads of the online loop. */
export interface QuietLoopParts {
  readonly strategy: PlacementStrategy;
  readonly options: OnlineLoopOptions;
  readonly cluster: ClusterState;
  /** Waiting tasks a controller removed (dropped when popped). */
  readonly withdrawn: ReadonlySet<Task>;
  /** Running placements (preemption's lowest priority); read when asked, as the loop builds it later. */
  table(): PlacementTable;
  /** Count pods failed without a try among the run's decisions. */
  countTries(n: number): void;
}

/**
 * The online loop's rule for pods whose try can only fail (../../queues/kubernetes-queue.ts keeps such
 * pods aside and fails them together): a pod no node has room for, whose try would ask nothing beyond
 * the strategy's decision (no batch tier, burst, warm instance, GPUs, recorded decision) and could not
 * preempt. Only for a strategy that decides nothing, and changes nothing, for a pod that fits nowhere
 * (`inertWhereNothingFits`), and not for plug-ins, whose every call is checked.
 */
export class QuietFailureRule implements QuietFailures {
  /** The lowest priority of any task queued so far. */
  private lowestAdmitted = Number.POSITIVE_INFINITY;
  /** What a try may do beyond the strategy's decision, by task; undefined when the run has none of it. */
  private readonly triesMore: ((t: Task) => boolean) | undefined;

  static applies(strategy: PlacementStrategy | undefined, o: OnlineLoopOptions, checked: boolean): boolean {
    return strategy?.inertWhereNothingFits === true && !o.tryEveryPod && !checked;
  }

  constructor(private readonly p: QuietLoopParts) {
    const { batchTier, burst, effects } = p.options;
    // Fixed for the run, so asked only when the run has that part at all (this is asked of every pod
    // that enters activeQ).
    this.triesMore =
      batchTier || burst || effects?.route
        ? (t: Task) =>
            (batchTier !== undefined && BatchTier.isBatch(t)) ||
            burst?.allowed(t) === true ||
            (effects?.route !== undefined && (effects.mayRoute?.(t) ?? true))
        : undefined;
  }

  /**
   * A task queued: true when its priority is the lowest so far, after which pods kept aside may
   * preempt it when their turn comes and must be judged again.
   */
  admitted(priority: number): boolean {
    if (priority >= this.lowestAdmitted) return false;
    this.lowestAdmitted = priority;
    return true;
  }

  /**
   * Keep in the entry what a node needs free for its pod (Waiting.needCpu, needMem), or NaN when its
   * try may do more than fail: judged from the entry alone, as reading each pod costs a cache miss a try.
   */
  keepNeeds(w: Waiting): void {
    const quiet = !w.pod.gpus && (this.triesMore === undefined || !this.triesMore(w.task));
    w.needCpu = quiet ? w.pod.cpuMilli : Number.NaN;
    w.needMem = quiet ? leastLocalMemory(w.pod) : Number.NaN;
  }

  /**
   * Popped, a pod that can no longer fit (the pods bound before it in this pass took the room) fails
   * without a try when it could not preempt either: the try would find no node and do nothing else.
   */
  failsAtOnce(w: Waiting): boolean {
    return this.cannotFit(w) && !(this.p.options.preemption && mayPreempt(this.p.table(), w.pod, w.priority));
  }

  /**
   * Kept aside, a pod must not preempt at its turn, whatever is bound before it (no pod in the run,
   * running or waiting, has a lower priority), nor be withdrawn: a withdrawn pod is dropped when
   * popped, not failed (the loop has the pods aside judged again on a withdrawal).
   */
  hopeless(w: Waiting): boolean {
    const withdrawn = this.p.withdrawn;
    return (
      w.attempts > 0 &&
      (!this.p.options.preemption || w.priority <= this.lowestAdmitted) &&
      (withdrawn.size === 0 || !withdrawn.has(w.task)) &&
      this.cannotFit(w)
    );
  }

  mayFailAll(aside: readonly Waiting[]): boolean {
    const withdrawn = this.p.withdrawn;
    return withdrawn.size === 0 || !aside.some((w) => withdrawn.has(w.task));
  }

  roomGrowth(): number {
    return this.p.cluster.roomGrowth;
  }

  failedQuietly(n: number): void {
    this.p.countTries(n);
  }

  private cannotFit(w: Waiting): boolean {
    return !Number.isNaN(w.needCpu) && !this.p.strategy.record && !this.p.cluster.roomFor(w.needCpu!, w.needMem!);
  }
}
