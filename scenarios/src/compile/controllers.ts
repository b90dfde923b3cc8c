import {
  type AutoscaledGroup,
  type ClusterAutoscalerOptions,
  DEFAULT_EXPANDER,
  type ExpanderName,
  type NodeFailures,
  type Outage,
  type RunPlan,
} from "@clustersim/engine";
import { showLimit } from "../schema/control-schema.js";
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

type AutoscalerSpec = ScenarioSpec["autoscalers"][number];

/**
 * The scenario's Cluster Autoscaler: one over every group an `autoscalers` entry names, as upstream
 * runs one per cluster (so two groups that fit the same pods no longer both scale up for them). Each
 * entry gives its group's bounds and per-group settings; an entry repeated for a group must say the
 * same. The autoscaler's own settings may be written on any entry and must agree where repeated.
 * Checked here: groups exist, bounds fit the group, priorities meet a priority expander, limits are not
 * below the cluster as it starts. Undefined when no entry.
 */
export function compileClusterAutoscaler(
  spec: ScenarioSpec,
  cluster: ComposedCluster,
  file: string,
): ClusterAutoscalerOptions | undefined {
  const entries = spec.autoscalers;
  if (entries.length === 0) return undefined;
  const problems: string[] = [];
  const at = (i: number, field: string) => `${file}: autoscalers[${i}].${field}`;
  const groups: AutoscaledGroup[] = [];
  const firstFor = new Map<string, number>();
  entries.forEach((a, i) => {
    const g = cluster.groups.indexOf(a.nodeGroup);
    if (g < 0) {
      problems.push(`${at(i, "nodeGroup")}: expected one of ${cluster.groups.join(", ")}, found "${a.nodeGroup}"`);
      return;
    }
    let size = 0;
    for (let n = 0; n < cluster.state.nodeCount; n++) if (cluster.nodeGroup[n] === g) size++;
    if (a.max > size || a.min > a.max) {
      problems.push(
        `${file}: autoscalers[${i}]: expected min ≤ max ≤ the group's maxCount (${size}), found min ${a.min}, max ${a.max}`,
      );
    }
    const first = firstFor.get(a.nodeGroup);
    if (first === undefined) {
      firstFor.set(a.nodeGroup, i);
      groups.push(groupOf(a));
      return;
    }
    for (const field of GROUP_FIELDS) {
      if (entries[first][field] !== a[field]) {
        problems.push(
          `${at(i, field)}: expected the same as autoscalers[${first}], the other entry for node group "${a.nodeGroup}" (${show(field, entries[first][field])}), found ${show(field, a[field])}`,
        );
      }
    }
  });
  const setting = <K extends (typeof WIDE_FIELDS)[number]>(field: K) => {
    let first: number | undefined;
    entries.forEach((a, i) => {
      if (a[field] === undefined) return;
      if (first === undefined) first = i;
      else if (JSON.stringify(normal(entries[first][field])) !== JSON.stringify(normal(a[field]))) {
        problems.push(
          `${at(i, field)}: expected the same as autoscalers[${first}].${field} (there is one Cluster Autoscaler; ${show(field, entries[first][field])}), found ${show(field, a[field])}`,
        );
      }
    });
    return first === undefined ? undefined : { i: first, value: entries[first][field] as AutoscalerSpec[K] };
  };
  const expander = setting("expander");
  const limits = setting("limits");
  const scanInterval = setting("scanInterval");
  const delayAfterAdd = setting("scaleDownDelayAfterAdd");
  const chain: ExpanderName[] = expander === undefined ? [...DEFAULT_EXPANDER] : [expander.value!].flat();
  const ranked = entries.findIndex((a) => a.priority !== undefined);
  if (ranked >= 0 && !chain.includes("priority")) {
    problems.push(
      `${at(ranked, "priority")}: expected a priority only with the priority expander, found priority ${entries[ranked].priority} with expander ${chain.join(", ")}`,
    );
  }
  if (ranked < 0 && chain.includes("priority")) {
    problems.push(
      `${at(expander!.i, "expander")}: expected a priority on at least one entry for the priority expander, found none`,
    );
  }
  if (limits) problems.push(...limitProblems(limits.value!, cluster, at(limits.i, "limits")));
  if (problems.length > 0) throw new SpecError(problems);
  const l = limits?.value;
  return {
    nodeGroups: groups,
    expander: chain,
    limits: l && {
      maxNodesTotal: l.maxNodesTotal,
      minCpuMilli: l.minCores,
      maxCpuMilli: l.maxCores,
      minMemoryMiB: l.minMemory,
      maxMemoryMiB: l.maxMemory,
    },
    scanIntervalS: scanInterval?.value,
    delayAfterAddS: delayAfterAdd?.value,
  };
}

/** Settings of one group (upstream's per-node-group options), which its entries must agree on. */
const GROUP_FIELDS = ["min", "max", "scaleUpDelay", "scaleDownAfter", "utilizationThreshold", "priority"] as const;
/** Settings of the one autoscaler (its flags), which may be written on any entry. */
const WIDE_FIELDS = ["expander", "limits", "scanInterval", "scaleDownDelayAfterAdd"] as const;

function groupOf(a: AutoscalerSpec): AutoscaledGroup {
  return {
    group: a.nodeGroup,
    minNodes: a.min,
    maxNodes: a.max,
    provisionS: a.scaleUpDelay,
    unneededS: a.scaleDownAfter,
    utilizationThreshold: a.utilizationThreshold,
    priority: a.priority,
  };
}

/** An expander written alone is a chain of one. */
const normal = (v: unknown) => (typeof v === "string" ? [v] : v);

const DURATIONS: readonly string[] = ["scaleUpDelay", "scaleDownAfter", "scanInterval", "scaleDownDelayAfterAdd"];

/** A setting as the messages show it: durations in seconds, lists and limits as written. */
function show(field: string, v: unknown): string {
  if (v === undefined) return "none";
  if (typeof v === "number" && DURATIONS.includes(field)) return `${v} s`;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object" && v !== null) {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${k}: ${showLimit(k, x as number)}`);
    return `{ ${parts.join(", ")} }`;
  }
  return String(v);
}

/** Maximum limits the cluster already passes as it starts (upstream would never scale up). */
function limitProblems(l: NonNullable<AutoscalerSpec["limits"]>, cluster: ComposedCluster, at: string): string[] {
  const t = cluster.state.totals(-1);
  const now = { maxNodesTotal: t.nodesPresent, maxCores: t.capacityCpuMilli, maxMemory: t.capacityMemoryMiB };
  const out: string[] = [];
  for (const field of ["maxNodesTotal", "maxCores", "maxMemory"] as const) {
    const v = l[field];
    if (v !== undefined && v < now[field]) {
      out.push(
        `${at}.${field}: expected at least what the cluster holds as it starts (${showLimit(field, now[field])}), found ${showLimit(field, v)}`,
      );
    }
  }
  return out;
}
