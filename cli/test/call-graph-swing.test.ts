import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { swingWarning } from "../src/commands/run-scenario.js";

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

describe("the fluid call graph at a backlog: settled, and a swing warned of", () => {
  // The fifty-fold start backlogs the gateway and the order service for minutes. With each caller's
  // calls taken at its callees' last responses, order and its callees traded places tick by tick
  // (inventory took 560, 116, 219, 892 calls a second in turn), the backlog never drained, and the
  // gateway kept 0.0% of its requests within the objective where per request it keeps 77.6%.
  it("the fifty-fold start: no swing, and the gateway's attainment near the per-request run's", () => {
    const fluid = run(...FIFTY_TIMES);
    const perRequest = run(
      ...FIFTY_TIMES,
      ...[0, 1, 2, 3, 4, 5, 6].flatMap((i) => ["--set", `services.${i}.latency=per-request`]),
    );
    expect(fluid.summary.serviceCallSwingS).toBe(0);
    for (const r of [fluid, perRequest]) expect(r.stdout).not.toContain("warning:");
    const gateway = (r: typeof fluid) => r.summary.services.gateway.sloAttainment as number;
    expect(gateway(perRequest)).toBeGreaterThan(0.7);
    // Measured: 0.696 against 0.767. The fluid model stays below; likely because its callees take
    // their callers' calls as Poisson arrivals, where a backlogged caller's slots send a closed stream,
    // which queues less (docs/guide/services.md, "The day at full scale").
    expect(gateway(fluid)).toBeGreaterThan(0.6);
    expect(gateway(fluid)).toBeLessThan(gateway(perRequest));
    expect(gateway(perRequest) - gateway(fluid)).toBeLessThan(0.15);
  });

  it("the preset's own first ten minutes: no backlog, no swing, no warning", () => {
    const { stdout, summary } = run();
    expect(summary.serviceCallSwingS).toBe(0);
    expect(stdout).not.toContain("warning:");
  });

  it("a run whose calls swung for a minute or more warns, naming the edge; less does not", () => {
    const summary = (swingS: number) => ({
      serviceCallSwingS: swingS,
      services: { gateway: { callSwingS_cart: 3 }, order: { callSwingS_payment: 1, callSwingS_inventory: swingS } },
    });
    expect(swingWarning(summary(415))).toMatch(/^ {2}warning: the calls from order to inventory swung for 415 s/);
    expect(swingWarning(summary(59))).toBeUndefined();
  });
});
