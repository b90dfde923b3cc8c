import type { Pod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";

/**
 * What the online loop asks of the hardware models as it places, starts and releases tasks: the
 * contract between the loop (../runs/online-loop.ts) and the effects (./hardware-effects.ts), so that
 * neither imports the other.
 */
/** How the hardware changes a task: its request (runtime memory, network, pool spill) and its run time once placed. */
export interface RunEffects {
  request(task: Task): Pod;
  /**
   * Run time of the task as placed (`id` is its ClusterState placement): its work at full speed, and
   * the start delay before the work begins (a sandbox's start), written into `out` (no allocation).
   * Rate changes apply to the work only.
   */
  runTimeS(task: Task, pod: Pod, id: number, node: number, nowS: number, out: { delayS: number }): number;
  /** The task placed as `id` started its run (its progress exists now: rates may be set). */
  started?(task: Task, id: number, node: number): void;
  /**
   * A placed task left (or was killed); `evicted`: preempted, its sandbox torn down (no warm instance
   * is kept of it: it would take back the room its eviction made for the preemptor).
   */
  released?(task: Task, pod: Pod, node: number, nowS: number, id: number, evicted?: boolean): void;
  /**
   * Called once with a way to change running tasks' speed (rate-based progress), by placement id, the
   * clock, and timers (after a timer the scheduler looks at the cluster again: it may have changed).
   */
  attach?(run: {
    setRate(id: number, rate: number): void;
    nowS(): number;
    at(timeS: number, fn: () => void): void;
  }): void;
  /**
   * A node the platform sends the task to before the scheduler decides (a warm instance of its app),
   * with room made for it there; -1: none, the scheduler decides.
   */
  route?(task: Task, pod: Pod): number;
  /** Whether `route` could send the task anywhere (false: it returns -1 whatever the cluster holds). */
  mayRoute?(task: Task): boolean;
  /** Give back what the platform keeps on a node for no task (idle warm instances), before it leaves. */
  releaseIdle?(node: number, nowS: number): void;
}
