/**
 * A trace workload's `runtime` gives every task of the trace that runtime class, so that a warm pool and
 * a sandbox's cold starts apply to replayed invocations as they do to generated ones.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeWorkload, loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const TRACE = new URL("../../../shared/traces/azure-functions-2019/10", import.meta.url).pathname;

function scenario(runtime: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-trace-runtime-"));
  const file = join(dir, "s.yaml");
  writeFileSync(
    file,
    [
      "name: trace-runtime",
      "duration: 1h",
      "cluster:",
      "  nodeGroups:",
      "    - { name: w, count: 4, cpu: '16', memory: 64Gi }",
      "hardware:",
      "  warmPool: { keepAlive: 10m }",
      "workloads:",
      "  - type: trace",
      "    format: azure-functions",
      `    path: ${TRACE}`,
      ...(runtime ? [`    runtime: ${runtime}`] : []),
      "    transforms: [{ type: window, to: 1h }]",
      "scheduler: { name: least-allocated }",
      "",
    ].join("\n"),
  );
  return file;
}

describe("a trace workload's runtime", () => {
  it("is every task's, and brings the warm pool's cold and warm starts to the replay", async () => {
    const file = scenario("firecracker");
    const spec = loadScenarioFile(file);
    const tasks = [];
    for await (const t of composeWorkload(spec, { baseDir: "/" })) tasks.push(t);
    expect(tasks.length).toBeGreaterThan(100);
    expect(new Set(tasks.map((t) => t.runtime))).toEqual(new Set(["firecracker"]));
    const s = (await runScenario(spec, file, { seed: 1 })).summary;
    // Each app's first invocation is cold; later ones within 10 minutes of the last end are warm.
    expect(s.coldStarts as number).toBeGreaterThan(0);
    expect(s.coldStartRate as number).toBeLessThan(1);
    // Without it, the replay has no sandbox: no starts are counted.
    const plain = scenario(undefined);
    const p = (await runScenario(loadScenarioFile(plain), plain, { seed: 1 })).summary;
    expect(p.coldStarts).toBeUndefined();
  });
});
