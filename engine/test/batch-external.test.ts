import { BatchLoop, Run, type RunListener, runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const cores = (n: number) => new ClusterState(Array.from({ length: n }, () => ({ cpuMilli: 1000, memoryMiB: 1024 })));
const firstFit = () => createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") });

/** Jobs of 1 to 4 one-core tasks arriving faster than 8 cores serve them, requests 1-3× the run time. */
function jobs(n: number, seed: number): Task[] {
  const r = new RandomStreams(seed).get("jobs");
  let now = 0;
  return Array.from({ length: n }, (_, id) => {
    now += Math.round(r.exponential(1 / 8));
    const runS = 1 + Math.round(r.exponential(1 / 40));
    const procs = 1 + r.int(0, 3);
    return task({
      id,
      arrivalS: now,
      runS,
      reqTimeS: runS * (1 + r.int(0, 2)),
      procs,
      cpuMilli: 1000 * procs,
      memoryMiB: procs,
    });
  });
}

/** Every start and finish, in order. */
function recorder(lines: string[]): RunListener {
  return {
    start: (x, n, now) => lines.push(`${now} s ${x.id} ${n.join("+")}`),
    finish: (x, _n, _s, now) => lines.push(`${now} f ${x.id}`),
  };
}

/** SJF's pick among the waiting jobs (arrival order): the shortest request, then the earlier arrival. */
function shortest(waiting: readonly Task[]): Task {
  let best = waiting[0]!;
  for (const t of waiting)
    if (t.reqTimeS < best.reqTimeS || (t.reqTimeS === best.reqTimeS && t.arrivalS < best.arrivalS)) best = t;
  return best;
}

describe("a batch queue whose jobs are chosen from outside", () => {
  for (const backfill of [false, true])
    it(`pauses for each choice and, choosing as SJF does, runs SJF's run event for event (backfilling ${backfill ? "on" : "off"})`, () => {
      const all = jobs(400, backfill ? 2 : 1);
      const reference: string[] = [];
      const r = runBatch({
        cluster: cores(8),
        placement: firstFit(),
        policy: "sjf",
        backfill,
        jobs: all.values(),
        listeners: [recorder(reference)],
      });
      expect(r.completed).toBe(400);
      const outside: string[] = [];
      const loop = new BatchLoop({ placement: firstFit(), policy: "external", backfill });
      const run = new Run({ cluster: cores(8), tasks: all.values(), loop, listeners: [recorder(outside)] });
      let choices = 0;
      let blocked = 0;
      for (;;) {
        const status = run.advance();
        if (status === "ended") break;
        expect(status).toBe("decision");
        const { waiting, fits } = run.pendingJobChoice!;
        const pick = shortest(waiting);
        if (!fits(pick)) blocked++;
        run.chooseJob(pick);
        choices++;
      }
      expect(reference).toHaveLength(800);
      expect(outside).toEqual(reference);
      // Every job was chosen once when it started, and some choices did not fit (the queue was long).
      expect(choices).toBeGreaterThan(400);
      expect(blocked).toBeGreaterThan(0);
      expect(loop.counts.completed).toBe(400);
    });

  it("refuses a choice that is not a waiting job, and still awaits one", () => {
    const all = jobs(20, 3);
    const loop = new BatchLoop({ placement: firstFit(), policy: "external", backfill: false });
    const run = new Run({ cluster: cores(8), tasks: all.values(), loop });
    expect(run.advance()).toBe("decision");
    const stranger = task({ id: 999, arrivalS: 0, runS: 1, cpuMilli: 1000, memoryMiB: 1 });
    expect(() => run.chooseJob(stranger)).toThrow(/chooseJob\(\): expected a waiting job, found task 999/);
    expect(run.pendingJobChoice).toBeDefined();
    run.chooseJob(run.pendingJobChoice!.waiting[0]!);
    expect(() => run.chooseJob(all[0]!)).toThrow(/no job choice is awaited/);
    expect(
      () => new BatchLoop({ placement: firstFit(), policy: "external", backfill: false, preemption: true }),
    ).toThrow(/external job choice with preemption/);
  });
});
