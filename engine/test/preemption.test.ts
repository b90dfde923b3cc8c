import {
  candidatesWanted,
  HardwareEffects,
  InvariantChecker,
  OnlineLoop,
  type PodOnNode,
  pickOneNode,
  Run,
  type RunEffects,
  type RunListener,
  selectVictimsOnNode,
} from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement, type NodeLoad, type Pod } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const pod = (id: number, priority: number, cpuMilli: number, startS = 0): PodOnNode => ({
  id,
  priority,
  startS,
  cpuMilli,
  memoryMiB: 1,
});

describe("DefaultPreemption's choices", () => {
  it("takes every lower-priority pod away, then gives back the most important ones that leave room", () => {
    // 1 core free; A (priority 1, 1 core), B (priority 2, 2 cores), C (priority 5, 1 core). A preemptor
    // of priority 3 asking 2.5 cores: without A and B there are 4 cores, 1.5 to spare; B (more
    // important) comes back first but needs 2: it stays a victim; A needs 1: it comes back.
    const room = { freeCpuMilli: 1000, freeMemoryMiB: 1000, freePods: 10 };
    const pods = [pod(1, 1, 1000), pod(2, 2, 2000), pod(3, 5, 1000)];
    expect(selectVictimsOnNode(room, pods, { cpuMilli: 2500, memoryMiB: 1, priority: 3 })?.map((v) => v.id)).toEqual([
      2,
    ]);
    // Equal priority is no victim: priority 1 finds nothing below it.
    expect(selectVictimsOnNode(room, pods, { cpuMilli: 2500, memoryMiB: 1, priority: 1 })).toBeUndefined();
    // Not enough even with every lower pod gone: no candidate.
    expect(selectVictimsOnNode(room, pods, { cpuMilli: 4500, memoryMiB: 1, priority: 3 })).toBeUndefined();
  });

  it("picks the node by the lowest top victim, then the smallest priority sum, the fewest victims, the youngest", () => {
    const n1 = { node: 1, victims: [pod(1, 2, 1000)] };
    const n2 = { node: 2, victims: [pod(2, 1, 1000), pod(3, 1, 1000)] };
    const n3 = { node: 3, victims: [pod(4, 1, 1000)] };
    expect(pickOneNode([n1, n2, n3])?.node).toBe(3);
    // Equal on the rest: the node whose highest-priority victims started latest.
    const old = { node: 4, victims: [pod(5, 1, 1000, 10)] };
    const young = { node: 5, victims: [pod(6, 1, 1000, 50)] };
    expect(pickOneNode([old, young])?.node).toBe(5);
    expect(pickOneNode([])).toBeUndefined();
  });

  it("looks for 10% of the potential nodes, at least 100 (all of them below 100)", () => {
    expect(candidatesWanted(50)).toBe(50);
    expect(candidatesWanted(500)).toBe(100);
    expect(candidatesWanted(5000)).toBe(500);
  });
});

describe("preemption in online runs", () => {
  /** One 4-core node: a 4-core low-priority task of 100 s at 0, a 2-core high-priority task of 20 s at 10 s. */
  function run(
    victims: "restart" | "resume",
    checkpointIntervalS = 0,
    strategy = (_: ClusterState) => createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }),
  ) {
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096 }]);
    const loop = new OnlineLoop({
      strategy: strategy(cluster),
      preemption: { victims, checkpointIntervalS, rng: new RandomStreams(1).get("preemption") },
    });
    const finished = new Map<number, number>();
    const preempted: number[] = [];
    const log: RunListener = {
      finish: (t, _n, _s, now) => finished.set(t.id, now),
      preempt: (t, _n, now) => preempted.push(t.id, now),
    };
    new Run({
      cluster,
      tasks: [
        task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 4000, memoryMiB: 1, priority: 0 }),
        task({ id: 1, arrivalS: 10, runS: 20, cpuMilli: 2000, memoryMiB: 1, priority: 10 }),
      ],
      loop,
      listeners: [log],
    }).runToEndSync();
    return { finished, preempted, lostCoreS: loop.counts.workLostCoreS };
  }

  it("the high-priority task evicts the low one and starts at once; the victim restarts from scratch", () => {
    const r = run("restart");
    expect(r.preempted).toEqual([0, 10]);
    expect(r.finished.get(1)).toBe(30);
    // Back at 30 s when the 2 cores free up: 100 s of work again.
    expect(r.finished.get(0)).toBe(130);
    // 10 s of work on 4 cores thrown away.
    expect(r.lostCoreS).toBe(40);
  });

  it("a victim resuming from where it stopped loses nothing; with a 4 s checkpoint interval it loses 2 s on 4 cores", () => {
    const resumed = run("resume");
    expect(resumed.finished.get(0)).toBe(120);
    expect(resumed.lostCoreS).toBe(0);
    const checkpointed = run("resume", 4);
    // 10 s done, the last checkpoint at 8 s: 92 s left from 30 s.
    expect(checkpointed.finished.get(0)).toBe(122);
    expect(checkpointed.lostCoreS).toBe(8);
  });

  it("evicts only where the strategy's other filters pass: load-aware refuses a node its usage fills", () => {
    // The same two tasks under load-aware placement (threshold 100%), node usage being what is
    // allocated. At 10 s the node uses 4 cores: with the 2-core task's estimate (1.7) it would pass its
    // 4 cores, so the filter refuses it, and so does preemption (upstream's dry run runs the filter too, and Koordinator's
    // node metric would still count the victim). It starts when the first task ends, at 100 s.
    const loadAware = (cluster: ClusterState) => {
      const allocated: NodeLoad = {
        cpuMilli: (node) => cluster.allocatableCpuMilli(node) - cluster.freeCpuMilli(node),
        placed: () => {},
        left: () => {},
        back: () => {},
      };
      const rng = new RandomStreams(1).get("s");
      return createPlacement("load-aware", { cpuThreshold: 1 }, { rng, nodeLoad: () => allocated });
    };
    const { finished, preempted } = run("restart", 0, loadAware);
    expect(preempted).toEqual([]);
    expect(finished.get(0)).toBe(100);
    expect(finished.get(1)).toBe(120);
  });
});

