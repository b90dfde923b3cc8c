import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The built command, run as a user runs it, on the Double-11 preset (examples/double11/double11.yaml).
const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const PRESET = new URL("../../examples/double11/double11.yaml", import.meta.url).pathname;
const TEN_MINUTES = ["--set", "duration=10m", "--set", "outputs.windows=[]", "--set", "outputs.replay=false"];
/** The preset with 50 times its gateway traffic, nodes and batch (docs/guide/services.md, "The day at full scale"). */
const FIFTY_TIMES = [
  ...["--set", "cluster.nodeGroups.0.count=200", "--set", "services.0.rate.0.ratePerS=9050"],
  ...["--set", "workloads.0.ratePerS=1"],
];

function run(...sets: string[]) {
  const out = mkdtempSync(join(tmpdir(), "clustersim-swing-"));
  const r = spawnSync(process.execPath, [BIN, "run", PRESET, "--out", out, ...TEN_MINUTES, ...sets], {
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, summary: JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) };
}

describe("the fluid call graph's swing: counted, and warned of", () => {
  it("a backlogged order service and its callees trading places: counted for most of the run, and the run warns", () => {
    const { stdout, summary } = run(...FIFTY_TIMES);
    // Ten minutes, two of warm-up: the cycle of four ticks holds from the start, two of its four swing.
    expect(summary.serviceCallSwingS).toBeGreaterThan(120);
    expect(summary.services.order.callSwingS_inventory).toBe(summary.serviceCallSwingS);
    expect(summary.services.gateway.sloAttainment).toBeLessThan(0.01);
    expect(stdout).toMatch(/warning: the calls from order to (inventory|payment) swung for \d+ s/);
  });

  it("the preset's own first ten minutes: no backlog, no swing, no warning", () => {
    const { stdout, summary } = run();
    expect(summary.serviceCallSwingS).toBe(0);
    expect(stdout).not.toContain("warning:");
  });

  it("per request, the same fifty-fold start does not swing (a call is a request in its callee's queue)", () => {
    const perRequest = [0, 1, 2, 3, 4, 5, 6].flatMap((i) => ["--set", `services.${i}.latency=per-request`]);
    const { stdout, summary } = run(...FIFTY_TIMES, ...perRequest);
    expect(summary.serviceCallSwingS).toBe(0);
    expect(summary.services.gateway.sloAttainment).toBeGreaterThan(0.5);
    expect(stdout).not.toContain("warning:");
  });
});
