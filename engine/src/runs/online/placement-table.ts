import type { Pod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";

/**
 * Who runs where in the online loop, by placement id (the cluster state's id for the placement): the
 * task and pod, its node, when it started, its work as placed and when that work began, in typed arrays
 * grown by doubling; the placements on each node and the running tasks per priority, so that preemption
 * and a node's failure read them without a scan. An entry is released when its task leaves.
 */
export class PlacementTable {
  readonly tasks: (Task | undefined)[] = [];
  readonly pods: (Pod | undefined)[] = [];
  nodeOf = new Int32Array(1024);
  startOf = new Float64Array(1024);
  /** Each placement's work as placed (seconds at full speed), and when it began (after a start delay). */
  workOf = new Float64Array(1024);
  workFrom = new Float64Array(1024);
  /** How many placements are running. */
  live = 0;
  private readonly ids = new Map<Task, number>();
  private readonly onNode: Set<number>[] = [];
  private readonly byPriority = new Map<number, number>();

  /** Placement `id` of `task` as `pod` on `node`, started at `nowS` (its work set by `setWork`). */
  add(id: number, task: Task, pod: Pod, node: number, nowS: number): void {
    if (id >= this.nodeOf.length) this.grow(id);
    this.nodeOf[id] = node;
    this.startOf[id] = nowS;
    this.ids.set(task, id);
    this.tasks[id] = task;
    this.pods[id] = pod;
    this.live++;
    (this.onNode[node] ??= new Set()).add(id);
    const prio = task.priority ?? 0;
    this.byPriority.set(prio, (this.byPriority.get(prio) ?? 0) + 1);
  }

  setWork(id: number, workS: number, fromS: number): void {
    this.workOf[id] = workS;
    this.workFrom[id] = fromS;
  }

  /** Release placement `id`; its task and pod, which stay readable until the id is used again. */
  remove(id: number): { task: Task; pod: Pod } {
    const task = this.tasks[id]!;
    const pod = this.pods[id]!;
    this.tasks[id] = undefined;
    this.pods[id] = undefined;
    this.ids.delete(task);
    this.onNode[this.nodeOf[id]]?.delete(id);
    const prio = task.priority ?? 0;
    const left = (this.byPriority.get(prio) ?? 1) - 1;
    if (left > 0) this.byPriority.set(prio, left);
    else this.byPriority.delete(prio);
    this.live--;
    return { task, pod };
  }

  /** The placement id of a running task. */
  idOf(task: Task): number | undefined {
    return this.ids.get(task);
  }

  /** The placement ids on `node`, in ascending order. */
  idsOn(node: number): number[] {
    const ids = this.onNode[node];
    return ids ? [...ids].sort((a, b) => a - b) : [];
  }

  /** The placement ids on `node` in the order they were placed there (absent: none ever). */
  placedOn(node: number): ReadonlySet<number> | undefined {
    return this.onNode[node];
  }

  /** The lowest priority of any running task (+∞ when none runs). */
  lowestPriority(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const p of this.byPriority.keys()) lowest = Math.min(lowest, p);
    return lowest;
  }

  /** Every running placement id, ascending. */
  *running(): IterableIterator<number> {
    for (let id = 0; id < this.tasks.length; id++) if (this.tasks[id]) yield id;
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, this.nodeOf.length * 2);
    const nodes = new Int32Array(size);
    nodes.set(this.nodeOf);
    this.nodeOf = nodes;
    this.startOf = widened(this.startOf, size);
    this.workOf = widened(this.workOf, size);
    this.workFrom = widened(this.workFrom, size);
  }
}

function widened(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(size);
  out.set(a);
  return out;
}
