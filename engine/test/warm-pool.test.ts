import { ClusterState, FixedKeepAlive, type KeepAlivePolicy } from "@clustersim/hardware-models";
import { describe, expect, it } from "vitest";
import { WarmPool } from "../src/effects/warm-pool.js";

/** A clock whose timers run when `advance` passes them, in time order. */
function clock() {
  let now = 0;
  const timers: { t: number; fn: () => void }[] = [];
  return {
    nowS: () => now,
    at: (t: number, fn: () => void) => void timers.push({ t, fn }),
    advance(to: number) {
      for (;;) {
        timers.sort((a, b) => a.t - b.t);
        const next = timers[0];
        if (!next || next.t > to) break;
        timers.shift();
        now = next.t;
        next.fn();
      }
      now = to;
    },
  };
}

const nodes = () => new ClusterState([0, 1].map(() => ({ cpuMilli: 4000, memoryMiB: 1000 })));
const fn = { cpuMilli: 1000, memoryMiB: 300 };

describe("warm instances per node", () => {
  it("hold their memory on the node they ran on until the keep-alive ends, and serve the next invocation there", () => {
    const c = nodes();
    const k = clock();
    const pool = new WarmPool(c, new FixedKeepAlive(60), k);
    pool.ended("f", 1, 300, 0);
    expect(c.freeMemoryMiB(1)).toBe(700); // the idle instance holds its 300 MiB
    expect(pool.route("g", fn, 0)).toBe(-1); // another app: no instance, a cold start
    k.advance(10);
    expect(pool.route("f", fn, 10)).toBe(1); // warm, on node 1, with its memory handed back
    expect(c.freeMemoryMiB(1)).toBe(1000);
    expect(pool.route("f", fn, 10)).toBe(-1); // one instance, used
    // It ran 10–20 s; kept until 80 s, gone after.
    pool.ended("f", 1, 300, 20);
    k.advance(79);
    expect(c.freeMemoryMiB(1)).toBe(700);
    k.advance(81);
    expect(c.freeMemoryMiB(1)).toBe(1000);
    expect(pool.route("f", fn, 81)).toBe(-1);
    // Idle memory-time: 300 MiB for 0–10 s and 20–80 s.
    expect(pool.idleMiB.average(100) * 100).toBeCloseTo(300 * 70, 9);
  });

  it("tell the policy each idle period once, from the first invocation after it", () => {
    const c = nodes();
    const k = clock();
    const seen: number[] = [];
    const policy: KeepAlivePolicy = {
      name: "log",
      observeIdle: (_app, idleS) => void seen.push(idleS),
      window: () => ({ prewarmS: 0, keepAliveS: 0 }),
    };
    const pool = new WarmPool(c, policy, k);
    pool.ended("f", 0, 300, 100);
    // Two invocations in one idle period, and a retry of the second: one idle time, 20 s.
    pool.route("f", fn, 120);
    pool.route("f", fn, 125);
    pool.route("f", fn, 130);
    expect(seen).toEqual([20]);
    // The next period, after another end: its own idle time.
    pool.ended("f", 0, 300, 200);
    pool.route("f", fn, 260);
    expect(seen).toEqual([20, 60]);
  });

  it("keep one instance per app and node, load a pre-warmed one only where there is room, and skip nodes the invocation does not fit", () => {
    const c = nodes();
    const k = clock();
    // A policy that unloads for 30 s after an execution, then keeps warm for 60 s (the hybrid's shape).
    const prewarm: KeepAlivePolicy = {
      name: "p",
      observeIdle: () => {},
      window: () => ({ prewarmS: 30, keepAliveS: 60 }),
    };
    const pool = new WarmPool(c, prewarm, k);
    pool.ended("f", 0, 300, 0);
    expect(c.freeMemoryMiB(0)).toBe(1000); // unloaded for now
    expect(pool.route("f", fn, 5)).toBe(-1);
    pool.ended("f", 0, 300, 6); // the newer instance replaces the older on node 0
    c.place(0, { cpuMilli: 0, memoryMiB: 800 }); // no room left when it would load
    k.advance(40);
    expect(c.freeMemoryMiB(0)).toBe(200); // not loaded: 300 MiB do not fit
    const c2 = nodes();
    const k2 = clock();
    const pool2 = new WarmPool(c2, new FixedKeepAlive(600), k2);
    pool2.ended("f", 0, 300, 0);
    c2.place(0, { cpuMilli: 3500, memoryMiB: 0 }); // node 0's CPU is busy: the invocation would not fit
    expect(pool2.route("f", fn, 1)).toBe(-1);
    expect(c2.freeMemoryMiB(0)).toBe(700); // the instance stays for later
  });
});
