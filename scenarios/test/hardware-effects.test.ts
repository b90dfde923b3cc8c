import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const HW = new URL("../../examples/hardware/", import.meta.url).pathname;
const run = async (name: string) =>
  (await runScenario(loadScenarioFile(`${HW + name}.yaml`), `${HW + name}.yaml`)).summary as Record<string, number>;

describe("hardware models inside scenario runs (examples/hardware)", () => {
  it("CXL pools: tasks larger than any node's DRAM run by spilling into the pool, at a slowdown", async () => {
    const off = await run("cxl-off");
    const on = await run("cxl-on");
    expect(off.tasksLargerThanAnyNode).toBeGreaterThan(0);
    expect(on.tasksLargerThanAnyNode).toBe(0);
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
      // Warm instances kept 10 minutes, one per app and node: most invocations find one.
      expect(s.coldStartRate).toBeLessThan(0.15);
    }
    expect(fc.runTimeStretchMean).toBeGreaterThan(gvisor.runTimeStretchMean);
  });
});

describe("failures inside scenario runs", () => {
  const file = `${HW}rack-outage.yaml`;
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
    const spec = loadScenarioFile(file, [
      "faults=[{ type: domain-failure, domain: cxl-pool, index: 0, at: 1h, repair: 1h }]",
    ]);
    await expect(runScenario(spec, file)).rejects.toThrow(/faults\[0\]\.domain: the cluster has no cxl-pool domains/);
  });
});

describe("placement constraints from scenario files", () => {
  it("keeps VM-isolated nodes for tasks that tolerate their taint and select them", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "clustersim-iso-")), "iso.yaml");
    writeFileSync(
      file,
      `
name: isolation
duration: 1h
cluster:
  nodeGroups:
    - { name: shared, count: 4, cpu: "16", memory: 64Gi }
    - name: vm-only
      count: 2
      cpu: "16"
      memory: 64Gi
      labels: { isolation: vm }
      taints: [{ key: isolation, value: vm, effect: NoSchedule }]
workloads:
  - type: poisson
    name: tenants
    ratePerS: 0.2
    task:
      run: 300
      cpu: 1
      memory: 1Gi
      runtime: firecracker
      app: tenant
      tolerations: [{ key: isolation, value: vm }]
      nodeSelector: { isolation: vm }
  - type: poisson
    name: plain
    ratePerS: 0.2
    task: { run: 300, cpu: 1, memory: 1Gi, app: plain }
scheduler: { name: kubernetes-default }
`,
    );
    const rows: string[][] = [];
    const { summary } = await runScenario(loadScenarioFile(file), file, { onTaskRow: (l) => rows.push(l.split(",")) });
    const started = rows.filter((r) => r[3] === "finished" || r[3] === "running");
    const vmNodes = new Set(["4", "5"]);
    // Rows: id,workload,app,state,...,node at index 8. Tenants ran only on the VM nodes; plain tasks never did.
    const tenants = started.filter((r) => r[2] === "tenant");
    const plain = started.filter((r) => r[2] === "plain");
    expect(tenants.length).toBeGreaterThan(100);
    expect(plain.length).toBeGreaterThan(100);
    expect(tenants.every((r) => vmNodes.has(r[8]))).toBe(true);
    expect(plain.some((r) => vmNodes.has(r[8]))).toBe(false);
    expect((summary as Record<string, number>).coldStarts).toBeGreaterThan(0);
  });
});

describe("common random numbers for the hardware's draws", () => {
  it("gives each task the same start latency whichever policy places it, in whatever order", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "clustersim-crn-")), "crn.yaml");
    // Three small nodes, tasks of 1-3 cores arriving faster than they leave: best fit and worst fit
    // start them in different orders. Every start is cold (no warm pool), so a task's run time as
    // placed is its start latency plus its work: equal under both policies only if the draw is the task's.
    writeFileSync(
      file,
      `
duration: 30m
cluster: { nodeGroups: [{ name: n, count: 3, cpu: "4", memory: 16Gi }] }
workloads:
  - type: poisson
    ratePerS: 0.2
    task: { run: 20, cpu: { dist: uniform, min: "1", max: "3" }, memory: 1Gi, runtime: firecracker }
scheduler: { name: best-fit }
`,
    );
    const durations = async (policy: string) => {
      const rows: string[][] = [];
      await runScenario(loadScenarioFile(file, [`scheduler.name=${policy}`]), file, {
        onTaskRow: (l) => rows.push(l.split(",")),
      });
      const order = rows.filter((r) => r[3] === "finished").sort((a, b) => Number(a[5]) - Number(b[5]));
      return {
        byTask: new Map(order.map((r) => [r[0], Number(r[6]) - Number(r[5])])),
        startOrder: order.map((r) => r[0]).join(),
      };
    };
    const a = await durations("best-fit");
    const b = await durations("worst-fit");
    expect(a.startOrder).not.toBe(b.startOrder);
    let compared = 0;
    for (const [id, d] of a.byTask) {
      if (!b.byTask.has(id)) continue;
      // Equal up to the rows' rounding of times to 1e-6 s (draws differ by far more: seconds).
      expect(Math.abs(b.byTask.get(id)! - d)).toBeLessThan(3e-6);
      compared++;
    }
    expect(compared).toBeGreaterThan(200);
  });
});
