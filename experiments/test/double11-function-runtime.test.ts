import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

const SWEEP = new URL("../../examples/double11/function-runtime.yaml", import.meta.url).pathname;
const PRESET = new URL("../../examples/double11/double11.yaml", import.meta.url).pathname;

describe("examples/double11/function-runtime.yaml, reduced: the function tier alone, 30 minutes, 3 seeds", () => {
  it("a start costs more in a microVM than in runc, and more in Kata's VM than Firecracker's; idle warm instances hold more memory", async () => {
    // The sweep as written, its four variants on seeds 1-3, each run the preset
    // without its services (the function tier's own figures; the services took 95% of the time) for
    // its first 30 minutes (about 25 s of runs; the full sweep's 40 runs take minutes).
    const dir = mkdtempSync(join(tmpdir(), "clustersim-function-runtime-"));
    const sweep = parse(readFileSync(SWEEP, "utf8"));
    expect(sweep.seeds).toBe(10);
    sweep.scenarios = [PRESET];
    sweep.seeds = 3;
    sweep.metrics = ["startLatencyMeanS", "coldStartRate", "warmIdleMemoryGiBh"];
    sweep.variants = sweep.variants.map((v: { label: string; set?: Record<string, unknown> }) => ({
      label: v.label,
      set: { ...v.set, services: [], duration: "30m", "outputs.windows": [], "outputs.replay": false },
    }));
    writeFileSync(join(dir, "sweep.yaml"), stringify(sweep));
    const out = join(dir, "out");
    await runSweep(join(dir, "sweep.yaml"), { out });
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.failed).toBe(0);
    const ratios = report.groups[0].ratios;
    // As the full sweep finds: Kata's starts about 1.5x runc's, its idle memory-hours about 1.2x.
    expect(ratios.startLatencyMeanS.kata.n).toBe(3);
    expect(ratios.startLatencyMeanS.kata.low).toBeGreaterThan(1.3);
    expect(ratios.startLatencyMeanS.firecracker.low).toBeGreaterThan(1);
    expect(ratios.startLatencyMeanS.kata.mean).toBeGreaterThan(ratios.startLatencyMeanS.firecracker.high);
    expect(ratios.warmIdleMemoryGiBh.kata.low).toBeGreaterThan(1.1);
    expect(ratios.warmIdleMemoryGiBh.firecracker.low).toBeGreaterThan(1);
    expect(ratios.warmIdleMemoryGiBh.gvisor.low).toBeGreaterThan(1);
  });
});
