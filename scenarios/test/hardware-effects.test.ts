import { describe, expect, it } from "vitest";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";

const HW = new URL("../../examples/hardware/", import.meta.url).pathname;
const run = async (name: string) => (await runScenario(loadScenarioFile(HW + name + ".yaml"), HW + name + ".yaml")).summary as Record<string, number>;

describe("hardware models inside scenario runs (examples/hardware)", () => {
  it("CXL pools: tasks larger than any node's DRAM run by spilling into the pool, at a slowdown", async () => {
    const off = await run("cxl-off");
    const on = await run("cxl-on");
    expect(off.tasksLargerThanAnyNode).toBeGreaterThan(0);
    expect(on.tasksLargerThanAnyNode).toBe(0);
    expect(on.tasksNeverScheduled).toBeLessThan(off.tasksNeverScheduled);
    expect(on.cxlPooledTasks).toBeGreaterThan(0);
    // Pond's buckets: the slowdown of a pooled task stays below the most sensitive bucket's bound.
    expect(on.cxlSlowdownMean).toBeGreaterThan(0);
    expect(on.cxlSlowdownMean).toBeLessThan(0.6);
    expect(on.runTimeStretchMean).toBeGreaterThan(1);
    expect(off.runTimeStretchMean).toBe(1);
  });

  it("DPUs: without one, virtio traffic takes host cores and services queue; with one they do not", async () => {
    const off = await run("dpu-off");
    const on = await run("dpu-on");
    expect(on.tasksSubmitted).toBe(off.tasksSubmitted);
    expect(off.waitMeanS).toBeGreaterThan(10 * Math.max(on.waitMeanS, 0.1));
  });

  it("sandbox runtimes: cold starts are counted, warm instances cut them, and Firecracker's compute runs slower than gVisor's", async () => {
    const gvisor = await run("runtime-gvisor");
    const fc = await run("runtime-firecracker");
    for (const s of [gvisor, fc]) {
      expect(s.coldStarts).toBeGreaterThan(0);
      expect(s.coldStartRate).toBeLessThan(0.05); // warm instances kept 10 minutes
    }
    expect(fc.runTimeStretchMean).toBeGreaterThan(gvisor.runTimeStretchMean);
  }, 30_000);
});

describe("failures inside scenario runs", () => {
  const file = HW + "rack-outage.yaml";
  it("kills the tasks of failed nodes and resubmits them; reproducibly; none without faults", async () => {
    const a = (await runScenario(loadScenarioFile(file), file)).summary as Record<string, number>;
    const b = (await runScenario(loadScenarioFile(file), file)).summary as Record<string, number>;
    const none = (await runScenario(loadScenarioFile(file, ["faults=[]"]), file)).summary as Record<string, number>;
    expect(a).toEqual(b);
    expect(a.taskRunsKilled).toBeGreaterThan(0);
    expect(none.taskRunsKilled).toBe(0);
    // A killed task waits again for a node: the tail of the waits grows.
    expect(a.waitP99S).toBeGreaterThan(none.waitP99S);
    expect(a.cpuAllocatedFraction).toBeLessThan(1);
  });

  it("names a fault that points at a domain the cluster does not have", async () => {
    const spec = loadScenarioFile(file, ["faults=[{ type: domain-failure, domain: cxl-pool, index: 0, at: 1h, repair: 1h }]"]);
    await expect(runScenario(spec, file)).rejects.toThrow(/faults\[0\]\.domain: the cluster has no cxl-pool domains/);
  });
});
