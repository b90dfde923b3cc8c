import { type PoolOptions, type PoolOutcome, WorkerPool } from "@clustersim/sim-core";
import { afterEach, describe, expect, it } from "vitest";

interface Result {
  value: number;
  threadId: number;
}
interface ExitApi {
  work(x: number, ms?: number): Result;
}
type Mode = "ok" | "ok-then-exit" | "hang" | "spin" | "throw" | "crash" | "exit3" | "exit0";
interface ModesApi {
  work(mode: Mode, x: number): Result;
}

const EXIT_AFTER_RETURN = new URL("./fixtures/exit-after-return.mjs", import.meta.url);
const MODES = new URL("./fixtures/pool-worker.mjs", import.meta.url);
const NEVER_SERVES = new URL("./fixtures/never-serves.mjs", import.meta.url);

const pools: WorkerPool<unknown>[] = [];
function pool<Api>(script: URL, size: number, options?: PoolOptions): WorkerPool<Api> {
  const p = new WorkerPool<Api>(script, size, options);
  pools.push(p as WorkerPool<unknown>);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** Outcomes in item order. */
async function runAll<Api, T>(
  p: WorkerPool<Api>,
  items: readonly T[],
  call: (api: import("comlink").Remote<Api>, item: T) => Promise<Result>,
  options?: PoolOptions,
): Promise<PoolOutcome<Result>[]> {
  const outcomes: PoolOutcome<Result>[] = [];
  await p.run(items, call, (o) => (outcomes[o.index] = o), options);
  expect(outcomes.filter(Boolean)).toHaveLength(items.length); // each item reported once
  return outcomes;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe("WorkerPool: workers that exit after returning", () => {
  it("runs every item, on fresh workers once the old ones have exited", async () => {
    const p = pool<ExitApi>(EXIT_AFTER_RETURN, 2);
    const items = Array.from({ length: 40 }, (_, i) => i);
    // 3 ms of work per item: each worker's 10 ms exit timer fires a few items in, typically right after
    // it has answered and as the next item is posted to it.
    const out = await runAll(p, items, (api, x) => api.work(x, 3));
    expect(out.map((o) => o.error)).toEqual(items.map(() => undefined));
    expect(out.map((o) => o.value!.value)).toEqual(items.map((x) => 2 * x));
    // The exits did happen: far more threads served than the pool's two.
    expect(new Set(out.map((o) => o.value!.threadId)).size).toBeGreaterThan(2);
  });

  it("does not fail the next item when a worker exited between two runs", async () => {
    const p = pool<ExitApi>(EXIT_AFTER_RETURN, 1);
    const [first] = await runAll(p, [1], (api, x) => api.work(x));
    await sleep(100); // the worker exits meanwhile
    const [second] = await runAll(p, [2], (api, x) => api.work(x));
    expect(second).toMatchObject({ ok: true, value: { value: 4 } });
    expect(second.value!.threadId).not.toBe(first.value!.threadId);
  });

  it("keeps a result that arrives together with the worker's exit", async () => {
    const p = pool<ModesApi>(MODES, 1);
    const out = await runAll(p, ["ok-then-exit", "ok"] as Mode[], async (api, mode) => {
      if (mode === "ok") return api.work(mode, 1);
      await sleep(300); // let the fresh worker load its script and go idle
      const result = api.work(mode, 1);
      // Block this thread while the worker answers and exits: Node then hands over the reply while it
      // handles the exit (it drains the port first), the case where the exit used to win the race.
      busyWait(300);
      return result;
    });
    expect(out.map((o) => o.error ?? "ok")).toEqual(["ok", "ok"]);
    expect(out[1].value!.threadId).not.toBe(out[0].value!.threadId);
  });
});

describe("WorkerPool: start", () => {
  it("starts workers ahead of the items and runs the items on them", async () => {
    const p = pool<ModesApi>(MODES, 2);
    p.start();
    p.start(); // already running: kept
    expect(() => p.start(-1)).toThrow(/start/);
    const threads = (p as unknown as { slots: { worker: { threadId: number } }[] }).slots.map((s) => s.worker.threadId);
    expect(threads).toHaveLength(2);
    const out = await runAll(p, [1, 2, 3, 4], (api, x) => api.work("ok", x));
    expect(out.map((o) => o.value!.value)).toEqual([2, 4, 6, 8]);
    expect(new Set(out.map((o) => o.value!.threadId))).toEqual(new Set(threads));
  });

  it("starts no more workers than asked, nor than the pool's size", async () => {
    const p = pool<ModesApi>(MODES, 2);
    p.start(1);
    expect((p as unknown as { slots: unknown[] }).slots).toHaveLength(1);
    p.start(5);
    expect((p as unknown as { slots: unknown[] }).slots).toHaveLength(2);
    await p.close(); // stops workers that never ran an item
    expect((p as unknown as { slots: unknown[] }).slots).toHaveLength(0);
  });
});

describe("WorkerPool: timeouts", () => {
  it("fails an item that hangs or spins past the timeout, replaces its worker, and runs the rest", async () => {
    const p = pool<ModesApi>(MODES, 1, { timeoutMs: 300 });
    const modes: Mode[] = ["ok", "hang", "ok", "spin", "ok", "ok"];
    const out = await runAll(p, modes, (api, mode) => api.work(mode, 1));
    expect(out.map((o) => o.error ?? "ok")).toEqual([
      "ok",
      "timed out after 0.3 s",
      "ok",
      "timed out after 0.3 s",
      "ok",
      "ok",
    ]);
    const threads = out.map((o) => o.value?.threadId);
    expect(threads[2]).not.toBe(threads[0]); // replaced after the hang
    expect(threads[4]).not.toBe(threads[2]); // and after the spin
    expect(threads[5]).toBe(threads[4]);
  });

  it("takes a per-run timeout over the pool's, and checks it", async () => {
    const p = pool<ModesApi>(MODES, 2, { timeoutMs: 60_000 });
    const out = await runAll(p, ["hang", "ok"] as Mode[], (api, mode) => api.work(mode, 1), { timeoutMs: 200 });
    expect(out.map((o) => o.error ?? "ok")).toEqual(["timed out after 0.2 s", "ok"]);
    await expect(
      p.run(
        [],
        async () => 0,
        () => undefined,
        { timeoutMs: 0 },
      ),
    ).rejects.toThrow(/timeoutMs/);
    expect(() => new WorkerPool(MODES, 1, { timeoutMs: 2 ** 31 })).toThrow(/timeoutMs/);
    expect(() => new WorkerPool(MODES, 1, { startTimeoutMs: -1 })).toThrow(/startTimeoutMs/);
  });
  it("bounds a worker's start-up", async () => {
    const p = pool<ModesApi>(NEVER_SERVES, 1, { timeoutMs: 60_000, startTimeoutMs: 200 });
    const out = await runAll(p, ["ok"] as Mode[], (api, mode) => api.work(mode, 1));
    expect(out[0]).toMatchObject({ ok: false, error: "timed out after 0.2 s starting a worker" });
  });
});

describe("WorkerPool: failures", () => {
  it("fails only the item whose call crashed its worker, threw, or exited", async () => {
    const p = pool<ModesApi>(MODES, 2);
    const modes: Mode[] = ["ok", "ok", "crash", "ok", "ok", "exit3", "ok", "throw", "ok", "ok"];
    const out = await runAll(p, modes, (api, mode) => api.work(mode, modes.indexOf(mode)));
    const expected = modes.map((m, i) =>
      m === "crash"
        ? "crash on item 2"
        : m === "exit3"
          ? "worker exited with code 3"
          : m === "throw"
            ? `bad item ${i}`
            : "ok",
    );
    expect(out.map((o) => o.error ?? "ok")).toEqual(expected);
  });

  it("keeps a worker whose call threw", async () => {
    const p = pool<ModesApi>(MODES, 1);
    const out = await runAll(p, ["ok", "throw", "ok"] as Mode[], (api, mode) => api.work(mode, 1));
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[2].value!.threadId).toBe(out[0].value!.threadId);
  });

  it("retries an item whose worker exits cleanly once, then fails it", async () => {
    const p = pool<ModesApi>(MODES, 1);
    const out = await runAll(p, ["exit0", "ok"] as Mode[], (api, mode) => api.work(mode, 1));
    expect(out[0]).toMatchObject({
      ok: false,
      error: "worker exited with code 0 (also on a retry with a fresh worker)",
    });
    expect(out[1]).toMatchObject({ ok: true, value: { value: 2 } });
  });

  it("stops starting items when onOutcome throws, and rejects", async () => {
    const p = pool<ModesApi>(MODES, 1);
    let calls = 0;
    const run = p.run(
      ["ok", "ok", "ok"] as Mode[],
      (api, mode) => {
        calls++;
        return api.work(mode, 1);
      },
      () => {
        throw new Error("caller bug");
      },
    );
    await expect(run).rejects.toThrow("caller bug");
    expect(calls).toBe(1);
  });
});
