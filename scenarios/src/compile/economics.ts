import type { GroupEconomics, VirtualNode } from "@clustersim/engine";
import { type ClusterState, DEFAULT_POWER, meanGpuPower } from "@clustersim/hardware-models";
import { type DistSpec, sampler } from "@clustersim/workloads";
import type { ScenarioSpec } from "../schema/schema.js";
import type { ComposedCluster } from "./cluster.js";

/** Each node group's power (node and GPUs) and price, from its `power` and `price` or the defaults. */
export function groupEconomics(spec: ScenarioSpec, cluster: ComposedCluster): GroupEconomics[] {
  return cluster.groups.map((_, g) => {
    const power = spec.cluster.nodeGroups?.[g]?.power ?? DEFAULT_POWER;
    const gpu = gpuPowerOfGroup(cluster.state, cluster.nodeGroup, g);
    return {
      idleW: power.idleW,
      peakW: power.peakW,
      gpuIdleW: power.gpuIdleW ?? gpu.idleW,
      gpuPeakW: power.gpuPeakW ?? gpu.peakW,
      perNodeHour: spec.cluster.nodeGroups?.[g]?.price?.perNodeHour,
    };
  });
}

/** A group's GPU power by its nodes' GPU models (hardware-models GPU_POWER): the mean over its GPUs. */
function gpuPowerOfGroup(state: ClusterState, nodeGroup: Int32Array, g: number) {
  const gpus = new Map<string | undefined, number>();
  for (let n = 0; n < state.nodeCount; n++) {
    if (nodeGroup[n] !== g || state.gpuCount(n) === 0) continue;
    const model = state.gpuModel(n) || undefined;
    gpus.set(model, (gpus.get(model) ?? 0) + state.gpuCount(n));
  }
  return meanGpuPower(gpus);
}

/** The virtual (serverless) nodes of the cluster, by node: their start latency and per-second prices. */
export function virtualNodesOf(spec: ScenarioSpec, cluster: ComposedCluster): Map<number, VirtualNode> {
  const out = new Map<number, VirtualNode>();
  const groups = spec.cluster.nodeGroups ?? [];
  for (let n = 0; n < cluster.state.nodeCount; n++) {
    const v = groups[cluster.nodeGroup[n]]?.virtual;
    if (!v) continue;
    const draw = sampler(v.startLatency as DistSpec);
    out.set(n, {
      startS: (rng) => Math.max(0, draw(rng)),
      pricePerVcpuS: v.pricePerVcpuHour / 3600,
      pricePerGiBS: v.pricePerGiBHour / 3600,
      imageCache: v.imageCache,
    });
  }
  return out;
}
