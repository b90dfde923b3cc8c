import {
  BatchLoop,
  backoffS,
  type Controller,
  HardwareEffects,
  OnlineLoop,
  Run,
  type RunEffects,
  type RunListener,
  RunMetrics,
  runCluster,
  TaskLedger,
  wholeRequest,
} from "@clustersim/engine";
import { ClusterState, DPUS } from "@clustersim/hardware-models";
import { createPlacement, type Pod } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const rng = () => new RandomStreams(1).get("scheduler");
const nodes = (n: number, cores = 4) =>
  new ClusterState(Array.from({ length: n }, () => ({ cpuMilli: cores * 1000, memoryMiB: cores * 1024 })));
const t = (id: number, arrivalS: number, runS: number, cores: number, extra: Partial<Task> = {}) =>
  task({ id, arrivalS, runS, cpuMilli: cores * 1000, memoryMiB: 1, ...extra });

/** Every event of a run as text, in order: what two runs must agree on. */
function recorder(lines: string[]): RunListener {
  return {
    arrive: (x, now) => lines.push(`${now} a ${x.id}`),
    queue: (x, now) => lines.push(`${now} q ${x.id}`),
    start: (x, n, now) => lines.push(`${now} s ${x.id} ${n.join("+")}`),
    finish: (x, n, _s, now) => lines.push(`${now} f ${x.id} ${n.join("+")}`),
    end: (now) => lines.push(`${now} end`),
  };
}

function poissonTasks(n: number, seed: number, sameTimes = false): Task[] {
  const r = new RandomStreams(seed).get("tasks");
  let now = 0;
  return Array.from({ length: n }, (_, id) => {
    // With `sameTimes`, arrivals and run times on a 1 s grid: many arrivals coincide with finishes.
    now += sameTimes ? Math.round(r.exponential(2)) : r.exponential(2);
    const runS = sameTimes ? 1 + Math.round(r.exponential(1 / 20)) : r.exponential(1 / 20);
    return t(id, now, runS, 1 + r.int(0, 3));
  });
}

describe("a run steps like it runs", () => {
  it("gives the same events in the same order, stepped in any increments or run to the end", async () => {
    const tasks = poissonTasks(3000, 3, true);
    const once: string[] = [];
    const make = (lines: string[]) =>
      new Run({
        cluster: nodes(8),
        tasks: tasks.values(),
        loop: new OnlineLoop({ strategy: createPlacement("kubernetes-default", {}, { rng: rng() }) }),
        listeners: [recorder(lines)],
        untilS: 2000,
      });
    make(once).runToEndSync();
    for (const stepS of [0.5, 7, 333]) {
      const stepped: string[] = [];
      const run = make(stepped);
      for (let s = stepS; run.advance({ untilS: s }) !== "ended"; s += stepS);
      expect(stepped).toEqual(once);
    }
    // Event budgets instead of times.
    const budget: string[] = [];
    const run = make(budget);
    while (run.advance({ maxEvents: 17 }) !== "ended");
    expect(budget).toEqual(once);
    expect(once.at(-1)).toBe("2000 end");
  });

  it("orders an instant's events the same whatever the arrivals' buffering (sync source, async in chunks)", async () => {
    // 6,000 tasks on a 1 s grid: arrivals coincide with finishes, and the async source refills (chunks of 4,096).
    const tasks = poissonTasks(6000, 5, true);
    const lines = (src: Iterable<Task> | AsyncIterable<Task>) => {
      const out: string[] = [];
      const run = new Run({
        cluster: nodes(6),
        tasks: src,
        loop: new OnlineLoop({ strategy: createPlacement("best-fit", {}, { rng: rng() }) }),
        listeners: [recorder(out)],
      });
      return { run, out };
    };
    const sync = lines(tasks);
    sync.run.runToEndSync();
    async function* slow() {
      for (const x of tasks) yield x;
    }
    const async = lines(slow());
    await async.run.runToEnd();
    expect(async.out).toEqual(sync.out);
  });

  it("pauses for each decision when the strategy is external, and reproduces the strategy it imitates", () => {
    const tasks = poissonTasks(500, 9);
    const bestFit = createPlacement("best-fit", {}, { rng: rng() });
    const reference: string[] = [];
    new Run({
      cluster: nodes(4),
      tasks: tasks.values(),
      loop: new OnlineLoop({ strategy: bestFit }),
      listeners: [recorder(reference)],
    }).runToEndSync();
    const outside: string[] = [];
    const cluster = nodes(4);
    const run = new Run({
      cluster,
      tasks: tasks.values(),
      loop: new OnlineLoop({ strategy: "external" }),
      listeners: [recorder(outside)],
    });
    let decisions = 0;
    for (;;) {
      const status = run.advance();
      if (status === "ended") break;
      expect(status).toBe("decision");
      const { pod } = run.pendingDecision!;
      const d = bestFit.decide(cluster, pod);
      run.decide(d);
      decisions++;
    }
    expect(outside).toEqual(reference);
    expect(decisions).toBeGreaterThanOrEqual(500);
  });
});

