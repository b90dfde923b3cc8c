import { dirname } from "node:path";
import { composeCluster, loadScenarioFile } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

async function compose(name: string) {
  const file = EXAMPLES + name;
  return composeCluster(loadScenarioFile(file), dirname(file));
}

describe("composing a cluster from a scenario", () => {
  it("expands node groups, numbering CXL pools and racks", async () => {
    const c = await compose("hardware/cxl-on.yaml");
    expect(c.state.nodeCount).toBe(64);
    const pools = c.domains.filter((d) => d.kind === "cxl-pool");
    expect(pools.map((p) => p.nodes.length)).toEqual([16, 16, 16, 16]);
    expect([c.state.poolOf(0), c.state.poolOf(15), c.state.poolOf(16), c.state.poolOf(63)]).toEqual([0, 0, 1, 3]);
    expect(c.state.poolFreeMiB(2)).toBe(1024 * 1024);
    expect(c.state.freeMemoryMiB(5)).toBe(192 * 1024);
    const off = await compose("hardware/cxl-off.yaml");
    expect(off.state.poolOf(0)).toBe(-1);
  });

  it("gives DPU nodes the catalogue's VFs, and reads node labels and racks", async () => {
    const on = await compose("hardware/dpu-on.yaml");
    expect([on.state.hasDpu(0), on.state.freeVfs(0), on.state.freeNicGbps(0)]).toEqual([true, 126, 400]);
    const off = await compose("hardware/dpu-off.yaml");
    expect([off.state.hasDpu(0), off.state.freeVfs(0)]).toEqual([false, 0]);
    const s = await compose("scenarios/poisson-small.yaml");
    expect(s.domains.filter((d) => d.kind === "rack").map((r) => r.nodes.length)).toEqual([8, 8]);
    expect(s.powerOf(0)).toEqual({ idleW: 100, peakW: 400 });
  });

  it("reads the openb node list: 1,213 nodes with 6,212 GPUs", async () => {
    const c = await compose("scenarios/openb-fgd.yaml");
    expect(c.state.nodeCount).toBe(1213);
    let gpus = 0;
    for (let i = 0; i < c.state.nodeCount; i++) gpus += c.state.gpuCount(i);
    expect(gpus).toBe(6212);
    // One group per GPU model (each draws its model's power), in order of first appearance; counts as
    // the list has them: 549 G2, 404 T4, 134 P100, 55 V100M16, 39 G3, 30 V100M32, 2 A10.
    const count = new Map<string, number>();
    for (let i = 0; i < c.state.nodeCount; i++) {
      const name = c.groups[c.nodeGroup[i]!]!;
      expect(name).toBe(`openb-nodes ${c.state.gpuModel(i)}`);
      count.set(name, (count.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(count)).toEqual({
      "openb-nodes P100": 134,
      "openb-nodes G2": 549,
      "openb-nodes T4": 404,
      "openb-nodes V100M16": 55,
      "openb-nodes G3": 39,
      "openb-nodes V100M32": 30,
      "openb-nodes A10": 2,
    });
    expect(c.state.groupCount).toBe(7);
  });
});
