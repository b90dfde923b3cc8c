import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

/**
 * One node of 8 cores and four T4s (100 W idle, 400 W at full CPU; a T4 10 W idle, 70 W at full load),
 * one task of 4 cores and 2 whole GPUs from the start, for an hour.
 */
function scenario(power: string, gpuModel = "T4"): string {
  const file = join(mkdtempSync(join(tmpdir(), "clustersim-gpu-energy-")), "s.yaml");
  writeFileSync(
    file,
    [
      "duration: 1h",
      "cluster:",
      `  nodeGroups: [{ name: n, count: 1, cpu: "8", memory: 32Gi, gpus: 4, gpuModel: ${gpuModel}, power: ${power} }]`,
      "workloads:",
      "  - type: poisson",
      "    ratePerS: 1",
      '    task: { run: 2h, cpu: "4", memory: 1Gi, gpus: 2, gpuMilli: 1000 }',
      "    transforms: [{ type: window, count: 1, rebase: true }]",
      "scheduler: { name: best-fit }",
    ].join("\n"),
  );
  return file;
}

const energy = async (file: string) =>
  ((await runScenario(loadScenarioFile(file), file)).summary as Record<string, number>).energyKWh;

describe("GPU power", () => {
  it("draws each GPU's idle power and its model's peak on the GPUs allocated", async () => {
    // Node 100 + 300 × 4/8 = 250 W; GPUs 4 × 10 + 2 × (70 − 10) = 160 W; for an hour: 410 Wh.
    expect(await energy(scenario("{ idleW: 100, peakW: 400 }"))).toBeCloseTo(0.41, 9);
    // A V100 (SXM2: 30 W idle, 300 W peak): 250 + 4 × 30 + 2 × 270 = 910 W.
    expect(await energy(scenario("{ idleW: 100, peakW: 400 }", "V100M16"))).toBeCloseTo(0.91, 9);
    // The group's own figures override the model's: 250 + 4 × 20 + 2 × 80 = 490 W.
    expect(await energy(scenario("{ idleW: 100, peakW: 400, gpuIdleW: 20, gpuPeakW: 100 }"))).toBeCloseTo(0.49, 9);
  });
});