describe("runs without an end time", () => {
  it("end when nothing is left to happen, even with a pod that can never fit waiting", () => {
    // An 8-core node and a 2-core node with 2 GPUs; the task needs 4 cores and a GPU: each resource is
    // somewhere, but no node has both. It waits, and the run ends instead of retrying it forever.
    const cluster = new ClusterState([
      { cpuMilli: 8000, memoryMiB: 8192 },
      { cpuMilli: 2000, memoryMiB: 8192, gpus: 2 },
    ]);
    const r = runCluster({
      cluster,
      strategy: createPlacement("first-fit", {}, { rng: rng() }),
      tasks: [t(0, 0, 10, 4, { gpus: 1, gpuMilli: 1000 })].values(),
    });
    expect(r.neverScheduled).toBe(1);
    expect(r.run.simTime).toBe(0);
  });

  it("end at their last event whatever the steps, with the same metrics", () => {
    const tasks = [t(0, 0, 10, 2), t(1, 5, 20, 1), t(2, 6, 4, 4)];
    const summary = (steps: number[]) => {
      const cluster = nodes(2);
      const ledger = new TaskLedger();
      const metrics = new RunMetrics(cluster, ledger);
      const run = new Run({
        cluster,
        tasks: tasks.values(),
        loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
        listeners: [ledger, metrics],
      });
      for (const s of steps) run.advance({ untilS: s });
      expect(run.advance()).toBe("ended");
      return { end: run.nowS, ...metrics.summary() };
    };
    const once = summary([]);
    expect(once.end).toBe(25);
    expect(summary([100, 200, 300])).toEqual(once);
    expect(summary([3, 7, 12])).toEqual(once);
  });
});

describe("kube-scheduler's queue (v1.31)", () => {
  it("backs off 1 s doubling to 10 s per attempt", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(backoffS)).toEqual([1, 2, 4, 8, 10, 10, 10]);
  });

  it("retries a pod that failed when its back-off has run out at the next flush, not at once", () => {
    // One 4-core node. X takes it all from 0 to 1.5 s; B (1 core) arrives at 1 s, fails, and backs off
    // 1 s (until 2 s). X leaves at 1.5 s: B is still backing off, so it goes to the back-off queue,
    // which the 1-second flush empties at 2 s: B starts at 2. Strict FIFO retries at once: 1.5 s.
    const tasks = [t(0, 0, 1.5, 4), t(1, 1, 10, 1)];
    const startOf = (queue: "kubernetes" | "fifo") => {
      const starts: number[] = [];
      runCluster({
        cluster: nodes(1),
        strategy: createPlacement("first-fit", {}, { rng: rng() }),
        tasks: tasks.values(),
        queue,
        onStart: (x, _n, now) => x.id === 1 && starts.push(now),
      });
      return starts;
    };
    expect(startOf("kubernetes")).toEqual([2]);
    expect(startOf("fifo")).toEqual([1.5]);
  });

  it("never lets a pod that does not fit block smaller ones behind it, higher priority first", () => {
    // One 4-core node, busy with 3 cores until 10 s. Waiting: big (4 cores), then small (1 core) and
    // urgent (1 core, priority 5) at the same time: urgent goes first, small fits beside it? No: one
    // core is free, so urgent takes it at 2 s and small waits for the node to free up.
    const tasks = [t(0, 0, 10, 3), t(1, 1, 5, 4), t(2, 2, 5, 1), t(3, 2, 5, 1, { priority: 5 })];
    const starts: [number, number][] = [];
    runCluster({
      cluster: nodes(1),
      strategy: createPlacement("first-fit", {}, { rng: rng() }),
      tasks: tasks.values(),
      onStart: (x, _n, now) => starts.push([x.id, now]),
    });
    expect(starts.slice(0, 2)).toEqual([
      [0, 0],
      [3, 2],
    ]);
    // At 7 s urgent leaves: small fits and starts (the big one still does not fit beside task 0).
    expect(starts[2]).toEqual([2, 7]);
  });
});

