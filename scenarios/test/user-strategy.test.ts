import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCluster } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { checkUserParams, loadUserStrategy, SpecError } from "@clustersim/scenarios";
import { RandomStreams } from "@clustersim/sim-core";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

describe("user strategies from a file", () => {
  it("loads a TypeScript strategy, and runs it", async () => {
    const entry = await loadUserStrategy(
      "../plugins/least-loaded-node.ts",
      `${EXAMPLES}scenarios`,
      "s.yaml",
      "least-loaded-node",
    );
    expect(entry.name).toBe("least-loaded-node");
    // Loading again is harmless.
    await loadUserStrategy(`${EXAMPLES}plugins/least-loaded-node.ts`, "/", "s.yaml", "least-loaded-node");
    expect(() => checkUserParams(entry, { maxPerNode: 0 }, "s.yaml")).toThrow(SpecError);

    const cluster = new ClusterState(Array.from({ length: 4 }, () => ({ cpuMilli: 8000, memoryMiB: 8192 })));
    // Used through its entry: nothing is registered process-wide, so two runs never see each other's plug-ins.
    const strategy = entry.create!(entry.params.parse({ maxPerNode: 2 }), { rng: new RandomStreams(1).get("s") });
    const nodes: number[] = [];
    const tasks = Array.from({ length: 10 }, (_, i) =>
      task({ id: i, arrivalS: i, runS: 100, cpuMilli: 100, memoryMiB: 1 }),
    );
    const r = runCluster({ cluster, strategy, tasks: tasks.values(), onStart: (_t, n) => nodes.push(n) });
    // Spread one per node, then a second round, then the cap of 2 per node holds the last two back until tasks leave.
    expect(nodes.slice(0, 8)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(r.completed).toBe(10);
  });

  it("names the problem when the file is missing, exports nothing usable, or names another strategy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-plugin-"));
    await expect(loadUserStrategy("nope.ts", dir, "s.yaml", "x")).rejects.toThrow(
      /s\.yaml: scheduler\.plugin: expected a readable plug-in file, found no such file/,
    );
    writeFileSync(join(dir, "empty.mjs"), "export const other = 1;\n");
    await expect(loadUserStrategy("empty.mjs", dir, "s.yaml", "x")).rejects.toThrow(/expected .* to export `strategy`/);
    await expect(
      loadUserStrategy(`${EXAMPLES}plugins/least-loaded-node.ts`, dir, "s.yaml", "other-name"),
    ).rejects.toThrow(/is called "least-loaded-node", but scheduler.name is "other-name"/);
  });
});
