import type { Task } from "@clustersim/workloads";

export type TaskSource = Iterator<Task> | Iterable<Task> | AsyncIterable<Task> | AsyncIterator<Task>;

/**
 * The run's arrivals, read one task ahead: the next task is known before its arrival instant, so only
 * a small buffer of the workload is ever in memory. A synchronous source is read directly; an
 * asynchronous one (trace files, merged workloads) in chunks of fixed size, which the run awaits
 * between event-loop slices (`refill`). Arrivals are not events in the event queue: the run takes
 * them at the end of their instant, so where chunks end never changes the order of anything.
 */
export class ArrivalPump {
  private readonly buffer: Task[] = [];
  private pos = 0;
  private exhausted = false;
  private ahead: Task | undefined;
  private hasAhead = false;

  private constructor(
    private readonly source: Iterator<Task> | AsyncIterator<Task>,
    readonly isSync: boolean,
    private readonly chunk = 4096,
  ) {}

  static of(tasks: TaskSource): ArrivalPump {
    const t = tasks as object;
    if (Symbol.asyncIterator in t)
      return new ArrivalPump((tasks as AsyncIterable<Task>)[Symbol.asyncIterator](), false);
    if (Symbol.iterator in t && typeof (tasks as Iterator<Task>).next !== "function") {
      return new ArrivalPump((tasks as Iterable<Task>)[Symbol.iterator](), true);
    }
    return new ArrivalPump(tasks as Iterator<Task>, true);
  }

  /**
   * The next task without taking it: a task, null when the source is done, or undefined when an
   * asynchronous source must be refilled first.
   */
  peek(): Task | null | undefined {
    if (this.hasAhead) return this.ahead ?? null;
    if (this.isSync) {
      const r = (this.source as Iterator<Task>).next();
      if (r.value !== undefined && typeof (r.value as { then?: unknown }).then === "function") {
        throw new TypeError("the task source returns promises: give the run an asynchronous source");
      }
      this.ahead = r.done ? undefined : r.value;
    } else if (this.pos < this.buffer.length) {
      this.ahead = this.buffer[this.pos];
      this.buffer[this.pos++] = undefined as unknown as Task;
    } else if (this.exhausted) this.ahead = undefined;
    else return undefined;
    this.hasAhead = true;
    return this.ahead ?? null;
  }

  /** Take the task `peek` returned. */
  take(): void {
    this.hasAhead = false;
    this.ahead = undefined;
  }

  /** Read the next chunk of an asynchronous source. */
  async refill(): Promise<void> {
    this.buffer.length = 0;
    this.pos = 0;
    const src = this.source as AsyncIterator<Task>;
    while (this.buffer.length < this.chunk) {
      const r = await src.next();
      if (r.done) {
        this.exhausted = true;
        break;
      }
      this.buffer.push(r.value);
    }
  }
}