describe("rate-based progress", () => {
  it("moves a task's finish when its rate changes: 100 s of work, half speed from 40 s, ends at 160 s", () => {
    const loop = new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) });
    const job = t(0, 0, 100, 1);
    let end = Number.NaN;
    const slow: Controller = {
      name: "slow",
      start: (ctx) => ctx.at(40, () => expect(ctx.setRate(job, 0.5)).toBe(true)),
    };
    new Run({
      cluster: nodes(1),
      tasks: [job],
      loop,
      controllers: [slow],
      listeners: [{ finish: (_x, _n, _s, now) => (end = now) }],
    }).runToEndSync();
    // 40 s at full speed, the remaining 60 s of work at half speed: 40 + 120.
    expect(end).toBe(160);
  });
});

describe("a DPU's slowdown follows its load over time (rate-based progress)", () => {
  it("slows every network task on the node while demand exceeds the line rate, and no longer", () => {
    // One node with a 200 Gbps BlueField-2. A (120 Gbps, 100 s of work) from 0; B (120 Gbps, 100 s)
    // from 10 s: demand 240 > 200, both run at 200/240 = 5/6. A has 90 s left at 10 s: 108 s more,
    // ends at 118. B has done 90 s by then, and runs its last 10 s alone at full speed: ends at 128.
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096, dpu: DPUS["bluefield-2"] }]);
    const effects = new HardwareEffects({ cluster, dpuGbps: Float64Array.of(200), streams: new RandomStreams(1) });
    const ends: Record<number, number> = {};
    new Run({
      cluster,
      tasks: [t(0, 0, 100, 1, { nicGbps: 120 }), t(1, 10, 100, 1, { nicGbps: 120 })],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }), effects }),
      listeners: [{ finish: (x, _n, _s, now) => (ends[x.id] = now) }],
    }).runToEndSync();
    expect(ends[0]).toBeCloseTo(118, 9);
    expect(ends[1]).toBeCloseTo(128, 9);
  });
});

