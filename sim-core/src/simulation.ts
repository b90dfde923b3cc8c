import { type EventHandle, EventQueue } from "./event-queue.js";
import type { Rng } from "./random/rng.js";
import { RandomStreams, type Seed } from "./random/streams.js";
import { wallSeconds } from "./stopwatch.js";

/**
 * Called when an event of its kind fires. `target` says which entity it concerns (a node, a task, a
 * process: an index into the model's own typed arrays) and `arg` carries one number of payload. The
 * simulation's clock (`sim.now`) already reads the event's time.
 */
export type EventHandler = (target: number, arg: number) => void;

/** An event kind: the number `on()` returned for a handler. */
export type EventKind = number;

export interface SimulationOptions {
  /** Seed of every random stream (default 0). */
  seed?: Seed;
  /** Pending events to make room for up front (the queue grows as needed anyway). */
  initialCapacity?: number;
}

export interface RunOptions {
  /** Stop before the first event later than this time, and advance the clock to it. */
  until?: number;
  /** Stop after processing this many events in this call. */
  maxEvents?: number;
}

export type StopReason = "empty" | "until" | "max-events" | "stopped";

export interface RunSummary {
  /** Events processed by this call. */
  events: number;
  /** Simulated time when the call returned. */
  simTime: number;
  /** Why the call returned. */
  stoppedBy: StopReason;
  /** Wall-clock seconds the call took: a timing figure, never part of simulated results. */
  wallS: number;
}

/**
 * The discrete-event run loop: a clock, the event queue, handlers per event kind, and the named random
 * streams. Events at equal times fire in the order they were scheduled.
 *
 * Hot-path model code schedules `(time, kind, target, arg)` tuples and keeps its state in typed arrays;
 * nothing is allocated per event. For model code that is not hot, `process()` in ./process.ts offers
 * SimPy-style generator processes on top of this loop.
 */
export class Simulation {
  /** Current simulated time. */
  now = 0;
  readonly random: RandomStreams;

  private readonly queue: EventQueue;
  private readonly handlers: EventHandler[] = [];
  private readonly kindNames: string[] = [];
  private processed = 0;
  private stopRequested = false;
  private running = false;
  private instantEnd: (() => void) | null = null;
  /** The clock when the last run() stopped for lack of events or at `until`, before it moved to `until`. */
  lastEventTime = 0;
  private instantEndPending = false;

  constructor(options: SimulationOptions = {}) {
    this.random = new RandomStreams(options.seed ?? 0);
    this.queue = new EventQueue(options.initialCapacity);
  }

  /** The random stream called `name` (see RandomStreams). */
  rng(name: string): Rng {
    return this.random.get(name);
  }

  /** Register the handler of a new event kind and return the kind's number. Names must be unique. */
  on(name: string, handler: EventHandler): EventKind {
    if (this.kindNames.includes(name)) throw new Error(`event kind "${name}" is already registered`);
    this.kindNames.push(name);
    return this.handlers.push(handler) - 1;
  }

  /** The name an event kind was registered under. */
  kindName(kind: EventKind): string {
    const name = this.kindNames[kind];
    if (name === undefined) throw new RangeError(`no event kind ${kind} is registered`);
    return name;
  }

  /** Schedule an event of `kind` at absolute simulated time `time` (not before `now`). */
  at(time: number, kind: EventKind, target = 0, arg = 0): EventHandle {
    if (!(time >= this.now && time < Infinity)) {
      throw new RangeError(
        `cannot schedule "${this.kindNames[kind] ?? kind}" at time ${time}: expected a finite time >= now (${this.now})`,
      );
    }
    if (!(kind >= 0 && kind < this.handlers.length && (kind | 0) === kind)) {
      throw new RangeError(`cannot schedule an event of kind ${kind}: no such kind is registered (see on())`);
    }
    if ((target | 0) !== target) {
      throw new RangeError(`event target must be a 32-bit integer, found ${target}`);
    }
    return this.queue.push(time, kind, target, arg);
  }

  /** Schedule an event of `kind` `delay` time units from now (delay >= 0). */
  after(delay: number, kind: EventKind, target = 0, arg = 0): EventHandle {
    return this.at(this.now + delay, kind, target, arg);
  }

  /** Cancel a pending event; false if it already fired or was cancelled. O(1). */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  /** Whether the event behind `handle` is still pending. */
  isPending(handle: EventHandle): boolean {
    return this.queue.isPending(handle);
  }

  /** Number of pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /** Events processed since the simulation was created. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Time of the next pending event, or +Infinity. */
  peek(): number {
    return this.queue.peekTime();
  }

  /**
   * Install the handler that ends an instant: once requested (`requestInstantEnd`), it runs after the
   * last event at the current time and before the clock moves on, so it sees the state every event of
   * that instant left (a scheduler's pass after simultaneous arrivals and departures, say). It may
   * schedule events at the current time (they run, and may request it again) or request it again
   * and stop the run, to be called again first when the run resumes.
   */
  onInstantEnd(handler: () => void): void {
    if (this.instantEnd) throw new Error("an instant-end handler is already installed");
    this.instantEnd = handler;
  }

  /** Run the instant-end handler once the current instant's events are done. */
  requestInstantEnd(): void {
    if (!this.instantEnd) throw new Error("requestInstantEnd: no handler installed (see onInstantEnd)");
    this.instantEndPending = true;
  }

  /** Ask a running `run()` to return once the current event's handler is done. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Process the next event (or end the instant, when that was requested). Returns false when nothing is pending. */
  step(): boolean {
    const q = this.queue;
    if (this.instantEndPending && q.peekTime() !== this.now) {
      this.instantEndPending = false;
      this.instantEnd!();
      return true;
    }
    if (!q.pop()) return false;
    this.now = q.time;
    this.processed++;
    this.handlers[q.kind](q.target, q.arg);
    return true;
  }

  /** Process events in (time, sequence) order until the queue is empty or a limit is reached. */
  run(options: RunOptions = {}): RunSummary {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    if (!(until >= this.now)) throw new RangeError(`run until ${until}: expected a time >= now (${this.now})`);
    if (!(maxEvents >= 0)) throw new RangeError(`run maxEvents ${maxEvents}: expected a count >= 0`);
    if (this.running) throw new Error("run() called from inside an event handler");
    const started = wallSeconds();
    const first = this.processed;
    const last = first + maxEvents;
    const q = this.queue;
    const handlers = this.handlers;
    let stoppedBy: StopReason;
    this.stopRequested = false;
    this.running = true;
    try {
      for (;;) {
        if (this.stopRequested) {
          stoppedBy = "stopped";
          break;
        }
        if (this.processed >= last) {
          stoppedBy = "max-events";
          break;
        }
        const t = q.peekTime();
        if (this.instantEndPending && t !== this.now) {
          this.instantEndPending = false;
          this.instantEnd!();
          continue;
        }
        if (t > until || t === Infinity) {
          stoppedBy = t === Infinity ? "empty" : "until";
          this.lastEventTime = this.now;
          if (until < Infinity) this.now = until;
          break;
        }
        q.pop();
        this.now = t;
        this.processed++;
        handlers[q.kind](q.target, q.arg);
      }
    } finally {
      this.running = false;
    }
    return {
      events: this.processed - first,
      simTime: this.now,
      stoppedBy,
      wallS: wallSeconds() - started,
    };
  }
}
