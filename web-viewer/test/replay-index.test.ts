import { ReplayWriter, readReplay } from "@clustersim/replay";
import { describe, expect, it } from "vitest";
import { KEYFRAME_EVERY, ReplayIndex } from "../src/model/replay-index.js";

/** A replay of `pods` pods on 5 nodes with times and sizes that exercise the number parser. */
function text(pods: number): string {
  const lines: string[] = [];
  const w = new ReplayWriter((l) => lines.push(l));
  w.header({
    scenario: "s",
    seed: 1,
    scheduler: "x",
    durationS: pods,
    groups: ["g"],
    nodes: Array.from({ length: 5 }, () => [0, 4000, 8192, 1, 1] as [number, number, number, number, number]),
    services: [["api", 0.99, 0.5]],
  });
  for (let i = 0; i < pods; i++) {
    const t = i + 0.123456;
    w.arrive(t, 1e12 + i, 250 + (i % 7), 1024.5, i % 3 === 0 ? 500 : 0);
    w.task(t, "s", 1e12 + i, [i % 5]);
    if (i >= 3) w.task(t, "f", 1e12 + i - 3, [(i - 3) % 5]);
    if (i % 100 === 0) w.service(t, 0, 1.5e-7, 3, 2, i % 200 === 0 ? Number.NaN : 0.25, i % 2 === 0);
  }
  return lines.join("\n");
}

describe("the viewer's replay index", () => {
  it("parses what the replay package's reader reads: times, codes, ids, sizes, exponents and nulls", () => {
    const t = text(500);
    const index = ReplayIndex.parse(t);
    const { events } = readReplay(t);
    expect(index.count).toBe(events.length);
    events.forEach((e, i) => {
      expect(index.time[i]).toBeCloseTo(e[0], 9);
      expect(index.codeName(i)).toBe(e[1]);
      if (e[1] === "s") {
        expect(index.taskId[index.subject[i]]).toBe(e[2]);
        expect(index.node[i]).toBe(e[3]);
      }
      if (e[1] === "a") {
        const k = index.subject[i];
        expect([index.taskId[k], index.taskCpu[k], index.taskMem[k], index.taskGpu[k]]).toEqual([
          e[2],
          e[3],
          e[4],
          e[5],
        ]);
      }
    });
    const points = index.services[0].points;
    expect(points).toHaveLength(5);
    expect(points[0].ratePerS).toBe(1.5e-7);
    expect(points[0].quantileS).toBeNaN();
    expect(points[1].quantileS).toBe(0.25);
  });

  it("gives the same state from keyframes as replaying every event from the start", () => {
    const pods = 3 * KEYFRAME_EVERY;
    const index = ReplayIndex.parse(text(pods));
    const fast = index.emptyState();
    for (const at of [0, 1.5, KEYFRAME_EVERY / 3 + 0.2, pods / 2, pods - 1, pods + 5]) {
      index.stateAt(at, fast);
      // By hand: the pods started at or before `at` and not yet finished (each finishes 3 pods later).
      const cpu = new Float64Array(5);
      for (let i = 0; i < pods; i++) {
        const t = i + 0.123456;
        if (t > at) break;
        cpu[i % 5] += 250 + (i % 7);
        const gone = i - 3;
        if (gone >= 0) cpu[gone % 5] -= 250 + (gone % 7);
      }
      expect([...fast.cpu]).toEqual([...cpu]);
    }
  });

  it("follows in-place resizes: a node's CPU moves by the change, and a finish gives back the resized request", () => {
    const lines: string[] = [];
    const w = new ReplayWriter((l) => lines.push(l));
    w.header({ scenario: "s", seed: 1, scheduler: "x", durationS: 10, groups: ["g"], nodes: [[0, 4000, 8192, 0, 1]] });
    w.arrive(0, 7, 1000, 512, 0);
    w.task(1, "s", 7, [0]);
    w.resize(2, 7, 0, 2500);
    w.resize(3, 7, 0, 500);
    w.task(4, "f", 7, [0]);
    const index = ReplayIndex.parse(lines.join("\n"));
    expect(index.header.version).toBe(5);
    const s = index.emptyState();
    expect([1, 2, 3, 4].map((t) => index.stateAt(t, s).cpu[0])).toEqual([1000, 2500, 500, 0]);
    // The allocated share of the node's 4000 m at 0, 1, ..., 4 s, computed in one pass.
    expect(index.cpuShareSeries(4, 4).share).toEqual([0, 0.25, 0.625, 0.125, 0]);
    expect(index.codeName(2)).toBe("z");
    expect(index.node[2]).toBe(0);
    // The node's tasks at 3.5 s with their request then; the arrival's request stays the task's own.
    const cpu = new Map<number, number>();
    expect(index.tasksOn(0, 3.5, cpu)).toEqual([0]);
    expect([cpu.get(0), index.taskCpu[0]]).toEqual([500, 1000]);
  });

  it("names a malformed line by its number", () => {
    // The header, then 3 + 2 + 2 event lines: the bad one is line 9.
    const t = `${text(3)}\n[5,"q",1]`;
    expect(() => ReplayIndex.parse(t)).toThrow(/line 9: expected \[timeS, code, \.\.\.\] with a known code/);
  });

  it("still reads version 1: a task on several nodes was one line with node -1, and counts on none", () => {
    const v1 = [
      JSON.stringify({
        format: "clustersim-replay",
        version: 1,
        scenario: "old",
        seed: 1,
        scheduler: "fcfs",
        durationS: 10,
        groups: ["g"],
        nodes: [
          [0, 4000, 8192, 0],
          [0, 4000, 8192, 0],
        ],
      }),
      '[0,"a",0,2000,100,0]',
      '[0,"s",0,1]',
      '[1,"a",1,8000,100,0]',
      '[1,"s",1,-1]',
      '[5,"f",0,1]',
    ].join("\n");
    const index = ReplayIndex.parse(v1);
    const s = index.stateAt(2, index.emptyState());
    expect([...s.cpu]).toEqual([0, 2000]);
    expect([...s.present]).toEqual([1, 1]);
    expect([...index.stateAt(6, index.emptyState()).cpu]).toEqual([0, 0]);
  });
});