describe("review fixes", () => {
  it("strict FIFO publishes a task's queue event once, however many passes it stays blocked", () => {
    const queued: number[] = [];
    new Run({
      cluster: nodes(1),
      tasks: [t(0, 0, 10, 4), t(1, 1, 5, 2), t(2, 2, 1, 1), t(3, 3, 1, 1)],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }), queue: "fifo" }),
      listeners: [{ queue: (x) => queued.push(x.id) }],
    }).runToEndSync();
    expect(queued).toEqual([1]);
  });

  it("keeps a task pending when an external decision does not fit, so that it can be decided again", () => {
    const run = new Run({
      cluster: nodes(2),
      tasks: [t(0, 0, 10, 4), t(1, 0, 10, 3)],
      loop: new OnlineLoop({ strategy: "external" }),
    });
    expect(run.advance()).toBe("decision");
    run.decide({ node: 0 }); // task 0 takes node 0 whole
    expect(run.advance()).toBe("decision");
    expect(run.pendingDecision?.task.id).toBe(1);
    run.decide({ node: 0 }); // full: refused when the run goes on, task 1 still pending
    expect(() => run.advance()).toThrow(/decision for task 1: node 0 does not fit it/);
    expect(run.pendingDecision?.task.id).toBe(1);
    run.decide({ node: 1 });
    expect(run.advance()).toBe("ended");
  });

  it("judges too large on the request as placed (a runtime's memory overhead included)", () => {
    const effects: RunEffects = {
      request: (x) => ({ ...(x as Pod), memoryMiB: x.memoryMiB + 200 }),
      runTimeS: (x) => x.runS,
    };
    const rejected: number[] = [];
    new Run({
      cluster: nodes(1, 1), // 1 core, 1024 MiB
      tasks: [t(0, 0, 10, 1, { memoryMiB: 900 }), t(1, 0, 10, 1, { memoryMiB: 800 })],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }), effects }),
      listeners: [{ reject: (x) => rejected.push(x.id) }],
    }).runToEndSync();
    // 900 + 200 MiB fits no node: rejected at arrival; 800 + 200 fits.
    expect(rejected).toEqual([0]);
  });
});

describe("a start delay before the work", () => {
  it("is not stretched by a rate change: 10 s of start, then 100 s of work at half speed from 5 s ends at 210 s", () => {
    // Effects that give every task a 10 s start (as a sandbox boot) and its run time as work.
    const effects: RunEffects = {
      request: (x) => x as Pod,
      runTimeS: (x, _pod, _id, _node, _now, out) => {
        out.delayS = 10;
        return x.runS;
      },
    };
    const loop = new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }), effects });
    const job = t(0, 0, 100, 1);
    let end = Number.NaN;
    const slow: Controller = { name: "slow", start: (ctx) => ctx.at(5, () => ctx.setRate(job, 0.5)) };
    new Run({
      cluster: nodes(1),
      tasks: [job],
      loop,
      controllers: [slow],
      listeners: [{ finish: (_x, _n, _s, now) => (end = now) }],
    }).runToEndSync();
    expect(end).toBe(210);
  });
});

describe("metrics count every task", () => {
  it("counts the waits of tasks still waiting at the end (censored at the end), beside the started ones", () => {
    // One 1-core node, three 100 s tasks arriving at 0, the run ends at 150 s: waits 0 and 100, and
    // the third has waited 150 s by the end (at least): mean (0 + 100 + 150) / 3.
    const cluster = nodes(1, 1);
    const ledger = new TaskLedger();
    const metrics = new RunMetrics(cluster, ledger);
    new Run({
      cluster,
      tasks: [t(0, 0, 100, 1), t(1, 0, 100, 1), t(2, 0, 100, 1)],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }), queue: "fifo" }),
      listeners: [ledger, metrics],
      untilS: 150,
    }).runToEndSync();
    const s = metrics.summary();
    expect(s.waitMeanS).toBeCloseTo(250 / 3, 12);
    expect(s.waitStartedMeanS).toBe(50);
    expect(s.tasksWaitingAtEnd).toBe(1);
    expect(s.tasksRunningAtEnd).toBe(1);
    expect(s.cpuAllocatedFraction).toBe(1);
  });
});

