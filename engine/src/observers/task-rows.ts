import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import { csvNumber, csvText } from "./csv.js";
import { byArrival, type TaskLedger } from "./task-ledger.js";

/** One row per task: finished, still running at the end (no endS), or never started (no startS); `state` says which. */
export const TASK_CSV_HEADER =
  "id,workload,app,state,arrivalS,startS,endS,waitS,node,cpuMilli,memoryMiB,gpus,gpuMilli,procs";

/**
 * tasks.csv as the run goes: a row per finished task as it finishes, then at the end the tasks still
 * running, waiting, rejected or given up, each in arrival order. `waiting` marks tasks that could still
 * start; `unplaced` those that never can (larger than any node, no run time, or retried out).
 */
export class TaskRows implements RunListener {
  constructor(
    private readonly ledger: TaskLedger,
    private readonly write: (line: string) => void,
  ) {}

  finish(t: Task, nodes: readonly number[], startS: number, nowS: number): void {
    this.row(t, "finished", startS, nowS, nodes.length === 1 ? nodes[0] : -1);
  }

  end(): void {
    const running = [...this.ledger.running].sort(([a], [b]) => byArrival(a, b));
    for (const [t, r] of running) this.row(t, "running", r.startS, Number.NaN, r.node);
    for (const t of [...this.ledger.waiting].sort(byArrival)) this.row(t, "waiting", Number.NaN, Number.NaN, -1);
    for (const t of [...this.ledger.rejected, ...this.ledger.failed].sort(byArrival)) {
      this.row(t, "unplaced", Number.NaN, Number.NaN, -1);
    }
  }

  private row(t: Task, state: string, startS: number, endS: number, node: number): void {
    const n = csvNumber;
    this.write(
      `${t.id},${csvText(t.workload)},${csvText(t.app)},${state},${n(t.arrivalS)},${n(startS)},${n(endS)},${n(startS - t.arrivalS)},${node < 0 ? "" : node},${n(t.cpuMilli)},${n(t.memoryMiB)},${t.gpus},${t.gpuMilli},${t.procs}`,
    );
  }
}
