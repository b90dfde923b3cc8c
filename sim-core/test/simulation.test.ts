import { Simulation } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

describe("Simulation scheduling", () => {
  it("fires handlers per kind in time order with the clock at the event's time", () => {
    const sim = new Simulation();
    const log: string[] = [];
    const ping = sim.on("ping", (target, arg) => log.push(`ping ${target} ${arg} @${sim.now}`));
    const pong = sim.on("pong", (target) => log.push(`pong ${target} @${sim.now}`));
    sim.at(5, pong, 1);
    sim.at(2, ping, 7, 0.5);
    sim.after(3, ping, 8);
    const summary = sim.run();
    expect(log).toEqual(["ping 7 0.5 @2", "ping 8 0 @3", "pong 1 @5"]);
    expect(summary).toMatchObject({ events: 3, simTime: 5, stoppedBy: "empty" });
    expect(summary.wallS).toBeGreaterThanOrEqual(0);
    expect(sim.kindName(pong)).toBe("pong");
  });

  it("runs same-time events in the order they were scheduled, including ones scheduled by handlers", () => {
    const sim = new Simulation();
    const order: number[] = [];
    const k = sim.on("k", (id) => {
      order.push(id);
      if (id === 1) sim.after(0, k, 99); // joins the back of the t=1 group
    });
    for (let id = 0; id < 5; id++) sim.at(1, k, id);
    sim.run();
    expect(order).toEqual([0, 1, 2, 3, 4, 99]);
  });

  it("stops at `until` without firing later events, and advances the clock to it", () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const k = sim.on("k", () => fired.push(sim.now));
    [1, 2, 3, 10].forEach((t) => sim.at(t, k));
    expect(sim.run({ until: 3 })).toMatchObject({ events: 3, simTime: 3, stoppedBy: "until" });
    expect(sim.now).toBe(3);
    expect(sim.pending).toBe(1);
    expect(sim.run({ until: 20 })).toMatchObject({ events: 1, simTime: 20, stoppedBy: "empty" });
    expect(fired).toEqual([1, 2, 3, 10]);
  });

  it("stops after maxEvents, and on stop() from a handler", () => {
    const sim = new Simulation();
    const tick = sim.on("tick", () => {
      sim.after(1, tick);
      if (sim.now === 50) sim.stop();
    });
    sim.at(0, tick);
    expect(sim.run({ maxEvents: 10 })).toMatchObject({ events: 10, simTime: 9, stoppedBy: "max-events" });
    expect(sim.run()).toMatchObject({ simTime: 50, stoppedBy: "stopped" });
    expect(sim.eventsProcessed).toBe(51);
  });

  it("step() processes exactly one event", () => {
    const sim = new Simulation();
    let n = 0;
    const k = sim.on("k", () => n++);
    sim.at(1, k);
    sim.at(2, k);
    expect(sim.step()).toBe(true);
    expect([n, sim.now, sim.peek()]).toEqual([1, 1, 2]);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(false);
  });

  it("cancels pending events", () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const k = sim.on("k", (id) => fired.push(id));
    const a = sim.at(1, k, 1);
    const b = sim.at(2, k, 2);
    expect(sim.cancel(b)).toBe(true);
    expect(sim.isPending(a)).toBe(true);
    sim.run();
    expect(fired).toEqual([1]);
    expect(sim.cancel(a)).toBe(false);
  });

  it("rejects events in the past, at non-finite times, of unknown kinds or with bad targets", () => {
    const sim = new Simulation();
    const k = sim.on("k", () => {});
    sim.at(5, k);
    sim.run();
    expect(() => sim.at(4, k)).toThrow(/"k" at time 4: expected a finite time >= now \(5\)/);
    expect(() => sim.at(NaN, k)).toThrow(/expected a finite time/);
    expect(() => sim.after(Infinity, k)).toThrow(/expected a finite time/);
    expect(() => sim.after(-1, k)).toThrow(/expected a finite time/);
    expect(() => sim.after(1, 3)).toThrow(/no such kind is registered/);
    expect(() => sim.after(1, k, 1.5)).toThrow(/32-bit integer/);
    expect(() => sim.on("k", () => {})).toThrow(/already registered/);
    expect(() => sim.run({ until: 1 })).toThrow(/expected a time >= now/);
  });

  it("refuses a nested run() from a handler", () => {
    const sim = new Simulation();
    const k = sim.on("k", () => sim.run());
    sim.at(1, k);
    expect(() => sim.run()).toThrow(/inside an event handler/);
  });
});

describe("Simulation determinism", () => {
  /** A small stochastic model: jobs hop between 50 nodes, with cancellations; returns a hash of its event trace. */
  function traceHash(seed: number): string {
    const sim = new Simulation({ seed });
    const hops = sim.rng("hops");
    const delays = sim.rng("delays");
    let h = 0xcbf29ce484222325n;
    const mix = (x: number) => {
      h ^= BigInt.asUintN(64, BigInt(Math.round(x * 1e6)));
      h = BigInt.asUintN(64, h * 0x100000001b3n);
    };
    const timeouts: number[] = [];
    const hop = sim.on("hop", (job, from) => {
      mix(sim.now);
      mix(job);
      mix(from);
      const to = hops.int(0, 49);
      timeouts[job] = sim.after(delays.exponential(1) + 5, timeout, job);
      sim.after(delays.lognormal(0, 1), hop, job, to);
    });
    const timeout = sim.on("timeout", (job) => mix(-job));
    for (let job = 0; job < 200; job++) sim.at(0, hop, job, 0);
    const cancelSome = sim.on("cancel", () => {
      for (let job = 0; job < 200; job += 3) if (timeouts[job] !== undefined) sim.cancel(timeouts[job]);
      sim.after(2, cancelSome);
    });
    sim.at(1, cancelSome);
    sim.run({ until: 200 });
    return h.toString(16);
  }

  it("gives the same event sequence for the same seed and a different one for another seed", () => {
    expect(traceHash(7)).toBe(traceHash(7));
    expect(traceHash(7)).not.toBe(traceHash(8));
  });
});

describe("the end of an instant", () => {
  it("runs after every event at the current time, before the clock moves on, and again after a stop", () => {
    const sim = new Simulation();
    const seen: string[] = [];
    let stopOnce = true;
    sim.onInstantEnd(() => {
      seen.push(`end@${sim.now}`);
      if (stopOnce && sim.now === 2) {
        // Pause inside the instant: asked again, it runs first when the run resumes.
        stopOnce = false;
        sim.requestInstantEnd();
        sim.stop();
      }
    });
    const ev = sim.on("ev", (id) => {
      seen.push(`ev${id}@${sim.now}`);
      if (id === 1) sim.at(sim.now, ev, 9); // same instant, scheduled from within it
      sim.requestInstantEnd();
    });
    sim.at(1, ev, 1);
    sim.at(1, ev, 2);
    sim.at(2, ev, 3);
    sim.at(3, ev, 4);
    expect(sim.run().stoppedBy).toBe("stopped");
    expect(seen).toEqual(["ev1@1", "ev2@1", "ev9@1", "end@1", "ev3@2", "end@2"]);
    sim.run();
    expect(seen.slice(6)).toEqual(["end@2", "ev4@3", "end@3"]);
  });
});