describe("a task killed and started again", () => {
  it("waited once (until its first start): the restart is not a second wait", () => {
    // One node; A (100 s) starts at 0; the node fails at 50 and is back at 60, when A starts again.
    const cluster = nodes(1);
    const ledger = new TaskLedger();
    const metrics = new RunMetrics(cluster, ledger);
    const outage: Controller = {
      name: "outage",
      start: (ctx) => {
        ctx.at(50, () => ctx.setNodeUp(0, false));
        ctx.at(60, () => ctx.setNodeUp(0, true));
      },
    };
    new Run({
      cluster,
      tasks: [t(0, 0, 100, 1)],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
      listeners: [ledger, metrics],
      controllers: [outage],
    }).runToEndSync();
    const s = metrics.summary();
    expect(s).toMatchObject({ tasksStarted: 1, taskRunsKilled: 1, tasksCompleted: 1, waitMeanS: 0 });
    expect(s.completionMeanS).toBe(160);
  });

  it("is remembered only while it may start again: killed, evicted and failed tasks are forgotten once done", () => {
    // One node failing every 30 s for 1 s: tasks of 20 s are killed at times, one of 100 s every time (it
    // fails after its retries); a drain evicts the task running at 45 s. Once all are done, nothing is held.
    const loop = new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }), maxRetries: 2 });
    const seen: number[] = [];
    const faults: Controller = {
      name: "faults",
      start: (ctx) => {
        for (let k = 1; k <= 6; k++) {
          ctx.at(30 * k, () => ctx.setNodeUp(0, false));
          ctx.at(30 * k + 1, () => ctx.setNodeUp(0, true));
        }
        ctx.at(45, () => {
          for (const task of loop.tasksOn(0)) loop.evict(task);
          seen.push(loop.tasksRemembered);
        });
      },
    };
    const run = new Run({
      cluster: nodes(1),
      tasks: [t(0, 0, 100, 1), t(1, 0, 20, 1), t(2, 25, 20, 1), t(3, 40, 20, 1)],
      loop,
      controllers: [faults],
    });
    run.runToEndSync();
    expect(loop.counts.killed).toBeGreaterThan(2);
    expect(loop.counts.failed).toBe(1);
    expect(seen[0]).toBeGreaterThan(0);
    expect(loop.counts.completed + loop.counts.failed).toBe(4);
    expect(loop.tasksRemembered).toBe(0);
  });
});

describe("energy and cost from the cluster's totals", () => {
  it("bills idle power while a node is up, dynamic power for its CPU allocation, and node-hours while it exists", () => {
    // Two 4-core nodes of 100 W idle, 400 W at full CPU, 2 per node-hour, for 2 h. A 2-core task runs
    // the first hour on node 0; node 1 is down (failed) in the second hour.
    // Energy: idle 100 W × (2 nodes × 1 h + 1 node × 1 h) + 300 W × 0.5 × 1 h = 450 Wh = 0.45 kWh.
    // Cost: both nodes exist for the 2 h: 4 node-hours × 2 = 8.
    const cluster = nodes(2);
    const ledger = new TaskLedger();
    const metrics = new RunMetrics(cluster, ledger, [{ idleW: 100, peakW: 400, perNodeHour: 2 }]);
    const fail: Controller = { name: "fail", start: (ctx) => ctx.at(3600, () => ctx.setNodeUp(1, false)) };
    new Run({
      cluster,
      tasks: [t(0, 0, 3600, 2)],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
      listeners: [ledger, metrics],
      controllers: [fail],
      untilS: 7200,
    }).runToEndSync();
    const s = metrics.summary();
    expect(s.energyKWh).toBeCloseTo(0.45, 12);
    expect(s.cost).toBeCloseTo(8, 12);
    expect(s.nodeHours).toBeCloseTo(4, 12);
  });
});

