import type { Controller, ReplicaSet, ServicesController } from "@clustersim/engine";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { hpa, nodes, runServices, service } from "./service-fixtures.js";

/** The counts a ReplicaSet keeps as its sets change, against the sets themselves. */
function expectCounts(set: ReplicaSet): void {
  expect(set.readyCount).toBe(set.ready.size);
  expect(set.placed).toBe(set.starting.size + set.ready.size);
  expect(set.replicas).toBe(set.pending.size + set.starting.size + set.ready.size);
}

describe("a ReplicaSet's counts through a run", () => {
  it("equal its sets' sizes at every check, through scaling, OOM kills and restarts, and nodes lost and back; and the change count moves with them", () => {
    // Traffic that swings the HPA up and down (300/s per replica), and at 600/s on 2 replicas (or
    // 300/s on 1) holds 30 requests of 10 MiB per replica over a 256 MiB limit: containers are killed
    // and start again in place (./service-oom.test.ts).
    const web = service({
      name: "web",
      initialReplicas: 2,
      concurrency: 100,
      cpuSecondsPerRequest: 0,
      readinessS: 5,
      memory: { perRequestMiB: 10, baseMiB: 56 },
      rate: new RateCurve([
        {
          type: "piecewise",
          points: [
            [0, 50],
            [300, 600],
            [600, 600],
            [900, 20],
            [1500, 300],
          ],
        },
      ]),
      autoscaler: hpa({ type: "offeredRps", targetPerReplica: 300 }, { syncPeriodS: 15 }),
      minReplicas: 1,
      maxReplicas: 12,
    });
    // Node 0 fails at 400 s and comes back at 700 s; every node fails at 1,000 s (the replicas wait,
    // pending, with nowhere to go) and two come back at 1,300 s.
    const faults: Controller = {
      name: "faults",
      start: (ctx) => {
        ctx.at(400, () => ctx.setNodeUp(0, false));
        ctx.at(700, () => ctx.setNodeUp(0, true));
        ctx.at(1000, () => {
          for (let n = 0; n < 4; n++) ctx.setNodeUp(n, false);
        });
        ctx.at(1300, () => {
          ctx.setNodeUp(0, true);
          ctx.setNodeUp(1, true);
        });
      },
    };
    let checks = 0;
    const seen = { killed: false, scaledDown: false, allPending: false };
    // What the load-aware forecast derives from the sets (where each placed replica is, whether it is
    // ready, its request) may change only when the controller's change count moves.
    let lastShape = "";
    let lastChanges = -1;
    let shapesChanged = 0;
    const every = (c: ServicesController) => {
      const shape = c.sets
        .map((set) => [...set.nodeOf].map(([t, n]) => `${n}:${set.ready.has(t)}:${t.cpuMilli}`).join(","))
        .join("|");
      if (shape !== lastShape) {
        expect(c.replicaChanges).not.toBe(lastChanges);
        shapesChanged++;
      }
      lastShape = shape;
      lastChanges = c.replicaChanges;
      for (const set of c.sets) {
        expectCounts(set);
        checks++;
        if (set.scaleDowns > 0) seen.scaledDown = true;
        if (set.pending.size > 0 && set.placed === 0) seen.allPending = true;
      }
    };
    const c = runServices(nodes(4, 8), [web], 1800, every, [faults]);
    const s = c.summary().web;
    seen.killed = s.oomKills > 0;
    expect(checks).toBe(120);
    expect(shapesChanged).toBeGreaterThan(2);
    // The paths that change the sets were taken.
    expect(seen.killed).toBe(true);
    expect(seen.scaledDown).toBe(true);
    expect(seen.allPending).toBe(true);
    expect(c.sets[0].scaleUps).toBeGreaterThan(0);
  });
});
