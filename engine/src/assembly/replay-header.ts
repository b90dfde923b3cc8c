import type { ClusterState } from "@clustersim/hardware-models";
import type { ReplayHeader } from "@clustersim/replay";
import { poolCount } from "../observers/usage-samplers.js";
import type { ServiceConfig } from "../services/service-config.js";
import type { PlannedCluster, RunPlan } from "./run-plan.js";

/** The replay's header: the run's identity, every node (group, capacity, GPUs, present), domains, services. */
export function replayHeader(plan: RunPlan): Omit<ReplayHeader, "format" | "version"> {
  const { state, nodeGroup, groups } = plan.cluster;
  const services = plan.scheduler.kind === "online" ? plan.scheduler.services?.configs : undefined;
  return {
    scenario: plan.name,
    seed: plan.seed,
    scheduler: plan.scheduler.name,
    durationS: plan.durationS,
    groups: [...groups],
    nodes: Array.from({ length: state.nodeCount }, (_, n) => [
      nodeGroup[n],
      state.allocatableCpuMilli(n),
      state.allocatableMemoryMiB(n),
      state.gpuCount(n),
      state.isPresent(n) ? 1 : 0,
    ]),
    ...domainsOf(plan.cluster),
    ...poolCapacities(state),
    ...virtualOf(plan),
    ...(plan.outputs.clockStartS !== undefined && { clockStartS: plan.outputs.clockStartS }),
    ...windowsOf(plan),
    ...callsOf(services),
    ...(services &&
      services.length > 0 && {
        services: services.map((x) => [x.name, x.slo.quantile, x.slo.targetS] as [string, number, number]),
      }),
  };
}

/** The services' call edges by index (absent without calls). */
function callsOf(services: readonly ServiceConfig[] | undefined): { calls?: [number, number][] } {
  if (!services) return {};
  const index = new Map(services.map((s, i) => [s.name, i]));
  const calls = services.flatMap((s, i) => s.calls.map((c) => [i, index.get(c.service) ?? -1] as [number, number]));
  return calls.length > 0 ? { calls } : {};
}

/** The services' named windows (absent without any). */
function windowsOf(plan: RunPlan): { windows?: [string, number, number][] } {
  const w = plan.scheduler.kind === "online" ? plan.scheduler.services?.windows : undefined;
  return w && w.length > 0 ? { windows: w.map((x) => [x.name, x.fromS, x.toS] as [string, number, number]) } : {};
}

/** The serverless virtual nodes (absent without any). */
function virtualOf(plan: RunPlan): { virtual?: number[] } {
  const v = plan.scheduler.kind === "online" ? plan.scheduler.virtualNodes : undefined;
  return v && v.size > 0 ? { virtual: [...v.keys()].sort((a, b) => a - b) } : {};
}

/** The CXL pools' capacities (absent without pools). */
function poolCapacities(state: ClusterState): { poolCapacityMiB?: number[] } {
  const pools = poolCount(state);
  if (pools === 0) return {};
  return { poolCapacityMiB: Array.from({ length: pools }, (_, p) => state.poolFreeMiB(p) + state.poolUsedMiB(p)) };
}

/** Each node's rack and CXL pool (absent where the cluster has none, or only one). */
function domainsOf(cluster: PlannedCluster): { racks?: number[]; pools?: number[] } {
  const n = cluster.state.nodeCount;
  const out: { racks?: number[]; pools?: number[] } = {};
  for (const [kind, key] of [
    ["rack", "racks"],
    ["cxl-pool", "pools"],
  ] as const) {
    const of = new Array<number>(n).fill(-1);
    let k = 0;
    for (const d of cluster.domains) {
      if (d.kind !== kind) continue;
      for (const node of d.nodes) of[node] = k;
      k++;
    }
    if (k > 1) out[key] = of;
  }
  return out;
}
