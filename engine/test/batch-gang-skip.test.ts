/**
 * The batch loop skips trying a gang that surely cannot be placed (more CPU than the whole cluster has
 * free, or more tasks than the nodes' free CPU and memory hold), when its placement strategy's calls
 * have no effects: on random gang workloads, every start is the same as when each such gang is tried
 * (and fails) node by node.
 */
import { runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement, type PlacementStrategy } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { task } from "@clustersim/workloads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const gang = fc.record({
  gapS: fc.integer({ min: 0, max: 50 }),
  runS: fc.integer({ min: 1, max: 400 }),
  reqExtraS: fc.integer({ min: 0, max: 400 }),
  procs: fc.integer({ min: 1, max: 12 }),
  coresEach: fc.constantFrom(1, 2, 4),
  memEachMiB: fc.constantFrom(1, 128, 300, 512),
  user: fc.constantFrom("a", "b", "c"),
});

const MEMORY = [1024, 600, 2048, 1024, 600, 2048];

describe("gangs too large for the free room", () => {
  it("are tried by best fit, whose index breaks ties by the node touched last (a try that is undone moves it)", () => {
    expect(createPlacement("best-fit", {}, { rng: new RandomStreams(1).get("s") }).withoutEffects).toBeFalsy();
  });

  for (const name of ["first-fit", "worst-fit"]) {
    it(`are not tried, with no change to any start or node (${name})`, () => {
      fc.assert(
        fc.property(
          fc.array(gang, { minLength: 1, maxLength: 40 }),
          fc.constantFrom("requested", "predicted"),
          fc.boolean(),
          (specs, runtime, backfill) => {
            let t = 0;
            const jobs = specs.map((g, id) => {
              t += g.gapS;
              const cpuMilli = 1000 * g.coresEach * g.procs;
              const reqTimeS = g.runS + g.reqExtraS;
              return task({
                id,
                app: g.user,
                arrivalS: t,
                runS: g.runS,
                reqTimeS,
                procs: g.procs,
                cpuMilli,
                memoryMiB: g.memEachMiB * g.procs,
              });
            });
            const starts = (placement: PlacementStrategy) => {
              const log: string[] = [];
              runBatch({
                // Nodes of three memory sizes, so that ties and memory both decide.
                cluster: new ClusterState(MEMORY.map((memoryMiB) => ({ cpuMilli: 8000, memoryMiB }))),
                placement,
                policy: "fcfs",
                backfill,
                runtime: runtime as "requested" | "predicted",
                jobs: jobs.values(),
                listeners: [{ start: (job, nodes, now) => log.push(`${now} ${job.id} ${nodes.join("+")}`) }],
              });
              return log;
            };
            const strategy = createPlacement(name, {}, { rng: new RandomStreams(1).get("s") });
            expect(strategy.withoutEffects).toBe(true);
            // The same strategy without the flag: every gang is tried.
            const tried: PlacementStrategy = { name, decide: (v, p) => strategy.decide(v, p) };
            expect(starts(strategy)).toEqual(starts(tried));
          },
        ),
        { numRuns: 1500, seed: 1 },
      );
    });
  }
});
