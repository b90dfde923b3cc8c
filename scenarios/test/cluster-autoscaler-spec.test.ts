import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OnlinePlan } from "@clustersim/engine";
import { compileScenario, loadScenarioFile, SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-ca-"));
let n = 0;

/** A scenario of two groups (a: 4 of up to 10 nodes of 4 cores, 16 GiB; b: 2 of up to 6 of 8 cores, 32 GiB) and these autoscalers. */
function scenario(autoscalers: string): string {
  const path = join(dir, `s${n++}.yaml`);
  writeFileSync(
    path,
    `name: ca
duration: 1h
cluster:
  nodeGroups:
    - { name: a, count: 4, maxCount: 10, cpu: "4", memory: 16Gi }
    - { name: b, count: 2, maxCount: 6, cpu: "8", memory: 32Gi }
workloads:
  - { type: poisson, ratePerS: 0.1, task: { run: 60s, cpu: "1", memory: 1Gi } }
scheduler: { name: best-fit }
autoscalers:
${autoscalers}
`,
  );
  return path;
}

async function compiled(autoscalers: string) {
  const file = scenario(autoscalers);
  const { plan } = await compileScenario(loadScenarioFile(file), file);
  return (plan.scheduler as OnlinePlan).clusterAutoscaler;
}

async function problems(autoscalers: string): Promise<string[]> {
  try {
    await compiled(autoscalers);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems.map((p) => p.replace(/^.*?s\d+\.yaml(:\d+)?/, "FILE"));
  }
  throw new Error("expected the autoscalers to be refused");
}

describe("the Cluster Autoscaler in scenario files", () => {
  it("folds one entry per group into one autoscaler, its own settings given once", async () => {
    const ca =
      await compiled(`  - { type: cluster, nodeGroup: a, min: 1, max: 10, priority: 5, expander: [priority, least-waste] }
  - { type: cluster, nodeGroup: b, min: 0, max: 6, scaleUpDelay: 2m, limits: { maxNodesTotal: 12, maxCores: 64, maxMemory: 256Gi } }
  - { type: cluster, nodeGroup: b, min: 0, max: 6, scaleUpDelay: 2m }`);
    expect(ca).toEqual({
      nodeGroups: [
        {
          group: "a",
          minNodes: 1,
          maxNodes: 10,
          provisionS: 60,
          unneededS: 600,
          utilizationThreshold: 0.5,
          priority: 5,
        },
        { group: "b", minNodes: 0, maxNodes: 6, provisionS: 120, unneededS: 600, utilizationThreshold: 0.5 },
      ],
      expander: ["priority", "least-waste"],
      limits: { maxNodesTotal: 12, maxCpuMilli: 64_000, maxMemoryMiB: 262_144 },
    });
    // The default expander is upstream's since v1.33: least-waste.
    expect((await compiled("  - { type: cluster, nodeGroup: a, min: 1, max: 4 }"))?.expander).toEqual(["least-waste"]);
  });

  it("refuses two entries for a group that disagree, and the autoscaler's settings given two ways", async () => {
    expect(
      await problems(`  - { type: cluster, nodeGroup: a, min: 1, max: 10, expander: most-pods, scanInterval: 10s }
  - { type: cluster, nodeGroup: a, min: 1, max: 8 }
  - { type: cluster, nodeGroup: b, min: 0, max: 6, expander: random, scanInterval: 30s }`),
    ).toEqual([
      'FILE: autoscalers[1].max: expected the same as autoscalers[0], the other entry for node group "a" (10), found 8',
      "FILE: autoscalers[2].expander: expected the same as autoscalers[0].expander (there is one Cluster Autoscaler; most-pods), found random",
      "FILE: autoscalers[2].scanInterval: expected the same as autoscalers[0].scanInterval (there is one Cluster Autoscaler; 10 s), found 30 s",
    ]);
  });

  it("refuses priorities without the priority expander, and the priority expander without priorities", async () => {
    expect(
      await problems(`  - { type: cluster, nodeGroup: a, min: 1, max: 10 }
  - { type: cluster, nodeGroup: b, min: 0, max: 6, priority: 10 }`),
    ).toEqual([
      "FILE: autoscalers[1].priority: expected a priority only with the priority expander, found priority 10 with expander least-waste",
    ]);
    expect(await problems("  - { type: cluster, nodeGroup: a, min: 1, max: 10, expander: priority }")).toEqual([
      "FILE: autoscalers[0].expander: expected a priority on at least one entry for the priority expander, found none",
    ]);
  });

  it("refuses a group that does not exist, and limits the cluster already passes as it starts", async () => {
    // The cluster starts with 6 nodes, 32 cores and 128 GiB.
    expect(
      await problems(`  - { type: cluster, nodeGroup: c, min: 1, max: 10 }
  - { type: cluster, nodeGroup: a, min: 1, max: 10, limits: { maxNodesTotal: 5, maxCores: 30, maxMemory: 128Gi } }`),
    ).toEqual([
      'FILE: autoscalers[0].nodeGroup: expected one of a, b, found "c"',
      "FILE: autoscalers[1].limits.maxNodesTotal: expected at least what the cluster holds as it starts (6), found 5",
      "FILE: autoscalers[1].limits.maxCores: expected at least what the cluster holds as it starts (32 cores), found 30 cores",
    ]);
  });

  it("refuses expander chains upstream refuses, and a minimum above its maximum", async () => {
    const p = await problems(`  - { type: cluster, nodeGroup: a, min: 1, max: 10, expander: [random, most-pods] }
  - { type: cluster, nodeGroup: b, min: 0, max: 6, expander: [most-pods, most-pods] }
  - { type: cluster, nodeGroup: b, min: 0, max: 6, limits: { minMemory: 64Gi, maxMemory: 32Gi } }`);
    expect(p).toEqual([
      expect.stringMatching(
        /autoscalers\[0\]\.expander: expected random last \(it always leaves one option\), found it before "most-pods"$/,
      ),
      expect.stringMatching(
        /autoscalers\[1\]\.expander: expected each expander at most once, found "most-pods" twice$/,
      ),
      expect.stringMatching(/autoscalers\[2\]\.limits\.maxMemory: expected at least minMemory \(64Gi\), found 32Gi$/),
    ]);
  });
});
