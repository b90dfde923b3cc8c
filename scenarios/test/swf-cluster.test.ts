import { composeCluster, loadScenarioFile } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/scenarios/lublin-window.yaml", import.meta.url).pathname;

describe("a cluster sized from an SWF log's header", () => {
  it("has MaxNodes nodes of MaxProcs / MaxNodes cores (Lublin-1: 256 of 1), 4 GiB per processor unless given", async () => {
    // lublin_256.swf's header: MaxNodes 256, MaxProcs 256.
    const spec = loadScenarioFile(FILE);
    const c = await composeCluster(spec, new URL(".", `file://${FILE}`).pathname);
    expect(c.state.nodeCount).toBe(256);
    expect(c.state.allocatableCpuMilli(0)).toBe(1000);
    expect(c.state.allocatableMemoryMiB(255)).toBe(4096);
    const big = loadScenarioFile(FILE, ["cluster.fromTrace.nodeMemory=64Gi"]);
    const c2 = await composeCluster(big, new URL(".", `file://${FILE}`).pathname);
    expect(c2.state.allocatableMemoryMiB(0)).toBe(65536);
  });
});
