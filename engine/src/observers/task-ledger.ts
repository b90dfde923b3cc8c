import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";

/** Where a task is, as the run's events tell. */
export interface Running {
  startS: number;
  /** The node (first node of a gang), for rows. */
  node: number;
}

/**
 * The tasks in the run and where each is: waiting (arrived or resubmitted, not started), running, or
 * rejected at arrival. Observers read it at the end (censored waits, rows of unfinished tasks).
 * Subscribe it before them.
 */
export class TaskLedger implements RunListener {
  readonly waiting = new Set<Task>();
  readonly running = new Map<Task, Running>();
  readonly rejected: Task[] = [];
  readonly failed: Task[] = [];
  /** A killed task's last attempt: when it started, where, and when it was killed. */
  readonly lastAttempt = new Map<Task, Running & { endS: number }>();

  arrive(task: Task): void {
    this.waiting.add(task);
  }
  reject(task: Task): void {
    this.waiting.delete(task);
    this.rejected.push(task);
  }
  start(task: Task, nodes: readonly number[], nowS: number): void {
    this.waiting.delete(task);
    this.running.set(task, { startS: nowS, node: nodes.length === 1 ? nodes[0] : -1 });
  }
  finish(task: Task): void {
    this.running.delete(task);
  }
  kill(task: Task, _nodes: readonly number[], nowS: number): void {
    // Resubmitted, unless a `fail` follows: its last attempt is kept for the failed task's row.
    const r = this.running.get(task);
    if (r) this.lastAttempt.set(task, { startS: r.startS, node: r.node, endS: nowS });
    this.running.delete(task);
    this.waiting.add(task);
  }
  preempt(task: Task): void {
    this.running.delete(task);
    this.waiting.add(task);
  }
  remove(task: Task): void {
    this.waiting.delete(task);
    this.running.delete(task);
  }
  fail(task: Task): void {
    this.waiting.delete(task);
    this.failed.push(task);
  }
}

export const byArrival = (a: Task, b: Task) => a.arrivalS - b.arrivalS || a.id - b.id;
