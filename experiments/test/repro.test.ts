import { FGD_PUBLISHED, RLSCHEDULER_PUBLISHED, reproFgd, reproRlScheduler } from "@clustersim/experiments";
import { describe, expect, it } from "vitest";

const TRACES = new URL("../../../shared/traces/", import.meta.url).pathname;

describe("RLScheduler reproduction (SC'20 Tables V and VI)", () => {
  for (const [name, pub] of Object.entries(RLSCHEDULER_PUBLISHED)) {
    it(`${name}: every bounded slowdown and utilisation matches the published table to the printed digit`, async () => {
      const r = await reproRlScheduler({ trace: TRACES + pub.file });
      expect(r.jobs).toBe(10_000);
      for (const x of r.results) {
        const mode = x.backfill ? "easy" : "none";
        expect(x.boundedSlowdown.toFixed(2), `${x.policy} ${mode}`).toBe(pub.bsld[mode][x.policy].toFixed(2));
        expect(x.utilisation.toFixed(3), `${x.policy} ${mode}`).toBe(pub.util[mode][x.policy].toFixed(3));
      }
    });
  }
});

describe("FGD reproduction (ATC'23 Fig. 7)", () => {
  it("matches every published 10-seed mean at 130% load within a point, in the published order", async () => {
    const r = await reproFgd({
      podsFile: TRACES + FGD_PUBLISHED.pods,
      nodesFile: TRACES + FGD_PUBLISHED.nodes,
      seeds: 10,
      workers: 2,
    });
    expect(r.nodes).toBe(1213);
    expect(r.gpus).toBe(6212);
    const at130 = (p: (typeof r.policies)[number]) => p.checkpoints.find((c) => c.load === 1.3)!;
    for (const p of r.policies) {
      const [at100, end] = p.checkpoints;
      expect(end.allocationPct.mean).toBeGreaterThanOrEqual(at100.allocationPct.mean);
      expect(
        Math.abs(at130(p).allocationPct.mean - FGD_PUBLISHED.allocationPct[p.policy]),
        p.policy,
      ).toBeLessThanOrEqual(FGD_PUBLISHED.tolerance);
      // Fragmentation is part of the idle capacity.
      expect(end.fragmentationPct.mean).toBeLessThanOrEqual(100 - end.allocationPct.mean + 1e-9);
    }
    const ours = [...r.policies]
      .sort((a, b) => at130(a).allocationPct.mean - at130(b).allocationPct.mean)
      .map((p) => p.policy);
    const published = Object.entries(FGD_PUBLISHED.allocationPct)
      .sort((a, b) => a[1] - b[1])
      .map(([k]) => k);
    expect(ours).toEqual(published);
  });

  it("gives the same numbers on worker threads as in one thread", async () => {
    const o = {
      podsFile: TRACES + FGD_PUBLISHED.pods,
      nodesFile: TRACES + FGD_PUBLISHED.nodes,
      seeds: 2,
      policies: ["gpu-best-fit", "random"],
    };
    expect(await reproFgd({ ...o, workers: 2 })).toEqual(await reproFgd(o));
  });

  it("is sensitive to how ties are broken: uniformly random ties spread GPU-packing pods and cost allocation", async () => {
    const run = (tieBreak: "first" | "random") =>
      reproFgd({
        podsFile: TRACES + FGD_PUBLISHED.pods,
        nodesFile: TRACES + FGD_PUBLISHED.nodes,
        seeds: 2,
        policies: ["gpu-packing"],
        tieBreak,
      });
    const first = (await run("first")).policies[0].checkpoints[1].allocationPct.mean;
    const random = (await run("random")).policies[0].checkpoints[1].allocationPct.mean;
    expect(first - random).toBeGreaterThan(1.5);
  });
});
