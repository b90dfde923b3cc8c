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
  /**
   * Each running task's placement id, kept only once someone asks (`idOf`: controllers that evict,
   * resize or slow a task): kept from the start, the map took 17% of bench:scale's best-fit run (4.15
   * against 3.46 s without it), in a run that never asks.
   */
  private ids: Map<Task, number> | null = null;
  /**
   * The placements on each node in the order they were placed there: a list threaded through the ids
   * (first and last per node, next and previous per id; -1 ends). A set per node cost a tenth of
   * bench:scale's best-fit run in its own upkeep.
   */
  private firstOn = new Int32Array(0);
  private lastOn = new Int32Array(0);
  private nextOf = new Int32Array(1024);
  private prevOf = new Int32Array(1024);
  private readonly byPriority = new Map<number, number>();
  /** The least key of byPriority, or NaN when a key came or went since it was last found. */
  private lowest = Number.POSITIVE_INFINITY;

  /** Placement `id` of `task` as `pod` on `node`, started at `nowS` (its work set by `setWork`). */
  add(id: number, task: Task, pod: Pod, node: number, nowS: number): void {
    if (id >= this.nodeOf.length) this.grow(id);
    this.nodeOf[id] = node;
    this.startOf[id] = nowS;
    this.ids?.set(task, id);
    this.tasks[id] = task;
    this.pods[id] = pod;
    this.live++;
    this.link(id, node);
    const prio = task.priority ?? 0;
    const had = this.byPriority.get(prio) ?? 0;
    this.byPriority.set(prio, had + 1);
    if (had === 0) this.lowest = Number.NaN;
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
    this.ids?.delete(task);
    this.unlink(id, this.nodeOf[id]);
    const prio = task.priority ?? 0;
    const left = (this.byPriority.get(prio) ?? 1) - 1;
    if (left > 0) this.byPriority.set(prio, left);
    else {
      this.byPriority.delete(prio);
      this.lowest = Number.NaN;
    }
    this.live--;
    return { task, pod };
  }

  /** The placement id of a running task. */
  idOf(task: Task): number | undefined {
    if (this.ids === null) {
      this.ids = new Map();
      for (let id = 0; id < this.tasks.length; id++) {
        const t = this.tasks[id];
        if (t) this.ids.set(t, id);
      }
    }
    return this.ids.get(task);
  }

  /** The placement ids on `node`, in ascending order. */
  idsOn(node: number): number[] {
    return this.placedOn(node).sort((a, b) => a - b);
  }

  /** The placement ids on `node` in the order they were placed there. */
  placedOn(node: number): number[] {
    const ids: number[] = [];
    if (node < this.firstOn.length) for (let id = this.firstOn[node]; id >= 0; id = this.nextOf[id]) ids.push(id);
    return ids;
  }

  /** The lowest priority of any running task (+∞ when none runs). */
  lowestPriority(): number {
    // Asked for every pod that fits nowhere (preemption's first test): found again only after a change.
    if (Number.isNaN(this.lowest)) {
      this.lowest = Number.POSITIVE_INFINITY;
      for (const p of this.byPriority.keys()) this.lowest = Math.min(this.lowest, p);
    }
    return this.lowest;
  }

  /** Every running placement id, ascending. */
  *running(): IterableIterator<number> {
    for (let id = 0; id < this.tasks.length; id++) if (this.tasks[id]) yield id;
  }

  private link(id: number, node: number): void {
    if (node >= this.firstOn.length) {
      const size = Math.max(node + 1, this.firstOn.length * 2);
      this.firstOn = widenedInts(this.firstOn, size, -1);
      this.lastOn = widenedInts(this.lastOn, size, -1);
    }
    const last = this.lastOn[node];
    this.prevOf[id] = last;
    this.nextOf[id] = -1;
    if (last >= 0) this.nextOf[last] = id;
    else this.firstOn[node] = id;
    this.lastOn[node] = id;
  }

  private unlink(id: number, node: number): void {
    const prev = this.prevOf[id];
    const next = this.nextOf[id];
    if (prev >= 0) this.nextOf[prev] = next;
    else this.firstOn[node] = next;
    if (next >= 0) this.prevOf[next] = prev;
    else this.lastOn[node] = prev;
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, this.nodeOf.length * 2);
    this.nodeOf = widenedInts(this.nodeOf, size, 0);
    this.nextOf = widenedInts(this.nextOf, size, -1);
    this.prevOf = widenedInts(this.prevOf, size, -1);
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

function widenedInts(a: Int32Array, size: number, fill: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size).fill(fill);
  out.set(a);
  return out;
}