describe("preemption on nodes with a CXL pool", () => {
  /**
   * One node of 4 cores and 4,096 MiB of DRAM on a pool of `poolMiB`, and `tasks` that may spill into
   * it (as every pod does where nodes have pools). Returns each start and preemption, and whether the
   * pool's bookings balanced throughout (the invariant checker).
   */
  function run(poolMiB: number, tasks: { id: number; at: number; mem: number; priority: number }[]) {
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096, cxlPool: 0 }], [poolMiB]);
    const loop = new OnlineLoop({
      strategy: createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }),
      preemption: { victims: "restart", checkpointIntervalS: 0, rng: new RandomStreams(1).get("preemption") },
    });
    const log: string[] = [];
    const listener: RunListener = {
      start: (t, _n, now) => log.push(`${now} start ${t.id} pool ${cluster.poolUsedMiB(0)}`),
      preempt: (t, _n, now) => log.push(`${now} preempt ${t.id}`),
    };
    const spilling = tasks.map(
      (t) =>
        ({
          ...task({ id: t.id, arrivalS: t.at, runS: 100, cpuMilli: 1000, memoryMiB: t.mem, priority: t.priority }),
          spillToPool: true,
        }) as Task,
    );
    new Run({
      cluster,
      tasks: spilling,
      loop,
      listeners: [new InvariantChecker(cluster, 1), listener],
    }).runToEndSync();
    return log.filter((l) => Number(l.split(" ")[0]) <= 10);
  }

  it("a pod that fits nowhere, DRAM and pool full, evicts the lower-priority pod whose memory makes room", () => {
    // Task 0 (priority 0) holds 4,000 MiB of DRAM; task 1 (priority 0, from 1 s) 96 MiB of DRAM and 904
    // in the pool. At 10 s task 2 (priority 10) asks 2,000 MiB: 96 of the pool are free. With both away,
    // 5,096 MiB are; task 0 given back leaves 1,096 (too few), task 1 given back leaves 4,096: task 0
    // is the one victim, and task 2 starts in its DRAM, nothing more in the pool.
    const log = run(1000, [
      { id: 0, at: 0, mem: 4000, priority: 0 },
      { id: 1, at: 1, mem: 1000, priority: 0 },
      { id: 2, at: 10, mem: 2000, priority: 10 },
    ]);
    expect(log).toEqual(["0 start 0 pool 0", "1 start 1 pool 904", "10 preempt 0", "10 start 2 pool 904"]);
  });

  it("counts the pool a victim frees: the preemptor takes DRAM and pool where DRAM alone would not hold it", () => {
    // Task 0 (priority 20, no victim) holds 3,000 MiB of DRAM; task 1 (priority 0) 1,096 of DRAM and
    // 1,904 of the 2,000 MiB pool. Task 2 (priority 10) asks 2,500 MiB: without task 1, 1,096 of DRAM
    // and 2,000 of pool are free, so it starts with 1,404 MiB in the pool (DRAM alone, 1,096, would
    // not hold it).
    const log = run(2000, [
      { id: 0, at: 0, mem: 3000, priority: 20 },
      { id: 1, at: 1, mem: 3000, priority: 0 },
      { id: 2, at: 10, mem: 2500, priority: 10 },
    ]);
    expect(log).toEqual(["0 start 0 pool 0", "1 start 1 pool 1904", "10 preempt 1", "10 start 2 pool 1404"]);
  });
});