describe("a DPU's power in energy", () => {
  const bf3 = DPUS["bluefield-3"]; // 400 Gbps
  const economics = [{ idleW: 100, peakW: 400, dpuIdleW: 50, dpuMaxW: 150 }];

  it("adds its idle power for every hour its node is up, and nothing without a DPU", () => {
    // One idle 4-core node for an hour: node 100 W × 1 h = 0.1 kWh; its DPU 50 W × 1 h = 0.05 kWh more.
    const energy = (withDpu: boolean) => {
      const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096, ...(withDpu && { dpu: bf3 }) }]);
      const ledger = new TaskLedger();
      const metrics = new RunMetrics(cluster, ledger, economics);
      new Run({
        cluster,
        tasks: [],
        loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
        listeners: [ledger, metrics],
        untilS: 3600,
      }).runToEndSync();
      return metrics.summary().energyKWh as number;
    };
    expect(energy(false)).toBeCloseTo(0.1, 12);
    expect(energy(true)).toBeCloseTo(0.15, 12);
  });

  it("adds (max − idle) × its load while its pods' traffic loads it, and nothing while its node is down", () => {
    // Two 4-core nodes with a DPU of 400 Gbps, for 2 h. A 2-core task of 200 Gbps runs the first hour on
    // node 0; node 1 is down (failed) in the second hour. Node: 100 W × 3 node-hours + 300 W × 0.5 × 1 h
    // = 450 Wh. DPUs: 50 W × 3 DPU-hours + (150 − 50) W × 200/400 × 1 h = 200 Wh. In all 0.65 kWh.
    const cluster = new ClusterState([
      { cpuMilli: 4000, memoryMiB: 4096, dpu: bf3 },
      { cpuMilli: 4000, memoryMiB: 4096, dpu: bf3 },
    ]);
    const ledger = new TaskLedger();
    const metrics = new RunMetrics(cluster, ledger, economics);
    const fail: Controller = { name: "fail", start: (ctx) => ctx.at(3600, () => ctx.setNodeUp(1, false)) };
    new Run({
      cluster,
      tasks: [t(0, 0, 3600, 2, { nicGbps: 200 })],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
      listeners: [ledger, metrics],
      controllers: [fail],
      untilS: 7200,
    }).runToEndSync();
    expect(metrics.summary().energyKWh).toBeCloseTo(0.65, 12);
  });

  it("holds a DPU's load at 1 past its line rate", () => {
    // Two tasks of 300 Gbps on one node for an hour (no NIC cap): 600 Gbps on 400, load 1. Node 100 W +
    // 300 W × 2/4 = 250 W; DPU 150 W. 0.4 kWh.
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096, dpu: bf3 }]);
    const ledger = new TaskLedger();
    const metrics = new RunMetrics(cluster, ledger, economics);
    new Run({
      cluster,
      tasks: [t(0, 0, 3600, 1, { nicGbps: 300 }), t(1, 0, 3600, 1, { nicGbps: 300 })],
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
      listeners: [ledger, metrics],
      untilS: 3600,
    }).runToEndSync();
    expect(metrics.summary().energyKWh).toBeCloseTo(0.4, 12);
  });
});

