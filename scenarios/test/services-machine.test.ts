/**
 * examples/services/machine.yaml: each knob of the machine a replica runs on moves its requests' p99
 * the way it should (docs/guide/services.md has the figures).
 */
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/services/machine.yaml", import.meta.url).pathname;

type Summary = Record<string, number> & { services: Record<string, Record<string, number>> };

async function p99(...set: string[]): Promise<number> {
  const { summary } = await runScenario(loadScenarioFile(FILE, set), FILE);
  return (summary as Summary).services.api.latencyP99S;
}

describe("the machine in the service time", () => {
  it("more CPU per request: the replicas' 2 cores bind harder, p99 rises", async () => {
    // 56 requests/s per replica × 20 → 24 ms of CPU: from 78% to 93% of the 1.45 cores left after virtio.
    expect(await p99("services.0.cpuPerRequest=0.024")).toBeGreaterThan(1.1 * (await p99()));
  });

  it("WebAssembly's compute factor (1.3) stretches every request: p99 rises", async () => {
    expect(await p99("services.0.replica.runtime=wasm")).toBeGreaterThan(1.15 * (await p99()));
  });

  it("a DPU takes the virtio work off the replicas' cores: p99 falls", async () => {
    expect(await p99("cluster.nodeGroups.0.dpu=bluefield-3")).toBeLessThan(0.97 * (await p99()));
  });

  it("`dpu: none` is no DPU, as leaving the field out is (what a sweep's variant sets to take one away)", async () => {
    expect(await p99("cluster.nodeGroups.0.dpu=bluefield-3", "cluster.nodeGroups.0.dpu=none")).toBe(await p99());
  });

  it("memory spilled to a CXL pool slows the replicas that hold it: p99 rises", async () => {
    const pooled = await p99(
      "cluster.nodeGroups.0.memory=12Gi",
      "cluster.nodeGroups.0.cxlPool={nodesPerPool: 4, capacityPerPool: 256Gi}",
    );
    expect(pooled).toBeGreaterThan(1.03 * (await p99()));
  });

  it("the per-request model moves with the machine too: the DPU pair per request", async () => {
    const host = await p99("services.0.latency=per-request");
    const dpu = await p99("services.0.latency=per-request", "cluster.nodeGroups.0.dpu=bluefield-3");
    expect(dpu).toBeLessThan(0.97 * host);
  });
});
