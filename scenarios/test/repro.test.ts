import { describe, expect, it } from "vitest";
import { FGD_PUBLISHED, RLSCHEDULER_PUBLISHED, reproFgd, reproRlScheduler } from "@clustersim/scenarios";

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

describe("FGD reproduction (ATC'23 Fig. 7), one seed", () => {
  it("places the openb default pod list; BestFit, DotProd and Random land within a point of the published 130% means", async () => {
    const r = await reproFgd({
      podsFile: TRACES + FGD_PUBLISHED.pods,
      nodesFile: TRACES + FGD_PUBLISHED.nodes,
      seeds: 1,
      policies: ["random", "dot-product", "gpu-best-fit"],
    });
    expect(r.nodes).toBe(1213);
    expect(r.gpus).toBe(6212);
    for (const p of r.policies) {
      const [at100, at130] = p.checkpoints;
      expect(at130.allocationPct.mean).toBeGreaterThanOrEqual(at100.allocationPct.mean);
      expect(Math.abs(at130.allocationPct.mean - FGD_PUBLISHED.allocationPct[p.policy]), p.policy).toBeLessThanOrEqual(1.0);
      // Fragmentation is part of the idle capacity.
      expect(at130.fragmentationPct.mean).toBeLessThanOrEqual(100 - at130.allocationPct.mean + 1e-9);
    }
  }, 120_000);
});
