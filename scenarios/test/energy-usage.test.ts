import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

/** One 8-core node (100 W idle, 400 W at full CPU); one replica of 4 cores using 1 (200 requests/s × 5 ms). */
function scenario(cpuPerRequest = "0.005"): string {
  const file = join(mkdtempSync(join(tmpdir(), "clustersim-energy-")), "s.yaml");
  writeFileSync(
    file,
    [
      "duration: 1h",
      "cluster:",
      '  nodeGroups: [{ name: n, count: 1, cpu: "8", memory: 32Gi, power: { idleW: 100, peakW: 400 } }]',
      "services:",
      "  - name: web",
      '    replica: { cpu: "4", memory: 1Gi }',
      "    replicas: 1",
      "    concurrency: 8",
      "    serviceTime: { dist: exponential, mean: 0.01 }",
      `    cpuPerRequest: ${cpuPerRequest}`,
      "    slo: { percentile: 99, target: 1s }",
      "    rate: [{ type: constant, ratePerS: 200 }]",
      // Arrivals at their mean: the hand-worked usage below is 200 × the CPU per request at every sample.
      "    latency: fluid-mean",
      "scheduler: { name: best-fit }",
    ].join("\n"),
  );
  return file;
}

describe("energy", () => {
  it("follows CPU usage, not allocation, where usage is known: a replica using 1 of its 4 cores", async () => {
    const file = scenario();
    const s = (await runScenario(loadScenarioFile(file), file)).summary as Record<string, number>;
    // The CPU in use is read at the same samples and held until the next (the usage model): the first
    // sample comes before the replica is placed (0 cores), then 1 core of 8: (0 × 1 + 1/8 × 59) / 60.
    expect(s.cpuUsedFraction).toBeCloseTo(59 / 480, 9);
    expect(s.cpuAllocatedFraction).toBeCloseTo(4 / 8, 9);
    // Usage is read at each sample (every 60 s). The replica is placed just after the first sample, so
    // the first minute runs at its allocation, 100 + 300 × 4/8 = 250 W; then at its usage, 100 + 300 ×
    // 1/8 = 137.5 W: (250 × 1 + 137.5 × 59) / 60 Wh = 139.375 Wh (allocation alone: 250 Wh).
    expect(s.energyKWh).toBeCloseTo(0.139375, 9);
  });

  it("counts no replica above its CPU: one whose traffic asks for 200 cores uses its 4 (of the node's 8)", async () => {
    // 200 requests/s × 1 CPU-second each, on a replica of 4 cores: its requests run at the speed its CPU
    // allows (CPU as the server), so it uses 4 cores from the second sample on, (0 × 1 + 4/8 × 59) / 60.
    const file = scenario("1");
    const s = (await runScenario(loadScenarioFile(file), file)).summary as Record<string, number>;
    expect(s.cpuUsedFraction).toBeCloseTo(59 / 120, 9);
  });
});
