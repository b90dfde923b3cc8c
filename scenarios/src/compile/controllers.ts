import type { ClusterAutoscalerOptions, NodeFailures, Outage, RunPlan } from "@clustersim/engine";
import { SpecError } from "../schema/load-spec.js";
import type { ScenarioSpec } from "../schema/schema.js";
import type { ComposedCluster } from "./cluster.js";

/**
 * The scenario's faults: independent node failures (per node group or all nodes) and scheduled outages
 * of racks, CXL pools or DPUs (`index` counts the domains of that kind); absent without any.
 */
export function compileFaults(spec: ScenarioSpec, cluster: ComposedCluster, file: string): RunPlan["faults"] {
  if (spec.faults.length === 0) return undefined;
  const failures: NodeFailures[] = [];
  const outages: Outage[] = [];
  spec.faults.forEach((f, i) => {
    if (f.type === "node-failures") {
      const g = f.nodeGroup === undefined ? -1 : cluster.groups.indexOf(f.nodeGroup);
      if (f.nodeGroup !== undefined && g < 0) {
        throw new SpecError([
          `${file}: faults[${i}].nodeGroup: expected one of ${cluster.groups.join(", ")}, found "${f.nodeGroup}"`,
        ]);
      }
      const nodes =
        g < 0
          ? undefined
          : Array.from({ length: cluster.state.nodeCount }, (_, n) => n).filter((n) => cluster.nodeGroup[n] === g);
      const model = { mtbfS: f.mtbf, mttrS: f.mttr, distribution: f.distribution, shape: f.weibullShape };
      failures.push({ model, nodes, stream: `${i}` });
    } else {
      const ofKind = cluster.domains.map((d, k) => [d, k] as const).filter(([d]) => d.kind === f.domain);
      if (ofKind.length === 0) {
        throw new SpecError([
          `${file}: faults[${i}].domain: the cluster has no ${f.domain} domains (racks come from nodesPerRack, pools from cxlPool)`,
        ]);
      }
      if (f.index >= ofKind.length) {
        throw new SpecError([
          `${file}: faults[${i}].index: expected a ${f.domain} index in 0..${ofKind.length - 1}, found ${f.index}`,
        ]);
      }
      outages.push({ domain: ofKind[f.index][1], atS: f.at, repairS: f.repair });
    }
  });
  return { failures, outages };
}

/** Each node group's Cluster Autoscaler, its group and bounds checked against the cluster. */
export function compileClusterAutoscalers(
  spec: ScenarioSpec,
  cluster: ComposedCluster,
  file: string,
): ClusterAutoscalerOptions[] {
  return spec.autoscalers.map((a, i) => {
    const g = cluster.groups.indexOf(a.nodeGroup);
    if (g < 0) {
      throw new SpecError([
        `${file}: autoscalers[${i}].nodeGroup: expected one of ${cluster.groups.join(", ")}, found "${a.nodeGroup}"`,
      ]);
    }
    let size = 0;
    for (let n = 0; n < cluster.state.nodeCount; n++) if (cluster.nodeGroup[n] === g) size++;
    if (a.max > size || a.min > a.max) {
      throw new SpecError([
        `${file}: autoscalers[${i}]: expected min ≤ max ≤ the group's maxCount (${size}), found min ${a.min}, max ${a.max}`,
      ]);
    }
    return {
      group: a.nodeGroup,
      minNodes: a.min,
      maxNodes: a.max,
      provisionS: a.scaleUpDelay,
      scanIntervalS: a.scanInterval,
      utilizationThreshold: a.utilizationThreshold,
      unneededS: a.scaleDownAfter,
      delayAfterAddS: a.scaleDownDelayAfterAdd,
    };
  });
}
