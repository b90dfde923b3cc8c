import {
  ClusterState,
  DEFAULT_POWER,
  type FailureDomain,
  type NodeSpec,
  type PowerModel,
  type PriceModel,
} from "@clustersim/hardware-models";
import { headerInt, loadK8sManifests, loadOpenbNodes, readSwfHeader } from "@clustersim/workloads";
import { dpuOf } from "../schema/cluster-schema.js";
import { SpecError } from "../schema/load-spec.js";
import type { ScenarioSpec } from "../schema/schema.js";
import { resolveTracePath } from "./workload.js";

/**
 * From a validated scenario to its cluster: node groups expanded node by node (labels and taints
 * shared per group), racks and CXL pools numbered across groups, DPUs from the catalogue, or nodes read
 * from a trace. Also the failure domains (racks, pools) and each node's power and price models.
 */
/**
 * Pods per node for Kubernetes nodes read from a trace: the kubelet's default maxPods (110;
 * CALIBRATION.md, "kubelet pods per node" [S]); neither the openb node list nor the manifest loader
 * gives a node's allocatable pods.
 */
const KUBELET_MAX_PODS = 110;

/** virtual-kubelet's taint on its node: pods must tolerate it (here: only bursts place there). */
export const VIRTUAL_TAINT = { key: "virtual-kubelet.io/provider", value: "serverless", effect: "NoSchedule" } as const;

export interface ComposedCluster {
  state: ClusterState;
  /** Group of each node (index into `groups`). */
  nodeGroup: Int32Array;
  groups: string[];
  /** Racks and CXL pools, for correlated failures. */
  domains: FailureDomain[];
  powerOf(node: number): PowerModel;
  priceOf(node: number): PriceModel | undefined;
}

/** The cluster as it is built, node by node: each node's spec and group, the groups, racks and pools. */
interface ClusterDraft {
  nodes: NodeSpec[];
  groupOf: number[];
  groups: string[];
  power: PowerModel[];
  price: Array<PriceModel | undefined>;
  racks: number[][];
  pools: number[][];
  poolCaps: number[];
}

export async function composeCluster(spec: ScenarioSpec, baseDir: string): Promise<ComposedCluster> {
  const d: ClusterDraft = {
    nodes: [],
    groupOf: [],
    groups: [],
    power: [],
    price: [],
    racks: [],
    pools: [],
    poolCaps: [],
  };
  if (spec.cluster.nodeGroups) {
    spec.cluster.nodeGroups.forEach((g, gi) => addNodeGroup(d, g, gi));
  } else {
    const { format, path } = spec.cluster.fromTrace!;
    const file = resolveTracePath(path, baseDir);
    d.groups.push(format);
    d.power.push(DEFAULT_POWER);
    d.price.push(undefined);
    d.racks.push([]);
    if (format === "swf") await addSwfMachine(d, file, spec.cluster.fromTrace!.nodeMemory);
    else if (format === "openb-nodes") await addOpenbNodes(d, file, format);
    else await addK8sNodes(d, file);
  }
  const { nodes, groupOf, power, price } = d;
  return {
    state: new ClusterState(nodes, d.poolCaps),
    nodeGroup: Int32Array.from(groupOf),
    groups: d.groups,
    domains: [
      ...d.racks.map((n) => ({ kind: "rack" as const, nodes: n })),
      ...d.pools.map((n) => ({ kind: "cxl-pool" as const, nodes: n })),
      // A DPU is its node's network: one domain per node that has one.
      ...nodes.flatMap((spec, n) => (spec.dpu ? [{ kind: "dpu" as const, nodes: [n] }] : [])),
    ],
    powerOf: (node) => power[groupOf[node]],
    priceOf: (node) => price[groupOf[node]],
  };
}

type NodeGroupSpec = NonNullable<ScenarioSpec["cluster"]["nodeGroups"]>[number];

