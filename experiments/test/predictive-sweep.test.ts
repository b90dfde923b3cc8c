import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { describe, expect, it } from "vitest";

const SWEEP = new URL("../../examples/predictive/autoscaling.yaml", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/services/recurring-peak.yaml", import.meta.url).pathname;

describe("examples/predictive/autoscaling.yaml, on 3 seeds", () => {
  it("each forecaster keeps more requests within the objective than the reactive HPA, for more replica-hours", async () => {
    // The example as written, on seeds 1-3.
    const dir = mkdtempSync(join(tmpdir(), "clustersim-predictive-"));
    const sweep = join(dir, "sweep.yaml");
    const text = readFileSync(SWEEP, "utf8");
    expect(text).toContain("seeds: 10");
    writeFileSync(sweep, text.replace("seeds: 10", "seeds: 3").replaceAll("../services/recurring-peak.yaml", SCENARIO));
    const out = join(dir, "out");
    await runSweep(sweep, { out });
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const d = report.groups[0].differences;
    for (const v of ["seasonal-naive", "holt-winters", "arima", "mlp"]) {
      // Paired over the seeds: the interval of the difference excludes zero, above the practical 0.001.
      expect(d.serviceSloAttainment[v].low).toBeGreaterThan(0.001);
      expect(d.serviceReplicaHours[v].low).toBeGreaterThan(0);
      expect(report.winTieLoss.serviceSloAttainment[v].win).toBe(1);
    }
  });
});
