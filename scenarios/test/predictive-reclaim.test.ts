/**
 * Co-location's batch room from predicted online usage (`colocation.reclaim`), through a run of
 * examples/services/colocation-on.yaml: the trend's room, left by an upper bound, is smaller than the
 * reactive one's when the batch backlog fills it (from the traffic's climb to its peak at 2 h), so
 * batch pods get less CPU; and the run reports how often the services' usage passed the bound.
 */
import { fileURLToPath } from "node:url";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = fileURLToPath(new URL("../../examples/services/colocation-on.yaml", import.meta.url));

describe("co-location's predicted batch room", () => {
  it("gives batch pods less room than the reactive one, and measures its bound", async () => {
    const run = async (sets: string[]) => (await runScenario(loadScenarioFile(FILE, sets), FILE)).summary;
    const reactive = await run([]);
    const predicted = await run(["colocation.reclaim.predictor=trend"]);
    expect(reactive.batchReclaimUsageOverForecastShare).toBeUndefined();
    const share = predicted.batchReclaimUsageOverForecastShare as number;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.5);
    expect(predicted.batchTierCoreHours as number).toBeLessThan(reactive.batchTierCoreHours as number);
    // Suppression never binds here (the climb is slow beside 5 minutes): nothing taken back from either.
    expect(reactive.batchCpuSuppressedShare).toBe(0);
    expect(predicted.batchCpuSuppressedShare).toBe(0);
  });
});