/** A node group, node by node: racks of `nodesPerRack`, CXL pools of `nodesPerPool`, spare nodes up to `maxCount`. */
function addNodeGroup(d: ClusterDraft, g: NodeGroupSpec, gi: number): void {
  d.groups.push(g.name);
  d.power.push(g.power ?? DEFAULT_POWER);
  d.price.push(g.price);
  const perRack = g.nodesPerRack ?? g.count;
  const perPool = g.cxlPool?.nodesPerPool ?? 0;
  const rackBase = d.racks.length;
  const poolBase = d.pools.length;
  // One DPU spec shared by the group's nodes: the catalogue's, with the group's own power and price.
  const dpu = g.dpu ? dpuOf(g.dpu) : undefined;
  // Nodes beyond `count`, up to `maxCount`, are spare: absent until a controller adds them.
  for (let i = 0; i < (g.maxCount ?? g.count); i++) {
    const node = d.nodes.length;
    const rack = rackBase + Math.floor(i / perRack);
    (d.racks[rack] ??= []).push(node);
    let cxlPool: number | undefined;
    if (g.cxlPool) {
      cxlPool = poolBase + Math.floor(i / perPool);
      if (d.pools[cxlPool] === undefined) {
        d.pools[cxlPool] = [];
        d.poolCaps[cxlPool] = g.cxlPool.capacityPerPool;
      }
      d.pools[cxlPool].push(node);
    }
    d.nodes.push({
      cpuMilli: g.cpu,
      memoryMiB: g.memory,
      gpus: g.gpus,
      gpuModel: g.gpuModel,
      rack,
      cpuOvercommit: g.overcommit?.cpu,
      memoryOvercommit: g.overcommit?.memory,
      nicGbps: g.nicGbps,
      maxPods: g.maxPods,
      dpu,
      cxlPool,
      labels: g.labels,
      // A virtual node takes no pod the scheduler places: only bursts (virtual-kubelet's taint).
      taints: g.virtual ? [...g.taints, VIRTUAL_TAINT] : g.taints,
      group: gi,
      present: i < g.count,
      virtual: g.virtual !== undefined,
    });
    d.groupOf.push(gi);
  }
}

/**
 * An SWF log's machine: MaxNodes nodes (MaxProcs when the header has no MaxNodes), each with
 * MaxProcs / MaxNodes processors counted as cores, as the SWF definition and RLScheduler read it.
 */
async function addSwfMachine(d: ClusterDraft, file: string, nodeMemory: number | undefined): Promise<void> {
  const header = await readSwfHeader(file);
  const count = headerInt(header, "MaxNodes") ?? headerInt(header, "MaxProcs");
  if (count === undefined) {
    throw new SpecError([
      `cluster.fromTrace.path: expected an SWF header with MaxNodes or MaxProcs, found neither in ${file}`,
    ]);
  }
  const procs = (headerInt(header, "MaxProcs") ?? count) / count;
  // [U] Memory is not in the header: 4 GiB per processor unless the scenario says (nodeMemory).
  const memoryMiB = nodeMemory ?? 4096 * procs;
  for (let i = 0; i < count; i++) {
    d.racks[0].push(d.nodes.length);
    d.nodes.push({ cpuMilli: Math.round(procs * 1000), memoryMiB, group: 0 });
    d.groupOf.push(0);
  }
}

/**
 * An openb node list: one group per GPU model (in order of first appearance), so that each group's
 * GPUs draw their model's power; nodes without GPUs form a group of their own.
 */
async function addOpenbNodes(d: ClusterDraft, file: string, format: string): Promise<void> {
  const groupOfModel = new Map<string, number>();
  for await (const n of loadOpenbNodes(file)) {
    const model = n.gpus > 0 ? n.gpuModel || "GPU" : "no GPU";
    let g = groupOfModel.get(model);
    if (g === undefined) {
      g = groupOfModel.size;
      groupOfModel.set(model, g);
      if (g > 0) {
        d.groups.push("");
        d.power.push(DEFAULT_POWER);
        d.price.push(undefined);
      }
      d.groups[g] = `${format} ${model}`;
    }
    d.racks[0].push(d.nodes.length);
    d.nodes.push({
      cpuMilli: n.cpuMilli,
      memoryMiB: n.memoryMiB,
      gpus: n.gpus,
      gpuModel: n.gpuModel,
      maxPods: KUBELET_MAX_PODS,
      group: g,
    });
    d.groupOf.push(g);
  }
}

/** The Node objects of Kubernetes manifests, by their allocatable resources, labels and taints. */
async function addK8sNodes(d: ClusterDraft, file: string): Promise<void> {
  for await (const o of loadK8sManifests(file)) {
    if (o.kind !== "Node") continue;
    d.racks[0].push(d.nodes.length);
    d.nodes.push({
      cpuMilli: o.allocatable.cpuMilli,
      memoryMiB: o.allocatable.memoryMiB,
      gpus: o.allocatable.gpus,
      maxPods: KUBELET_MAX_PODS,
      labels: o.labels,
      taints: o.taints as NodeSpec["taints"],
    });
    d.groupOf.push(0);
  }
}
