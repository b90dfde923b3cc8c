import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The built command, run as a user runs it (npm test builds first).
const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;

describe("clustersim sweep with a field no scenario reads", () => {
  it("exits 2 naming the field, where the path leaves the scenario and the nearest path, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-fields-"));
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(
      sweep,
      `scenarios: [${SCENARIO}]\nschedulers: [best-fit]\nparameters: { workloads.0.rate: [1, 2] }\nseeds: 1\n`,
    );
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, [BIN, "sweep", sweep, "--out", out], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `clustersim: ${sweep}: parameters.workloads.0.rate: expected a field that a scenario of the sweep reads, found none that does: ${SCENARIO}: workloads.0 (type: poisson) has no field "rate" (did you mean workloads.0.ratePerS?)\n`,
    );
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });
});
