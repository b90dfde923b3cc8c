import { Worker } from "node:worker_threads";
import { type Remote, wrap } from "comlink";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";

/**
 * A fixed pool of worker threads, each exposing an API through comlink. `run` hands items to idle
 * workers and reports each outcome as it arrives; a worker that crashes (exits, or dies of an
 * uncaught error) fails only the item it was running and is replaced. Results are reported by item
 * index, so the caller can order them independently of which worker finished first.
 */
export interface PoolOutcome<R> {
  index: number;
  ok: boolean;
  value?: R;
  error?: string;
}

interface Slot<Api> {
  worker: Worker;
  api: Remote<Api>;
  /** Rejects when the worker dies. */
  died: Promise<never>;
}

export class WorkerPool<Api> {
  private readonly slots: Slot<Api>[] = [];

  constructor(
    private readonly script: string | URL,
    private readonly size: number,
  ) {
    if (!(Number.isInteger(size) && size >= 1))
      throw new RangeError(`workers: expected an integer >= 1, found ${size}`);
  }

  private spawn(): Slot<Api> {
    const worker = new Worker(this.script);
    const api = wrap<Api>(nodeEndpoint(worker as never));
    const died = new Promise<never>((_, reject) => {
      worker.once("error", (err) => reject(err instanceof Error ? err : new Error(String(err))));
      worker.once("exit", (code) => reject(new Error(`worker exited with code ${code}`)));
    });
    died.catch(() => undefined); // observed by the race in run(); silence unhandled rejections
    return { worker, api, died };
  }

  /** Run `call` on every item, at most `size` at a time; `onOutcome` sees each result or error. */
  async run<T, R>(
    items: readonly T[],
    call: (api: Remote<Api>, item: T) => Promise<R>,
    onOutcome: (o: PoolOutcome<R>) => void,
  ): Promise<void> {
    let next = 0;
    const lane = async (k: number): Promise<void> => {
      while (next < items.length) {
        const index = next++;
        if (!this.slots[k]) this.slots[k] = this.spawn();
        const slot = this.slots[k];
        try {
          const value = await Promise.race([call(slot.api, items[index]), slot.died]);
          onOutcome({ index, ok: true, value });
        } catch (err) {
          onOutcome({ index, ok: false, error: err instanceof Error ? err.message : String(err) });
          // A dead worker is replaced; a live one that threw keeps serving.
          if (await isDead(slot)) {
            await slot.worker.terminate().catch(() => undefined);
            this.slots[k] = this.spawn();
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.size, Math.max(1, items.length)) }, (_, k) => lane(k)));
  }

  /** Stop every worker (a script never exits while one runs). */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
    this.slots.length = 0;
  }
}

async function isDead(slot: Slot<unknown>): Promise<boolean> {
  return Promise.race([
    slot.died.then(
      () => false,
      () => true,
    ),
    new Promise<boolean>((r) => setImmediate(() => r(false))),
  ]);
}

/** Inside a worker thread: serve `api` to the pool that started it. */
export async function serveInWorker(api: object): Promise<void> {
  const { parentPort } = await import("node:worker_threads");
  if (!parentPort) throw new Error("serveInWorker: not running in a worker thread");
  const { expose } = await import("comlink");
  expose(api, nodeEndpoint(parentPort as never));
}
