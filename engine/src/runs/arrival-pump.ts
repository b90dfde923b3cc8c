import type { EventKind, RunSummary, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";

/**
 * Feeds a run its arrivals one at a time: the next task is scheduled as the current one arrives, so
 * only a small buffer of the workload is ever in memory. A synchronous source is read directly; an
 * asynchronous one (trace files, merged workloads) is read in chunks between event-loop slices: when
 * the buffer runs dry inside an event, the pump stops the simulation, the caller awaits `refill()`
 * and resumes. The chunk size is fixed, so a run stops at the same events every time: results do not
 * depend on timing.
 */
export class ArrivalPump {
  private readonly buffer: Task[] = [];
  private pos = 0;
  private exhausted = false;
  /** The task whose arrival event is pending (read by the arrival handler). */
  current: Task | undefined;
  /** The simulation was stopped to refill the buffer. */
  starved = false;

  constructor(
    private readonly source: Iterator<Task> | AsyncIterator<Task>,
    private readonly sync: boolean,
    private readonly chunk = 4096,
  ) {}

  static of(tasks: Iterator<Task> | AsyncIterator<Task> | Iterable<Task> | AsyncIterable<Task>): ArrivalPump {
    if (Symbol.asyncIterator in (tasks as object))
      return new ArrivalPump((tasks as AsyncIterable<Task>)[Symbol.asyncIterator](), false);
    if (Symbol.iterator in (tasks as object) && typeof (tasks as Iterator<Task>).next !== "function") {
      return new ArrivalPump((tasks as Iterable<Task>)[Symbol.iterator](), true);
    }
    // A bare iterator: synchronous unless its next() returns promises, which it tells only when called.
    return new ArrivalPump(tasks as Iterator<Task>, true);
  }

  get isSync(): boolean {
    return this.sync;
  }

  /** Schedule the next arrival (at its time, never before now), or stop the run to refill. */
  pull(sim: Simulation, arrive: EventKind): void {
    let next: Task | undefined;
    if (this.sync) {
      const r = (this.source as Iterator<Task>).next();
      next = r.done ? undefined : r.value;
    } else if (this.pos < this.buffer.length) {
      next = this.buffer[this.pos];
      this.buffer[this.pos++] = undefined as unknown as Task;
    } else if (!this.exhausted) {
      this.starved = true;
      sim.stop();
      return;
    }
    this.current = next;
    if (next) sim.at(Math.max(sim.now, next.arrivalS), arrive);
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

/** A run loop built around a simulation: its arrival event kind, and its result from the run's summary. */
export interface RunMachine<R> {
  sim: Simulation;
  arrive: EventKind;
  result(run: RunSummary): R;
}

type Source = Iterator<Task> | Iterable<Task> | AsyncIterable<Task>;

/** Drive a run loop from a synchronous source, in one call. */
export function driveSync<R>(
  source: Source,
  who: string,
  build: (pump: ArrivalPump) => RunMachine<R>,
  untilS?: number,
): R {
  const pump = ArrivalPump.of(source as Iterable<Task>);
  if (!pump.isSync) throw new TypeError(`${who}: the task source is asynchronous; use ${who}Async`);
  const m = build(pump);
  pump.pull(m.sim, m.arrive);
  return m.result(m.sim.run(untilS === undefined ? {} : { until: untilS }));
}

/**
 * Drive a run loop from any source, refilling the pump whenever it starved; the summary counts events
 * and wall seconds over all slices.
 */
export async function driveAsync<R>(
  source: Source,
  build: (pump: ArrivalPump) => RunMachine<R>,
  untilS?: number,
): Promise<R> {
  const pump = ArrivalPump.of(source);
  const m = build(pump);
  const { sim, arrive } = m;
  if (!pump.isSync) await pump.refill();
  pump.pull(sim, arrive);
  let events = 0;
  let wallS = 0;
  for (;;) {
    if (pump.starved) {
      pump.starved = false;
      await pump.refill();
      pump.pull(sim, arrive);
    }
    const s = sim.run(untilS === undefined ? {} : { until: untilS });
    events += s.events;
    wallS += s.wallS;
    if (!pump.starved) return m.result({ ...s, events, wallS });
  }
}
