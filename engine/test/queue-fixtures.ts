import type { Waiting } from "@clustersim/engine";
import type { Task } from "@clustersim/workloads";

/** A fresh queue entry for the queue tests: a task of this id arrived now, untried, with no pod. */
export function newWaiting(seq: number, priority: number, nowS: number): Waiting {
  return {
    task: { id: seq, arrivalS: nowS } as Task,
    pod: undefined as never,
    attempts: 0,
    timestampS: 0,
    seq,
    priority,
    backoffUntilS: 0,
    cycle: 0,
    unschedulableSinceS: 0,
  };
}
