/**
 * With a warm pool, a run reports the cold-start share of the app at the 75th percentile
 * (`appColdStartRateP75`, the per-app view "Serverless in the Wild" plots against wasted memory), worked
 * out by hand on four apps of a small SWF log replayed as firecracker invocations of 1 s on one node,
 * each sandbox kept warm 60 s after its invocation ends.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

// Invocation times per app (SWF user id): warm when within 60 s of the app's last end (start + 1 s).
const CALLS: Record<number, number[]> = {
  1: [0], // cold: 1 of 1
  2: [0, 100, 130], // cold, cold (100 > 61), warm (130 ≤ 161): 2 of 3
  3: [0, 5, 20, 30], // cold, then warm thrice: 1 of 4
  4: [0, 30, 200, 230], // cold, warm, cold (200 > 91), warm: 2 of 4
};

describe("the cold-start share of the app at the 75th percentile", () => {
  it("is the per-app shares' quantile: 1/4, 1/2, 2/3, 1 give 2/3 + 0.25 × (1 − 2/3) = 0.75", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-app-cold-"));
    const rows = Object.entries(CALLS)
      .flatMap(([user, times]) => times.map((t) => ({ user: Number(user), t })))
      .sort((a, b) => a.t - b.t || a.user - b.user)
      .map((r, i) => `${i + 1} ${r.t} -1 1 1 -1 -1 1 1 -1 1 ${r.user} -1 -1 -1 -1 -1 -1`);
    writeFileSync(join(dir, "calls.swf"), `${rows.join("\n")}\n`);
    const file = join(dir, "s.yaml");
    writeFileSync(
      file,
      [
        "name: app-cold-starts",
        "duration: 1h",
        "cluster:",
        "  nodeGroups:",
        "    - { name: w, count: 1, cpu: '16', memory: 64Gi }",
        "hardware:",
        "  warmPool: { keepAlive: 60s }",
        "workloads:",
        "  - type: trace",
        "    format: swf",
        "    path: calls.swf",
        "    runtime: firecracker",
        "scheduler: { name: least-allocated }",
        "",
      ].join("\n"),
    );
    const s = (await runScenario(loadScenarioFile(file), file, { seed: 1 })).summary;
    expect(s.coldStarts).toBe(1 + 2 + 1 + 2);
    expect(s.appColdStartRateP75 as number).toBeCloseTo(0.75, 12);
  });
});
