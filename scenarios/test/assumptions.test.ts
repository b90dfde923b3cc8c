import { compileScenario, loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const assumptions = async (name: string, set: string[] = []) => {
  const file = EXAMPLES + name;
  const { summary } = await runScenario(loadScenarioFile(file, ["duration=30m", ...set]), file);
  return (summary as { assumptions: string[] }).assumptions.map((a) => a.split(":")[0]);
};

describe("a summary names the assumptions the run leaned on", () => {
  it("lists each model's [U] defaults only where the run used them", async () => {
    expect(await assumptions("hardware/cxl-on.yaml")).toEqual(["power", "CXL"]);
    expect(await assumptions("hardware/cxl-off.yaml")).toEqual(["power"]);
    // Without DPUs, network traffic costs host cores by the virtio model; with them it does not.
    expect(await assumptions("hardware/dpu-off.yaml")).toContain("virtio host cost");
    expect(await assumptions("hardware/dpu-on.yaml")).not.toContain("virtio host cost");
    // With them, the cards' own power (unpriced nodes: no DPU price).
    expect(await assumptions("hardware/dpu-on.yaml")).toEqual(["power", "DPU power"]);
    expect(await assumptions("hardware/runtime-gvisor.yaml")).toContain("sandbox runtimes");
    expect(await assumptions("scenarios/lublin-window.yaml")).toEqual(["power", "node memory"]);
    // GPUs: their power model is named, unless every GPU group gives its own figures.
    expect(await assumptions("scenarios/openb-fgd.yaml")).toEqual(["power", "GPU power"]);
    // The kubelet's timing of in-place resizes, for a VPA that makes them only.
    expect(await assumptions("services/vpa-inplace.yaml")).toContain("VPA in place");
    expect(await assumptions("services/vpa-recreate.yaml")).not.toContain("VPA in place");
    // Power given for every node group: no power assumption.
    expect(
      await assumptions("scenarios/poisson-small.yaml", ["cluster.nodeGroups.0.power={ idleW: 90, peakW: 350 }"]),
    ).toEqual([]);
  });
});

describe("services' and autoscalers' defaults that are assumptions", () => {
  // The plan's list (before a run; these hold whether or not a model's counter moved).
  const planned = async (name: string, set: string[] = []) => {
    const file = EXAMPLES + name;
    const { plan } = await compileScenario(loadScenarioFile(file, set), file);
    return plan.assumptions.map((a) => a.text.split(":")[0]);
  };

  it("names each where the run uses its default figure, and not where the scenario gives its own", async () => {
    // burst-cluster-autoscaler: timeout 30 s, an HPA's 15 s window, the Cluster Autoscaler's 60 s.
    const ca = await planned("services/burst-cluster-autoscaler.yaml");
    expect(ca).toEqual(expect.arrayContaining(["service timeout", "HPA metric window", "Cluster Autoscaler"]));
    const own = await planned("services/burst-cluster-autoscaler.yaml", [
      "services.0.timeout=10s",
      "services.0.autoscaler.metricWindow=30s",
      "autoscalers.0.scaleUpDelay=3m",
    ]);
    for (const name of ["service timeout", "HPA metric window", "Cluster Autoscaler"]) expect(own).not.toContain(name);
    expect(own).toContain("services");
    // burst-serverless: the virtual node's start latency, uniform 1-6 s unless given.
    expect(await planned("services/burst-serverless.yaml")).toContain("serverless containers");
    expect(
      await planned("services/burst-serverless.yaml", ["cluster.nodeGroups.1.virtual.startLatency=2s"]),
    ).not.toContain("serverless containers");
  });
});
