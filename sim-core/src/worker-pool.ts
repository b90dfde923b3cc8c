import { Worker } from "node:worker_threads";
import { type Remote, wrap } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";

/**
 * A fixed pool of worker threads, each exposing an API through comlink. `run` hands items to idle
 * workers and reports each outcome as it arrives. Results are reported by item index, so the caller can
 * order them independently of which worker finished first.
 *
 * An item fails only if its own call fails: the call throws (the worker keeps serving), the worker dies
 * of an uncaught error or a non-zero exit while running it, or it outlasts the timeout. A worker found
 * dead when an item is about to start is replaced first, so a worker that exits or crashes after
 * returning its result (from a timer, say) is not held against the next item.
 *
 * Its death can go unseen for a moment, though: the thread may be gone once the next item has been
 * posted to it but before its 'exit' event reaches this thread, and that item is lost without having
 * run. A clean exit (code 0, no uncaught error) during a call is a worker ending on its own rather than
 * failing, so such an item is run once more on a fresh worker (one that exits with code 0 itself fails
 * after two attempts). A crash (uncaught error, non-zero exit code, out of memory) is not
 * retried: it is most likely the item's own doing, and rerunning a long simulation to crash again would
 * only cost time.
 */
export interface PoolOutcome<R> {
  index: number;
  ok: boolean;
  value?: R;
  error?: string;
}

export interface PoolOptions {
  /**
   * Fail an item whose call takes longer than this many milliseconds; its worker is terminated and
   * replaced. The clock starts once the worker serves, so a fresh worker's start-up (loading its script,
   * slow on a loaded machine) is not held against the item; see `startTimeoutMs`. No limit if undefined.
   */
  timeoutMs?: number;
  /**
   * Fail an item whose fresh worker does not serve within this many milliseconds of being started
   * (a worker script stuck in its set-up); the worker is terminated and replaced. Defaults to 60 s
   * when `timeoutMs` is set, and to no limit otherwise.
   */
  startTimeoutMs?: number;
}

interface Slot<Api> {
  worker: Worker;
  api: Remote<Api>;
  /** False from the worker's 'error' or 'exit' event on (or once we terminate it). */
  alive: boolean;
  /** If the worker ended by exiting with code 0 and no uncaught error: the error `died` rejects with. */
  cleanExit?: Error;
  /** Resolves once the worker has answered a request: its script is loaded and serving. */
  ready?: Promise<unknown>;
  /** Rejects when the worker dies, with its uncaught error or its exit code. */
  died: Promise<never>;
}

type Attempt<R> = { ok: true; value: R } | { ok: false; error: string; lostToCleanExit: boolean };

const TIMED_OUT = Symbol("timed out");
/**
 * A property no API has: reading it through comlink costs one round trip and yields undefined, which
 * tells that the worker serves.
 */
const READY_PROBE = "__workerPoolReadyProbe__";
/** setTimeout's largest delay: longer ones fire after 1 ms (Node's documentation of setTimeout). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Start-up limit when only a call timeout is given: ample for a worker to load its script. */
const DEFAULT_START_TIMEOUT_MS = 60_000;

export class WorkerPool<Api> {
  private readonly slots: Slot<Api>[] = [];
  /** Terminations under way (timed-out workers), awaited by close(). */
  private readonly stopping = new Set<Promise<unknown>>();

  constructor(
    private readonly script: string | URL,
    private readonly size: number,
    private readonly options: PoolOptions = {},
  ) {
    if (!(Number.isInteger(size) && size >= 1))
      throw new RangeError(`workers: expected an integer >= 1, found ${size}`);
    checkTimeout("timeoutMs", options.timeoutMs);
    checkTimeout("startTimeoutMs", options.startTimeoutMs);
  }

  private spawn(): Slot<Api> {
    const worker = new Worker(this.script);
    const api = wrap<Api>(nodeEndpoint(worker as never));
    let slot!: Slot<Api>;
    const died = new Promise<never>((_, reject) => {
      // Rejected a macrotask late: on exit, Node drains the worker's port, emitting any reply it sent but
      // this thread had not yet read just before 'exit' (lib/internal/worker.js, kOnExit), and comlink
      // settles that call some microtasks later. Rejecting at once would beat a result that did arrive.
      const rejectSoon = (err: Error) => setImmediate(() => reject(err));
      // 'error' (an uncaught exception, or out of memory) is always followed by 'exit' (code 1).
      worker.once("error", (err) => {
        slot.alive = false;
        rejectSoon(err instanceof Error ? err : new Error(String(err)));
      });
      worker.once("exit", (code) => {
        const err = new Error(`worker exited with code ${code}`);
        if (slot.alive && code === 0) slot.cleanExit = err; // not after an 'error', nor terminate()
        slot.alive = false;
        rejectSoon(err);
      });
    });
    died.catch(() => undefined); // observed by the races in callOnce(); silence unhandled rejections
    slot = { worker, api, alive: true, died };
    return slot;
  }

  /**
   * Start the workers of the first `count` lanes (default: all of them) now rather than on their first
   * item, so that they load their script while the caller still prepares the items. Workers already
   * running are kept; a worker started here and never used is stopped by close().
   */
  start(count = this.size): void {
    if (!(Number.isInteger(count) && count >= 0))
      throw new RangeError(`start: expected an integer >= 0, found ${count}`);
    for (let k = 0; k < Math.min(count, this.size); k++) this.liveSlot(k);
  }

