import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { describe, expect, it } from "vitest";

const SWEEP = new URL("../../examples/predictive/runtime-prediction.yaml", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/predictive/ricc-window.yaml", import.meta.url).pathname;
const TRACES = new URL("../../../shared/traces/", import.meta.url).pathname;

describe("examples/predictive/runtime-prediction.yaml, on 3 seeds and windows of 5,000 jobs", () => {
  it("predicted run times cut EASY's bounded slowdown, and EASY++ its wait (geometric means over the windows)", async () => {
    // The example as written, on seeds 1-3, each seed's window cut to its first 5,000 jobs (about 25 s
    // of runs; the 10 windows of 20,000 jobs take minutes).
    const dir = mkdtempSync(join(tmpdir(), "clustersim-runtime-prediction-"));
    const scenario = readFileSync(SCENARIO, "utf8");
    expect(scenario).toContain("count: 20000");
    writeFileSync(
      join(dir, "ricc-window.yaml"),
      scenario.replace("count: 20000", "count: 5000").replaceAll("../../../shared/traces/", TRACES),
    );
    const text = readFileSync(SWEEP, "utf8");
    expect(text).toContain("seeds: 10");
    writeFileSync(join(dir, "sweep.yaml"), text.replace("seeds: 10", "seeds: 3"));
    const out = join(dir, "out");
    await runSweep(join(dir, "sweep.yaml"), { out });
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.failed).toBe(0);
    const g = report.groups[0];
    for (const v of ["easy-predicted", "easy-plus-plus"]) {
      expect(g.ratios.boundedSlowdownMean[v].n).toBe(3);
      expect(g.ratios.boundedSlowdownMean[v].mean).toBeLessThan(1);
      // Every job completes either way; predictions fell short and were corrected in every window.
      expect(g.means.tasksCompleted[v]).toMatchObject({ mean: 5000, degenerate: true });
      expect(g.means.jobsUnderpredicted[v].low).toBeGreaterThan(0);
      expect(g.means.runtimeCorrections[v].low).toBeGreaterThan(0);
    }
    // On these shorter windows predictions alone lengthen the mean wait (the docs say so); backfilling
    // shortest first as well shortens it.
    expect(g.ratios.waitMeanS["easy-predicted"].mean).toBeGreaterThan(1);
    expect(g.ratios.waitMeanS["easy-plus-plus"].mean).toBeLessThan(1);
  });
});
