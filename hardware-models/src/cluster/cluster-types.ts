import type { DpuSpec } from "../dpu.js";

/**
 * The cluster's vocabulary: node specs, requests, taints and tolerations, group totals, and the
 * read-only view schedulers get (./cluster-state.ts implements it).
 */

export interface Taint {
  key: string;
  value: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface Toleration {
  /** Empty key with operator Exists tolerates every taint. */
  key: string;
  operator?: "Equal" | "Exists";
  value?: string;
  /** Empty: every effect. */
  effect?: string;
}

export interface NodeSpec {
  cpuMilli: number;
  memoryMiB: number;
  gpus?: number;
  gpuModel?: string;
  rack?: number;
  /** Overcommit ratios: allocatable = capacity × ratio (default 1). */
  cpuOvercommit?: number;
  memoryOvercommit?: number;
  /** NIC bandwidth; unlimited when absent. */
  nicGbps?: number;
  dpu?: DpuSpec;
  /** SR-IOV virtual functions for direct-NIC pods (default: the DPU's, else none). */
  vfs?: number;
  /** Pods the node admits (the kubelet's maxPods, allocatable `pods`); unlimited when absent. */
  maxPods?: number;
  /** Index of the CXL pool the node belongs to (into the `pools` given to ClusterState), if any. */
  cxlPool?: number;
  /** Shared, not copied: give nodes of one group the same object. */
  labels?: Readonly<Record<string, string>>;
  taints?: readonly Taint[];
  /** Node group (an index), for per-group totals (default 0). */
  group?: number;
  /** False for spare capacity a node group may scale up into: absent nodes take nothing and count nowhere. */
  present?: boolean;
  /**
   * A virtual node (serverless containers behind a virtual-kubelet): counted in its group's totals but
   * not in the cluster's, whose capacity and allocation are the cluster's own machines.
   */
  virtual?: boolean;
}

/**
 * Totals of a node group (or the whole cluster), kept up to date by every change: what metrics read.
 * Allocated CPU includes the host cores charged for network virtualisation.
 */
export interface GroupTotals {
  allocatedCpuMilli: number;
  allocatedMemoryMiB: number;
  allocatedGpuMilli: number;
  /** Σ over the group's nodes of allocated ÷ allocatable CPU (what a power model linear in each node's utilisation needs). */
  cpuUtilisationSum: number;
  pods: number;
  /** Allocatable capacity of the group's present nodes. */
  capacityCpuMilli: number;
  capacityMemoryMiB: number;
  capacityGpuMilli: number;
  nodesPresent: number;
  /** Present and not failed. */
  nodesUp: number;
  /** GPU thousandths on the nodes up (what draws GPU power). */
  gpuMilliUp: number;
  /** DPUs on the nodes up (what draws DPU idle power). */
  dpusUp: number;
  /**
   * Σ over the group's nodes with a DPU of the DPU's load: its pods' traffic ÷ its line rate, at most 1
   * (what a DPU power model linear in its load needs; ../dpu.ts dpuLoad).
   */
  dpuLoadSum: number;
}

export interface Request {
  cpuMilli: number;
  memoryMiB: number;
  /** Whole GPUs, or 1 with gpuMilli < 1000 for a share of one GPU. */
  gpus?: number;
  gpuMilli?: number;
  /** GPU models the request accepts (openb `gpu_spec`); any model when absent or empty. */
  gpuModels?: readonly string[];
  /** For a GPU share: the GPU (0-based) the scheduler chose; best fit among the node's GPUs when absent. */
  gpuIndex?: number;
  /** Network bandwidth the pod uses. */
  nicGbps?: number;
  /** Needs a NIC virtual function of its own (SR-IOV). */
  directNic?: boolean;
  /** Part of memoryMiB to take from the node's CXL pool instead of local DRAM. */
  poolMiB?: number;
  /**
   * Without `poolMiB`: let memory that does not fit in the node's free DRAM spill into its CXL pool
   * (local first, the rest pooled; `splitMemory`'s local-first policy).
   */
  spillToPool?: boolean;
  tolerations?: readonly Toleration[];
  nodeSelector?: Readonly<Record<string, string>>;
}

/**
 * The live per-node CPU and memory arrays, indexed by node: for hot loops that read hundreds of nodes
 * per decision (a method call per value costs them a tenth of their time). Read only: they change with
 * every placement, through ClusterState alone.
 */
export interface NodeResources {
  readonly allocatableCpuMilli: Float64Array;
  readonly allocatableMemoryMiB: Float64Array;
  readonly freeCpuMilli: Float64Array;
  readonly freeMemoryMiB: Float64Array;
  /**
   * Pods placed on the node that request no CPU, and no memory: Kubernetes' scoring counts such a pod
   * as requesting a default amount (schedutil's non-zero requests), so it needs to know how many.
   */
  readonly podsWithoutCpu: Int32Array;
  readonly podsWithoutMemory: Int32Array;
}

/** Read-only access for schedulers. */
export interface ClusterView {
  readonly nodeCount: number;
  readonly resources: NodeResources;
  freeCpuMilli(node: number): number;
  freeMemoryMiB(node: number): number;
  allocatableCpuMilli(node: number): number;
  allocatableMemoryMiB(node: number): number;
  gpuCount(node: number): number;
  /** Free thousandths of GPU g (0-based) of a node. */
  gpuFreeMilli(node: number, g: number): number;
  gpuModel(node: number): string;
  rack(node: number): number;
  isUp(node: number): boolean;
  /** Whether the node exists now (spare capacity of a node group is absent until it is added). */
  isPresent(node: number): boolean;
  /** Pods placed on the node. */
  podsOn(node: number): number;
  /** Pods the node admits in all (its kubelet's maxPods). */
  maxPodsOn(node: number): number;
  /** Whether the request tolerates the node's NoSchedule/NoExecute taints and matches its labels. */
  admits(node: number, r: Request): boolean;
  /** Pods the node admits (Infinity when unlimited). */
  maxPods(node: number): number;
  /** Group of a node, and the totals of a group (or of the cluster with -1). */
  groupOf(node: number): number;
  readonly groupCount: number;
  totals(group: number): Readonly<GroupTotals>;
  /** Whether a node is virtual (serverless): outside the cluster's totals. */
  isVirtual(node: number): boolean;
  hasDpu(node: number): boolean;
  /** Host CPU the node currently spends on network virtualisation (the sum of its pods' virtio costs). */
  infraCpuMilli(node: number): number;
  freeNicGbps(node: number): number;
  freeVfs(node: number): number;
  /** CXL pool of a node, or -1. */
  poolOf(node: number): number;
  poolFreeMiB(pool: number): number;
  poolUsedMiB(pool: number): number;
  labels(node: number): Readonly<Record<string, string>>;
  taints(node: number): readonly Taint[];
  /** Whether any node has a PreferNoSchedule taint (taints are fixed when the cluster is built). */
  readonly hasPreferNoScheduleTaints: boolean;
  /** Pods placed anywhere that request no CPU or no memory (so `podsWithoutCpu`/`Memory` are all 0 when 0). */
  readonly podsMissingRequests: number;
  fits(node: number, r: Request): boolean;
  /** The best-fit node (least free CPU that fits), or -1. Uses the index: O(log capacity). */
  bestFitNode(r: Request): number;
  /**
   * The nodes that fit `r`, in node order from `start` and wrapping around, until `want` are found:
   * written to `out`. Returns [found, scanned], `scanned` being how many nodes a linear walk would have
   * passed (Kubernetes' processed-node count, where its next search starts): `fits` on every node
   * from `start` gives the same answer, only slower when few nodes fit.
   */
  collectFitting(r: Request, start: number, want: number, out: Int32Array): [number, number];
}

/** Kubernetes toleration matching: same key (or empty key with Exists), same value for Equal, same effect or none. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if ((tol.operator ?? "Equal") === "Exists") return tol.key === "" || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? "") === taint.value;
}
