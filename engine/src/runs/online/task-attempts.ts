import type { Task } from "@clustersim/workloads";

/**
 * The online loop's memory of tasks that went back to the queue: how often each was killed by a
 * failure (beyond `maxRetries` it fails), and that it started before (its wait was counted at its first
 * start). A task is forgotten when it leaves for good (finished, removed, failed), so the book holds
 * only tasks that may still start again.
 */
export class TaskAttempts {
  private readonly kills = new Map<Task, number>();

  /** Whether the task started before (it was killed, evicted or preempted since). */
  startedBefore(task: Task): boolean {
    return this.kills.has(task);
  }

  /** The task goes back to the queue without a kill (evicted, preempted). */
  requeued(task: Task): void {
    if (!this.kills.has(task)) this.kills.set(task, 0);
  }

  /** The task was killed by a failure: its kills so far. */
  killed(task: Task): number {
    const n = (this.kills.get(task) ?? 0) + 1;
    this.kills.set(task, n);
    return n;
  }

  forget(task: Task): void {
    this.kills.delete(task);
  }

  /** How many tasks the book holds now (OnlineLoop.tasksRemembered). */
  get size(): number {
    return this.kills.size;
  }
}
