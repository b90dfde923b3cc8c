import { runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { PUBLISHED_STARTS, QueueEnv, readCompatJobs } from "@clustersim/rl";
import { type CompatJob, firstFit } from "@clustersim/schedulers";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;

/** The engine's own SJF batch run of a window, as `repro rlscheduler --semantics default` runs it. */
function engineSjf(
  jobs: readonly CompatJob[],
  start: number,
  count: number,
  m: { nodes: number; procsPerNode: number; backfill: boolean },
) {
  const window = jobs.slice(start, start + count).map((j, i) =>
    task({
      id: i,
      arrivalS: j.submitS,
      runS: j.runS,
      reqTimeS: j.reqTimeS,
      procs: j.procs,
      cpuMilli: 1000 * j.procs,
    }),
  );
  let lastStart = Number.NEGATIVE_INFINITY;
  const r = runBatch({
    cluster: new ClusterState(
      Array.from({ length: m.nodes }, () => ({ cpuMilli: m.procsPerNode * 1000, memoryMiB: 1 })),
    ),
    placement: firstFit(),
    policy: "sjf",
    backfill: m.backfill,
    jobs: window.values(),
    onStart: (_t, now) => (lastStart = Math.max(lastStart, now)),
  });
  return {
    boundedSlowdown: r.boundedSlowdownSum / r.completed,
    utilisation: r.workMilliS / 1000 / ((lastStart - window[0]!.arrivalS) * m.nodes * m.procsPerNode),
  };
}

describe("the queue environment on the engine's own batch queue (semantics: engine)", () => {
  it("played as SJF chooses, ends where the engine's SJF run of the window ends, figure for figure", async () => {
    const t = await readCompatJobs(LUBLIN1);
    for (const backfill of [false, true]) {
      const env = new QueueEnv({ ...t, backfill, sequenceJobs: 256, semantics: "engine" });
      for (const start of PUBLISHED_STARTS.slice(0, 3)) {
        let { info } = env.reset(0, start);
        let steps = 0;
        for (;;) {
          // SJF's pick: the shortest request, the earlier submit on a tie; the slots show it (the
          // shortest-request order comes first beyond 128 waiting).
          const shown = env.visibleJobs;
          let pick = 0;
          for (let i = 1; i < shown.length; i++) {
            const a = shown[i]!;
            const b = shown[pick]!;
            if (a.reqTimeS < b.reqTimeS || (a.reqTimeS === b.reqTimeS && a.submitS < b.submitS)) pick = i;
          }
          expect(info.mask[pick]).toBe(1);
          const r = env.step(pick);
          steps++;
          if (r.terminated) {
            const want = engineSjf(t.jobs, start, 256, { ...t, backfill });
            expect(r.info.boundedSlowdown).toBe(want.boundedSlowdown);
            expect(r.info.utilisation).toBe(want.utilisation);
            expect(r.reward).toBe(-want.boundedSlowdown);
            // A decision at every pass while jobs wait: at least one per job.
            expect(steps).toBeGreaterThanOrEqual(256);
            break;
          }
          info = r.info;
        }
      }
    }
  });
});
