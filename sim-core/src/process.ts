import type { EventKind, Simulation } from "./simulation.js";

/**
 * SimPy-style processes for model code that is not on the hot path (arrival generators, operators,
 * controllers). A process is a generator that yields what it waits for:
 *
 *   - a number: a delay in simulated time (`yield 5`);
 *   - a Signal: resumes when the signal succeeds, receiving its value (`const v = yield signal`);
 *   - another Process: resumes when it returns, receiving its return value.
 *
 * Resumptions are ordinary events of one kind ("process"), so they interleave with hot-path events in
 * the same (time, sequence) order and runs stay reproducible.
 */
export type Waitable = number | Signal<unknown> | Process<unknown>;
export type ProcessBody<T = void> = Generator<Waitable, T, unknown>;

/** A one-shot occurrence that processes can wait for (SimPy's Event). */
export class Signal<T = void> {
  private waiters: number[] = [];
  private fired = false;
  private result: T | undefined;

  constructor(private readonly scheduler: ProcessScheduler) {}

  get triggered(): boolean {
    return this.fired;
  }

  get value(): T | undefined {
    return this.result;
  }

  /** Fire the signal: every waiting process resumes now, in the order it started waiting. */
  succeed(value: T): void {
    if (this.fired) throw new Error("signal already succeeded");
    this.fired = true;
    this.result = value;
    for (const pid of this.waiters) this.scheduler.resumeNow(pid, value);
    this.waiters = [];
  }

  /** @internal */
  addWaiter(pid: number): void {
    if (this.fired) this.scheduler.resumeNow(pid, this.result);
    else this.waiters.push(pid);
  }
}

/** A running generator process. Yield it from another process to wait for its return value. */
export class Process<T = void> {
  constructor(
    readonly name: string,
    readonly done: Signal<T>,
  ) {}

  get finished(): boolean {
    return this.done.triggered;
  }
}

interface Running {
  body: ProcessBody<unknown>;
  process: Process<unknown>;
  done: Signal<unknown>;
  resumeValue: unknown;
}

/** Runs generator processes on a Simulation. One per simulation: get it with `processes(sim)`. */
export class ProcessScheduler {
  private readonly running: (Running | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private readonly resumeKind: EventKind;

  constructor(private readonly sim: Simulation) {
    this.resumeKind = sim.on("process", (pid) => this.resume(pid));
  }

  /** Start a process now: its body runs up to its first yield when the current event is done. */
  start<T>(body: ProcessBody<T>, name = "process"): Process<T> {
    const done = new Signal<T>(this);
    const process = new Process<T>(name, done);
    const pid = this.freeIds.pop() ?? this.running.length;
    this.running[pid] = {
      body: body as ProcessBody<unknown>,
      process: process as Process<unknown>,
      done: done as Signal<unknown>,
      resumeValue: undefined,
    };
    this.sim.after(0, this.resumeKind, pid);
    return process;
  }

  /** A new signal that processes of this simulation can wait for. */
  signal<T = void>(): Signal<T> {
    return new Signal<T>(this);
  }

  /** @internal */
  resumeNow(pid: number, value: unknown): void {
    const entry = this.running[pid];
    if (entry) entry.resumeValue = value;
    this.sim.after(0, this.resumeKind, pid);
  }

  private resume(pid: number): void {
    const entry = this.running[pid];
    if (!entry) return;
    const value = entry.resumeValue;
    entry.resumeValue = undefined;
    let step: IteratorResult<Waitable, unknown>;
    try {
      step = entry.body.next(value);
    } catch (err) {
      this.finish(pid);
      throw new ProcessError(entry.process.name, this.sim.now, err);
    }
    if (step.done) {
      this.finish(pid);
      entry.done.succeed(step.value);
      return;
    }
    const waited = step.value;
    if (typeof waited === "number") {
      if (!(waited >= 0 && waited < Infinity)) {
        this.finish(pid);
        throw new ProcessError(
          entry.process.name,
          this.sim.now,
          new RangeError(`yielded a delay of ${waited}: expected a finite number >= 0`),
        );
      }
      this.sim.after(waited, this.resumeKind, pid);
    } else if (waited instanceof Signal) {
      waited.addWaiter(pid);
    } else if (waited instanceof Process) {
      (waited.done as Signal<unknown>).addWaiter(pid);
    } else {
      this.finish(pid);
      throw new ProcessError(
        entry.process.name,
        this.sim.now,
        new TypeError(`yielded ${String(waited)}: expected a delay, a Signal or a Process`),
      );
    }
  }

  private finish(pid: number): void {
    this.running[pid] = undefined;
    this.freeIds.push(pid);
  }
}

/** An error thrown inside a process, with the process's name and the simulated time. */
export class ProcessError extends Error {
  constructor(
    readonly processName: string,
    readonly time: number,
    override readonly cause: unknown,
  ) {
    super(`process "${processName}" failed at t=${time}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ProcessError";
  }
}

const schedulers = new WeakMap<Simulation, ProcessScheduler>();

/** The process scheduler of a simulation, created on first use. */
export function processes(sim: Simulation): ProcessScheduler {
  let s = schedulers.get(sim);
  if (!s) {
    s = new ProcessScheduler(sim);
    schedulers.set(sim, s);
  }
  return s;
}

/**
 * A resource with a fixed number of identical units, granted first come, first served
 * (SimPy's Resource). `yield res.request()` waits for a unit; `res.release()` returns one.
 */
export class Resource {
  private inUse = 0;
  private readonly queue: Signal<void>[] = [];
  private queueHead = 0;

  constructor(
    private readonly scheduler: ProcessScheduler,
    readonly capacity: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`Resource capacity must be an integer >= 1, found ${capacity}`);
    }
  }

  get busy(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.queue.length - this.queueHead;
  }

  request(): Signal<void> {
    const granted = this.scheduler.signal<void>();
    if (this.inUse < this.capacity) {
      this.inUse++;
      granted.succeed();
    } else {
      this.queue.push(granted);
    }
    return granted;
  }

  release(): void {
    if (this.inUse === 0) throw new Error("Resource.release() without a matching request");
    if (this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead++];
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      next.succeed(); // the unit passes straight to the next waiter
    } else {
      this.inUse--;
    }
  }
}
