import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-outcomes-"));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
async function run(text: string): Promise<{ summary: Record<string, number>; rows: string[] }> {
  const file = write(`s${Math.random()}.yaml`, text);
  const rows: string[] = [];
  const r = await runScenario(loadScenarioFile(file), file, { onTaskRow: (l: string) => rows.push(l) });
  return { summary: r.summary as Record<string, number>, rows };
}

describe("what a task's row and figures say of how it ended", () => {
  it("a task killed more often than the run retries is `failed`, with its last attempt's start, node and end", async () => {
    // One 1,000 s job on one node; its rack loses power at 100, 300, 500 and 700 s, 10 s each. It starts
    // at 0, 110, 310 and 510 s; the fourth kill (at 700 s) is one more than the 3 retries: it fails there.
    write("one.swf", "1 0 -1 1000 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1\n");
    const outage = (at: number) => `  - { type: domain-failure, domain: rack, index: 0, at: ${at}s, repair: 10s }`;
    const { summary, rows } = await run(
      [
        "duration: 1h",
        'cluster: { nodeGroups: [{ name: a, count: 1, cpu: "1", memory: 4Gi, nodesPerRack: 1 }] }',
        "workloads: [{ type: trace, format: swf, path: one.swf }]",
        "scheduler: { name: kubernetes-default }",
        "faults:",
        ...[100, 300, 500, 700].map(outage),
      ].join("\n"),
    );
    expect(summary.tasksFailed).toBe(1);
    expect(summary.taskRunsKilled).toBe(4);
    // Once `unplaced`, with no start, node or end: as if it had never started.
    expect(rows).toEqual(["0,w0,,failed,0,510,700,510,0,1000,0,0,0,1"]);
  });

  it("a pod the trace never deletes, running from its arrival, has a bounded slowdown of 1, not its hour over 10 s", async () => {
    const pods = write(
      "pods.csv",
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n" +
        "a,1000,1024,0,0,,LS,Running,0,,0\n",
    );
    const { summary } = await run(
      [
        "duration: 1h",
        'cluster: { nodeGroups: [{ name: a, count: 1, cpu: "4", memory: 8Gi }] }',
        `workloads: [{ type: trace, format: openb-pods, path: ${pods} }]`,
        "scheduler: { name: best-fit }",
      ].join("\n"),
    );
    expect(summary.tasksRunningAtEnd).toBe(1);
    expect(summary.waitMeanS).toBe(0);
    // (3,600 s so far) / max(3,600 s run so far, 10): it never waited. It was 3,600 / 10 = 360.
    expect(summary.boundedSlowdownMean).toBe(1);
  });

  it("an openb pod list out of creation order is refused as bad input, naming the workload (it was an internal error)", async () => {
    const pods = write(
      "unsorted.csv",
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n" +
        "late,1000,1024,0,0,,LS,Succeeded,100,200,100\nearly,1000,1024,0,0,,LS,Succeeded,0,50,0\n",
    );
    // File order is kept (the FGD protocol samples by index), so the run refuses it rather than sort it.
    await expect(
      run(
        [
          "duration: 1h",
          'cluster: { nodeGroups: [{ name: a, count: 1, cpu: "4", memory: 8Gi }] }',
          `workloads: [{ type: trace, format: openb-pods, path: ${pods} }]`,
          "scheduler: { name: best-fit }",
        ].join("\n"),
      ),
    ).rejects.toThrow(/^workload 1: arrivalS: expected tasks in arrival order .* at or after 100 s, found 0 s$/);
  });
});
