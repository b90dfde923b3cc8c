import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import { type Column, csvLine, round6 } from "./csv.js";
import { byArrival, type TaskLedger } from "./task-ledger.js";

/**
 * One row per task: finished, removed by a controller (a replica scaled down; no startS if it never
 * started), still running at the end (no endS), or never started (no startS); `state` says which. Its
 * request is as it stood when the row was written: a task resized in place shows its last.
 */
export const TASK_COLUMNS: readonly Column[] = [
  { name: "id", type: "int" },
  { name: "workload", type: "text" },
  { name: "app", type: "text" },
  { name: "state", type: "text" },
  { name: "arrivalS", type: "float" },
  { name: "startS", type: "float" },
  { name: "endS", type: "float" },
  { name: "waitS", type: "float" },
  { name: "node", type: "int" },
  { name: "cpuMilli", type: "int" },
  { name: "memoryMiB", type: "int" },
  { name: "gpus", type: "int" },
  { name: "gpuMilli", type: "int" },
  { name: "procs", type: "int" },
];
export const TASK_CSV_HEADER = TASK_COLUMNS.map((c) => c.name).join(",");

/**
 * tasks.csv as the run goes: a row per finished task as it finishes, then at the end the tasks still
 * running, waiting, rejected or given up, each in arrival order. `waiting` marks tasks that could still
 * start; `unplaced` those that never can (larger than any node, no run time); `failed` those killed
 * more often than the run retries, with their last attempt's start, node and end. Each row
 * goes out as a CSV line and, to `record`, as typed values (for a Parquet copy; the array is reused).
 */
export class TaskRows implements RunListener {
  private readonly values: (number | string)[] = new Array(TASK_COLUMNS.length);

  constructor(
    private readonly ledger: TaskLedger,
    private readonly write?: (line: string) => void,
    private readonly record?: (values: readonly (number | string)[]) => void,
  ) {}

  finish(t: Task, nodes: readonly number[], startS: number, nowS: number): void {
    this.row(t, "finished", startS, nowS, nodes.length === 1 ? nodes[0] : -1);
  }

  remove(t: Task, nodes: readonly number[], startS: number, nowS: number): void {
    this.row(t, "removed", startS, nowS, nodes.length === 1 ? nodes[0] : -1);
  }

  end(): void {
    const running = [...this.ledger.running].sort(([a], [b]) => byArrival(a, b));
    for (const [t, r] of running) this.row(t, "running", r.startS, Number.NaN, r.node);
    for (const t of [...this.ledger.waiting].sort(byArrival)) this.row(t, "waiting", Number.NaN, Number.NaN, -1);
    const given = [...this.ledger.rejected, ...this.ledger.failed].sort(byArrival);
    for (const t of given) {
      // Killed more often than the run retries: its last attempt; else it never started.
      const last = this.ledger.lastAttempt.get(t);
      if (last) this.row(t, "failed", last.startS, last.endS, last.node);
      else this.row(t, "unplaced", Number.NaN, Number.NaN, -1);
    }
  }

  private row(t: Task, state: string, startS: number, endS: number, node: number): void {
    const v = this.values;
    v[0] = t.id;
    v[1] = t.workload;
    v[2] = t.app;
    v[3] = state;
    v[4] = round6(t.arrivalS);
    v[5] = round6(startS);
    v[6] = round6(endS);
    v[7] = round6(startS - t.arrivalS);
    v[8] = node < 0 ? Number.NaN : node;
    v[9] = t.cpuMilli;
    v[10] = t.memoryMiB;
    v[11] = t.gpus;
    v[12] = t.gpuMilli;
    v[13] = t.procs;
    this.write?.(csvLine(v));
    this.record?.(v);
  }
}
