/**
 * Serverless containers pull their image as nodes do (unless the provider caches it): a burst
 * comparison must not favour them for skipping it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-serverless-"));

// No room on the one regular node: all 4 replicas go to the virtual node. A 2 GiB image at 20 MiB/s
// takes 102.4 s to pull; the provider starts an instance in 1–6 s.
const scenario = (cache: boolean) => {
  const file = join(dir, `s-${cache}.yaml`);
  writeFileSync(
    file,
    `name: s
duration: 10m
cluster:
  nodeGroups:
    - { name: a, count: 1, cpu: "1", memory: 4Gi }
    - name: eci
      count: 1
      cpu: "1000"
      memory: 4000Gi
      virtual: { pricePerVcpuHour: 0.05, pricePerGiBHour: 0.005, imageCache: ${cache} }
services:
  - name: web
    replica: { cpu: "2", memory: 2Gi, burst: true }
    replicas: 4
    serviceTime: 0.05
    cpuPerRequest: 0.01
    slo: { target: 1s }
    image: { size: 2Gi, pullBandwidth: 20 }
    rate: [{ type: constant, ratePerS: 10 }]
scheduler: { name: kubernetes-default }
outputs: { timeseriesInterval: 15 }
`,
  );
  return file;
};

async function readyHours(cache: boolean): Promise<number> {
  const file = scenario(cache);
  const { summary } = await runScenario(loadScenarioFile(file), file);
  return (summary as { services: Record<string, Record<string, number>> }).services.web.readyReplicaHours;
}

describe("serverless containers and their image", () => {
  it("pull it as on a node (ready after 102.4 s and the 1–6 s start), or start from the provider's cache", async () => {
    const pulled = await readyHours(false);
    const cached = await readyHours(true);
    // 4 replicas over 600 s, less their start: with the pull, between 600 − 108.4 and 600 − 103.4 s each.
    expect(pulled * 3600).toBeGreaterThan(4 * (600 - 108.4) - 1);
    expect(pulled * 3600).toBeLessThan(4 * (600 - 103.4) + 1);
    // From the cache: 1–6 s.
    expect(cached * 3600).toBeGreaterThan(4 * (600 - 6) - 1);
  });
});
