import type { GroupEconomics, VirtualNode } from "@clustersim/engine";
import { type ClusterState, DEFAULT_POWER, meanGpuPower } from "@clustersim/hardware-models";
import { type DistSpec, sampler } from "@clustersim/workloads";
import { dpuOf } from "../schema/cluster-schema.js";
import type { ScenarioSpec } from "../schema/schema.js";
import type { ComposedCluster } from "./cluster.js";

/**
 * Each node group's power (node, GPUs and DPU) and price, from its `power`, `dpu` and `price` or the
 * defaults. A priced group's nodes cost their DPU's price on top of theirs; an unpriced group has no
 * cost, DPU or not.
 */
export function groupEconomics(spec: ScenarioSpec, cluster: ComposedCluster): GroupEconomics[] {
  return cluster.groups.map((_, g) => {
    const group = spec.cluster.nodeGroups?.[g];
    const power = group?.power ?? DEFAULT_POWER;
    const gpu = gpuPowerOfGroup(cluster.state, cluster.nodeGroup, g);
    const dpu = group?.dpu ? dpuOf(group.dpu) : undefined;
    const price = group?.price?.perNodeHour;
    return {
      idleW: power.idleW,
      peakW: power.peakW,
      gpuIdleW: power.gpuIdleW ?? gpu.idleW,
      gpuPeakW: power.gpuPeakW ?? gpu.peakW,
      ...(dpu && { dpuIdleW: dpu.idleW, dpuMaxW: dpu.maxW }),
      perNodeHour: price === undefined ? undefined : price + (dpu?.pricePerHour ?? 0),
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