describe("preemption's victims and the preemptor's memory", () => {
  /** Ends a run whose preemptions repeat without end (what these tests guard against) with a failure, not a hang. */
  const stopLoop = (log: string[]) => {
    if (log.length > 20) throw new Error(`preempted and restarted without end: ${log.slice(0, 8).join(", ")} …`);
  };

  it("a pod with a fixed pool share (here 0, spill asked too) counts a victim's DRAM alone: no needless eviction", () => {
    // One node of 4,096 MiB of DRAM on a 2,000 MiB pool. Task 0 (priority 20) holds 2,000 MiB of DRAM;
    // task 1 (priority 0, from 1 s) 2,096 of DRAM and 904 of pool. Task 2 (priority 10, from 10 s) asks
    // 3,000 MiB with none of it in the pool: task 1's DRAM (2,096) would not hold it, so nothing is
    // evicted at 10 s (counting task 1's pool share as room would evict it for nothing). At 100 s task 0
    // ends: its 2,000 MiB and task 1's DRAM hold task 2, so task 1 is evicted then, and starts again at
    // once with 1,904 MiB in the pool.
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096, cxlPool: 0 }], [2000]);
    const loop = new OnlineLoop({
      strategy: createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }),
      preemption: { victims: "restart", checkpointIntervalS: 0, rng: new RandomStreams(1).get("preemption") },
    });
    const log: string[] = [];
    const t = (id: number, at: number, mem: number, priority: number, extra: object) =>
      ({ ...task({ id, arrivalS: at, runS: 100, cpuMilli: 1000, memoryMiB: mem, priority }), ...extra }) as Task;
    new Run({
      cluster,
      tasks: [
        t(0, 0, 2000, 20, {}),
        t(1, 1, 3000, 0, { spillToPool: true }),
        t(2, 10, 3000, 10, { spillToPool: true, poolMiB: 0 }),
      ],
      loop,
      listeners: [
        new InvariantChecker(cluster, 1),
        {
          start: (x, _n, now) => log.push(`${now} start ${x.id}`),
          preempt: (x, _n, now) => log.push(`${now} preempt ${x.id}`) && stopLoop(log),
        },
      ],
    }).runToEndSync();
    expect(log).toEqual(["0 start 0", "1 start 1", "100 preempt 1", "100 start 2", "100 start 1"]);
  });

  it("a victim's sandbox is not kept warm: with keep-alive on, the preemptor takes the room its eviction made", () => {
    // One node of 4,096 MiB; function instances kept warm 30 s after they end. Task 0 (priority 0, a
    // runc sandbox of app "a") holds 3,000 MiB; task 1 (priority 10) asks 3,000 at 10 s and evicts it.
    // Were the victim's sandbox kept warm, its memory would stay held, task 1 would not fit, and task 0
    // would start again on its warm instance: preempted and restarted without end.
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096 }]);
    const effects = new HardwareEffects({
      cluster,
      dpuGbps: new Float64Array(1),
      streams: new RandomStreams(5),
      warmPool: { policy: "fixed", keepAliveS: 30 },
    });
    const loop = new OnlineLoop({
      strategy: createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }),
      preemption: { victims: "restart", checkpointIntervalS: 0, rng: new RandomStreams(1).get("preemption") },
      effects,
    });
    const log: string[] = [];
    new Run({
      cluster,
      tasks: [
        task({
          id: 0,
          arrivalS: 0,
          runS: 100,
          cpuMilli: 1000,
          memoryMiB: 3000,
          priority: 0,
          runtime: "runc",
          app: "a",
        }),
        task({ id: 1, arrivalS: 10, runS: 100, cpuMilli: 1000, memoryMiB: 3000, priority: 10 }),
      ],
      loop,
      listeners: [
        new InvariantChecker(cluster, 1),
        {
          start: (x, _n, now) => log.push(`${now} start ${x.id}`),
          preempt: (x, _n, now) => log.push(`${now} preempt ${x.id}`) && stopLoop(log),
          finish: (x, _n, _s, now) => log.push(`${now} finish ${x.id}`),
        },
      ],
    }).runToEndSync();
    expect(log.slice(0, 4)).toEqual(["0 start 0", "10 preempt 0", "10 start 1", "110 finish 1"]);
    expect(loop.counts.preemptions).toBe(1);
  });
});

describe("a preemption plan the cluster does not honour", () => {
  it("is refused with a message naming the task and node, not repeated: an effect that takes back the victim's room", () => {
    // The same two tasks as above on one 4-core node; the effects hold a released task's memory on its
    // node at once (as a warm sandbox would), so the room the eviction made is gone before the
    // preemptor is bound.
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096 }]);
    const effects: RunEffects = {
      request: (t) => t as Pod,
      runTimeS: (t) => t.runS,
      released: (_t, pod, node) => void cluster.place(node, { cpuMilli: 0, memoryMiB: pod.memoryMiB }),
    };
    const loop = new OnlineLoop({
      strategy: createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }),
      preemption: { victims: "restart", checkpointIntervalS: 0, rng: new RandomStreams(1).get("preemption") },
      effects,
    });
    const run = new Run({
      cluster,
      tasks: [
        task({ id: 0, arrivalS: 0, runS: 100, cpuMilli: 1000, memoryMiB: 3000, priority: 0 }),
        task({ id: 1, arrivalS: 10, runS: 100, cpuMilli: 1000, memoryMiB: 3000, priority: 10 }),
      ],
      loop,
    });
    expect(() => run.runToEndSync()).toThrow(
      "preemption: task 1 does not fit node 0 once its 1 victim(s) were evicted: the plan and the cluster disagree",
    );
  });
});
