import { type ProcessBody, ProcessError, processes, Resource, type Signal, Simulation } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

describe("generator processes", () => {
  it("waits on delays and interleaves with ordinary events by time", () => {
    const sim = new Simulation();
    const log: string[] = [];
    const k = sim.on("k", () => log.push(`event @${sim.now}`));
    sim.at(2.5, k);
    function* clock(name: string, period: number): ProcessBody {
      for (let i = 0; i < 3; i++) {
        log.push(`${name} @${sim.now}`);
        yield period;
      }
    }
    processes(sim).start(clock("fast", 1));
    processes(sim).start(clock("slow", 2));
    sim.run();
    // At t=2, "slow" resumes first: its wake-up was scheduled at t=0, "fast"'s only at t=1.
    expect(log).toEqual(["fast @0", "slow @0", "fast @1", "slow @2", "fast @2", "event @2.5", "slow @4"]);
  });

  it("delivers signal values and return values to waiting processes", () => {
    const sim = new Simulation();
    const procs = processes(sim);
    const got: unknown[] = [];
    const ready: Signal<string> = procs.signal<string>();
    function* producer(): ProcessBody<number> {
      yield 3;
      ready.succeed("data");
      yield 1;
      return 42;
    }
    const p = procs.start(producer(), "producer");
    procs.start(
      (function* (): ProcessBody {
        got.push(yield ready, sim.now);
        got.push(yield p, sim.now);
        got.push(yield ready, sim.now); // already fired: resumes at once with the same value
      })(),
    );
    sim.run();
    expect(got).toEqual(["data", 3, 42, 4, "data", 4]);
    expect(p.finished).toBe(true);
  });

  it("reports an error thrown inside a process with its name and time", () => {
    const sim = new Simulation();
    processes(sim).start(
      (function* (): ProcessBody {
        yield 2;
        throw new Error("boom");
      })(),
      "faulty",
    );
    expect(() => sim.run()).toThrow(ProcessError);
    expect(() => new Simulation().run()).not.toThrow();
  });

  it("rejects a negative delay and a value it cannot wait for", () => {
    const sim = new Simulation();
    processes(sim).start(
      (function* (): ProcessBody {
        yield -1;
      })(),
      "neg",
    );
    expect(() => sim.run()).toThrow(/process "neg" failed at t=0: yielded a delay of -1/);
    const sim2 = new Simulation();
    processes(sim2).start(
      (function* (): ProcessBody<void> {
        yield "soon" as unknown as number;
      })(),
      "odd",
    );
    expect(() => sim2.run()).toThrow(/yielded soon: expected a delay, a Signal or a Process/);
  });
});

describe("Resource", () => {
  it("grants units first come, first served and hands a released unit to the next waiter", () => {
    const sim = new Simulation();
    const procs = processes(sim);
    const res = new Resource(procs, 2);
    const log: string[] = [];
    function* user(name: string, arrive: number, hold: number): ProcessBody {
      yield arrive;
      yield res.request();
      log.push(`${name} in @${sim.now}`);
      yield hold;
      res.release();
    }
    procs.start(user("a", 0, 5));
    procs.start(user("b", 1, 5));
    procs.start(user("c", 2, 1));
    procs.start(user("d", 3, 1));
    sim.run();
    expect(log).toEqual(["a in @0", "b in @1", "c in @5", "d in @6"]);
    expect(res.busy).toBe(0);
    expect(() => res.release()).toThrow(/without a matching request/);
    expect(() => new Resource(procs, 0)).toThrow(/integer >= 1/);
  });
});