describe("requests in whole units", () => {
  it("places fractional requests rounded up, and best fit never leaves waiting a task that some node fits", () => {
    const size = fc.double({ min: 1, max: 4000, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpu: size, mem: size, run: fc.double({ min: 1, max: 50, noNaN: true }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        (specs) => {
          const cluster = new ClusterState(Array.from({ length: 3 }, () => ({ cpuMilli: 4000, memoryMiB: 4000 })));
          const tasks = specs.map((s, i) =>
            task({ id: i, arrivalS: i * 0.5, runS: s.run, cpuMilli: s.cpu, memoryMiB: s.mem }),
          );
          const refused: string[] = [];
          runCluster({
            cluster,
            strategy: createPlacement("best-fit", {}, { rng: rng() }),
            tasks: tasks.values(),
            listeners: [
              {
                queue: (x) => {
                  const w = wholeRequest(x);
                  expect(w.cpuMilli).toBe(Math.ceil(x.cpuMilli));
                  for (let n = 0; n < cluster.nodeCount; n++) if (cluster.fits(n, w)) refused.push(`${x.id} fits ${n}`);
                },
              },
            ],
          });
          expect(refused).toEqual([]);
          // Free capacity is exact again once every task has left.
          for (let n = 0; n < cluster.nodeCount; n++) expect(cluster.freeCpuMilli(n)).toBe(4000);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("controllers", () => {
  it("add and remove nodes of a group during a run, and the run's capacity follows", () => {
    const cluster = new ClusterState(
      Array.from({ length: 4 }, (_, i) => ({ cpuMilli: 1000, memoryMiB: 1024, present: i < 1 })),
    );
    // Four 1-core tasks of 100 s at 0 on one node: with a scaler adding the three spare nodes at 10 s,
    // they run at 0, 10, 10, 10; it removes the nodes once they are empty again (at 110 s).
    const scaler: Controller = {
      name: "scaler",
      start(ctx) {
        ctx.at(10, () => expect(ctx.addNodes("all", 5)).toBe(3));
        ctx.at(120, () => expect(ctx.removeNodes("all", 5)).toBe(4));
      },
    };
    const starts: number[] = [];
    const ledger = new TaskLedger();
    const metrics = new RunMetrics(cluster, ledger);
    new Run({
      cluster,
      tasks: [0, 1, 2, 3].map((i) => t(i, 0, 100, 1)),
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: rng() }) }),
      controllers: [scaler],
      listeners: [ledger, metrics, { start: (_x, _n, now) => starts.push(now) }],
      untilS: 200,
    }).runToEndSync();
    expect(starts).toEqual([0, 10, 10, 10]);
    // Node-hours: 1 node for 10 s, 4 nodes for 110 s, none from 120 s (the last one is removed too).
    expect(metrics.summary().nodeHours).toBeCloseTo((10 + 4 * 110) / 3600, 12);
  });
});

describe("the batch loop", () => {
  const cores = (n: number, c = 2) =>
    new ClusterState(Array.from({ length: n }, () => ({ cpuMilli: c * 1000, memoryMiB: c * 1024 })));
  const job = (id: number, arrivalS: number, runS: number, procs: number, coresPerTask: number, priority = 0) =>
    task({
      id,
      arrivalS,
      runS,
      reqTimeS: runS,
      procs,
      cpuMilli: coresPerTask * 1000 * procs,
      memoryMiB: procs,
      priority,
    });

  it("evicts nobody when the preemptor still would not fit after the evictions", () => {
    // Three 2-core nodes, jobs spread by worst fit: M (priority 20) holds 1 core of node 0, L1 and L2
    // (priority 0) 1 core of nodes 1 and 2. H (priority 10) is a gang of 2 tasks of 2 cores: evicting
    // L2 frees enough cores in total (4), but only node 2 would be whole, so H cannot start: L2 must
    // keep running.
    const jobs = [job(0, 0, 1000, 1, 1, 20), job(1, 0, 1000, 1, 1), job(2, 1, 1000, 1, 1), job(3, 2, 50, 2, 2, 10)];
    const loop = new BatchLoop({
      placement: createPlacement("worst-fit", {}, { rng: rng() }),
      policy: "fcfs",
      backfill: false,
      preemption: true,
    });
    const preempted: number[] = [];
    const nodesOf: number[][] = [];
    new Run({
      cluster: cores(3),
      tasks: jobs,
      loop,
      listeners: [{ preempt: (x) => preempted.push(x.id), start: (x, n) => (nodesOf[x.id] = [...n]) }],
      untilS: 100,
    }).runToEndSync();
    expect(nodesOf).toEqual([[0], [1], [2]]);
    expect(preempted).toEqual([]);
    expect(loop.counts.preempted).toBe(0);
    expect(loop.leftovers().running.map((r) => r.task.id)).toEqual([0, 1, 2]);
  });

  it("rejects at arrival jobs that can never run, instead of letting them block the queue", () => {
    // Two 2-core nodes. Job 0 has no run time; job 1 needs 4 cores in one task (no node has them);
    // job 2 is ordinary and starts at once behind them.
    const jobs = [
      task({ id: 0, arrivalS: 0, runS: Number.NaN, cpuMilli: 1000, memoryMiB: 1 }),
      job(1, 0, 10, 1, 4),
      job(2, 1, 10, 1, 1),
    ];
    const loop = new BatchLoop({
      placement: createPlacement("first-fit", {}, { rng: rng() }),
      policy: "fcfs",
      backfill: true,
    });
    const rejected: string[] = [];
    const starts: number[] = [];
    new Run({
      cluster: cores(2),
      tasks: jobs,
      loop,
      listeners: [
        { reject: (x, why) => rejected.push(`${x.id} ${why}`), start: (x, _n, now) => starts.push(x.id, now) },
      ],
    }).runToEndSync();
    expect(rejected).toEqual(["0 no-run-time", "1 too-large"]);
    expect(starts).toEqual([2, 1]);
    expect(loop.counts.rejected).toBe(2);
  });
});