  /** Lane k's worker, replaced first if it has died since its last item. */
  private liveSlot(k: number): Slot<Api> {
    let slot = this.slots[k];
    if (!slot?.alive) slot = this.slots[k] = this.spawn();
    return slot;
  }

  /** Terminate a worker that is still running (timed out), remembering the termination for close(). */
  private retire(slot: Slot<Api>): void {
    slot.alive = false;
    const done = slot.worker.terminate().catch(() => undefined);
    this.stopping.add(done);
    void done.then(() => this.stopping.delete(done));
  }

  /**
   * Run `call` on every item, at most `size` at a time; `onOutcome` sees each result or error, once per
   * item. `options` override the pool's, field by field. If `onOutcome` throws, no further item is started
   * and `run` rejects with that error once the items under way have finished.
   */
  async run<T, R>(
    items: readonly T[],
    call: (api: Remote<Api>, item: T) => Promise<R>,
    onOutcome: (o: PoolOutcome<R>) => void,
    options: PoolOptions = {},
  ): Promise<void> {
    checkTimeout("timeoutMs", options.timeoutMs);
    checkTimeout("startTimeoutMs", options.startTimeoutMs);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const limits = {
      timeoutMs,
      startTimeoutMs:
        options.startTimeoutMs ??
        this.options.startTimeoutMs ??
        (timeoutMs === undefined ? undefined : DEFAULT_START_TIMEOUT_MS),
    };
    let next = 0;
    const lane = async (k: number): Promise<void> => {
      while (next < items.length) {
        const index = next++;
        let r = await this.callOnce(k, items[index], call, limits);
        if (!r.ok && r.lostToCleanExit) {
          r = await this.callOnce(k, items[index], call, limits);
          if (!r.ok && r.lostToCleanExit) r.error += " (also on a retry with a fresh worker)";
        }
        try {
          onOutcome(r.ok ? { index, ok: true, value: r.value } : { index, ok: false, error: r.error });
        } catch (err) {
          next = items.length;
          throw err;
        }
      }
    };
    const lanes = Array.from({ length: Math.min(this.size, Math.max(1, items.length)) }, (_, k) => lane(k));
    // allSettled, then rethrow: the other lanes finish their items before run() returns.
    const settled = await Promise.allSettled(lanes);
    for (const s of settled) if (s.status === "rejected") throw s.reason;
  }

  private async callOnce<T, R>(
    k: number,
    item: T,
    call: (api: Remote<Api>, item: T) => Promise<R>,
    { timeoutMs, startTimeoutMs }: PoolOptions,
  ): Promise<Attempt<R>> {
    const slot = this.liveSlot(k);
    const timers: NodeJS.Timeout[] = [];
    const deadline = (ms: number) =>
      new Promise<typeof TIMED_OUT>((resolve) => timers.push(setTimeout(resolve, ms, TIMED_OUT)));
    try {
      // Set whenever timeoutMs is (run() supplies the default), so that the call's clock starts only
      // once the worker serves.
      if (startTimeoutMs !== undefined) {
        slot.ready ??= Promise.resolve((slot.api as unknown as Record<string, PromiseLike<unknown>>)[READY_PROBE]);
        if ((await Promise.race([slot.ready, slot.died, deadline(startTimeoutMs)])) === TIMED_OUT) {
          this.retire(slot);
          const error = `timed out after ${startTimeoutMs / 1000} s starting a worker`;
          return { ok: false, error, lostToCleanExit: false };
        }
      }
      const racers: Promise<R | typeof TIMED_OUT>[] = [slot.died];
      if (timeoutMs !== undefined) racers.push(deadline(timeoutMs));
      // Promise.race subscribes to the call, so a rejection after the race is decided stays handled.
      racers.push(call(slot.api, item));
      const value = await Promise.race(racers);
      if (value === TIMED_OUT) {
        this.retire(slot);
        return { ok: false, error: `timed out after ${timeoutMs! / 1000} s`, lostToCleanExit: false };
      }
      return { ok: true, value: value as R };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { ok: false, error, lostToCleanExit: err === slot.cleanExit };
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  /** Stop every worker (a script never exits while one runs). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all([
      ...slots.map((s) => {
        s.alive = false;
        return s.worker.terminate().catch(() => undefined);
      }),
      ...this.stopping,
    ]);
  }
}

function checkTimeout(what: string, ms: number | undefined): void {
  if (ms !== undefined && !(ms > 0 && ms <= MAX_TIMEOUT_MS))
    throw new RangeError(`${what}: expected a number of milliseconds in (0, ${MAX_TIMEOUT_MS}], found ${ms}`);
}

/** Inside a worker thread: serve `api` to the pool that started it. */
export async function serveInWorker(api: object): Promise<void> {
  const { parentPort } = await import("node:worker_threads");
  if (!parentPort) throw new Error("serveInWorker: not running in a worker thread");
  const { expose } = await import("comlink");
  expose(api, nodeEndpoint(parentPort as never));
}
