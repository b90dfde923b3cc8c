import { type DpuSpec, hostInfraCores } from "./dpu.js";
import { FitIndex } from "./fit-index.js";
import { NodeOrderIndex } from "./node-order-index.js";

/**
 * The cluster's resources as struct-of-arrays, owned and mutated only here: schedulers read it through
 * a `ClusterView` and ask for placements; `place` and `release` apply them. Every placement gets an id;
 * releasing checks it against what was placed, so nothing is allocated twice or freed that was not
 * allocated.
 *
 * GPUs follow the Alibaba openb model (Weng et al., ATC'23): a node has whole GPUs, each with 1000
 * thousandths; a task takes `gpuMilli` of one GPU (sharing) or several whole GPUs.
 *
 * Network: without a DPU, each pod's virtio work takes host cores for its own traffic (see ./dpu.ts:
 * one emulation thread per microVM, so a node's cost is the sum over its pods), so placing a pod with
 * `nicGbps` also takes that infrastructure CPU; with a DPU it takes none, and pods that need a direct
 * NIC (`directNic`) each take one of the node's SR-IOV virtual functions. Labels and taints follow
 * Kubernetes: a pod must tolerate a node's NoSchedule and NoExecute taints and match its `nodeSelector`.
 *
 * Pods per node: a node admits at most `maxPods` pods, as the kubelet does (its default is 110; the
 * scheduler's NodeResourcesFit filter rejects a node whose pod count would exceed its allocatable pods,
 * "Too many pods", Kubernetes v1.33). Unlimited when a node spec gives none.
 *
 * CXL: nodes may belong to a memory pool (./cxl-pool.ts). A request's `poolMiB` part of its memory is
 * taken from the node's pool instead of local DRAM; the scheduler decides the split (`splitMemory`).
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

const GPU_WHOLE = 1000;
/** collectFitting walks node by node and turns to the index after this many non-fitting nodes in a row. */
const SKIP_AFTER_MISSES = 4;

export class ClusterState implements ClusterView {
  readonly nodeCount: number;
  readonly resources: NodeResources;
  private readonly allocCpu: Float64Array;
  private readonly allocMem: Float64Array;
  private readonly freeCpu: Float64Array;
  private readonly freeMem: Float64Array;
  private readonly gpuStart: Int32Array;
  private readonly gpuFree: Int32Array;
  private readonly rackOf: Int32Array;
  /** 1 where a node takes placements: present and not failed. */
  private readonly up: Uint8Array;
  private readonly healthy: Uint8Array;
  private readonly present: Uint8Array;
  private readonly pods: Int32Array;
  private readonly podCap: Float64Array;
  /** 1 where a node takes another pod: up and below its pod limit (what the search indexes hold). */
  private readonly open: Uint8Array;
  private readonly noCpuPods: Int32Array;
  private readonly noMemPods: Int32Array;
  readonly hasPreferNoScheduleTaints: boolean;
  private missingRequests = 0;
  private readonly groupIndex: Int32Array;
  readonly groupCount: number;
  private readonly groupTotals: GroupTotals[];
  private readonly clusterTotals: GroupTotals;
  private readonly virtualOf: Uint8Array;
  /** CXL pools out of service (failed): nothing more spills into them. */
  private readonly poolDown: Uint8Array;
  private readonly models: string[];
  private readonly modelOf: Int32Array;
  /** The search indexes, each built on its first use so that a run pays only for the one it needs. */
  private fitIndex: FitIndex | null = null;
  private order: NodeOrderIndex | null = null;
  private readonly maxCpu: number;
  private readonly nicCap: Float64Array;
  private readonly nicUsed: Float64Array;
  private readonly vfCap: Int32Array;
  private readonly vfUsed: Int32Array;
  private readonly dpuOf: Uint8Array;
  private readonly infra: Float64Array;
  private readonly labelsOf: Array<Readonly<Record<string, string>>>;
  private readonly taintsOf: Array<readonly Taint[]>;
  /** 1 where a node has taints: the only node-side condition beyond CPU, memory and up for a plain request. */
  private readonly tainted: Uint8Array;
  private readonly poolIndex: Int32Array;
  private readonly poolCap: Float64Array;
  private readonly poolUsed: Float64Array;

  // Placements: node, cpu, mem, and the GPU slots taken (as a bit mask over the node's GPUs for whole
  // GPUs, or one GPU index for a share). Slots are recycled.
  private pNode = new Int32Array(1024);
  private pCpu = new Float64Array(1024);
  private pMem = new Float64Array(1024);
  private pGpuMask = new Float64Array(1024);
  private pGpuShare = new Int32Array(1024);
  private pShareMilli = new Int32Array(1024);
  private pNic = new Float64Array(1024);
  /** Host CPU (millicores) the placement's virtio traffic costs. */
  private pInfra = new Float64Array(1024);
  private pVf = new Uint8Array(1024);
  private pPool = new Float64Array(1024);
  private pFree: number[] = [];
  private pUsed = 0;
  private live = 0;

  /** @param poolCapacitiesMiB capacity of each CXL pool that nodes refer to by `cxlPool` */
  constructor(nodes: readonly NodeSpec[], poolCapacitiesMiB: readonly number[] = []) {
    const n = nodes.length;
    this.nodeCount = n;
    this.allocCpu = new Float64Array(n);
    this.allocMem = new Float64Array(n);
    this.freeCpu = new Float64Array(n);
    this.freeMem = new Float64Array(n);
    this.gpuStart = new Int32Array(n + 1);
    this.rackOf = new Int32Array(n);
    this.up = new Uint8Array(n);
    this.healthy = new Uint8Array(n).fill(1);
    this.present = new Uint8Array(n);
    this.pods = new Int32Array(n);
    this.podCap = new Float64Array(n);
    this.virtualOf = new Uint8Array(n);
    this.poolDown = new Uint8Array(poolCapacitiesMiB.length);
    this.open = new Uint8Array(n);
    this.noCpuPods = new Int32Array(n);
    this.noMemPods = new Int32Array(n);
    this.groupIndex = new Int32Array(n);
    this.modelOf = new Int32Array(n);
    this.models = [];
    this.nicCap = new Float64Array(n);
    this.nicUsed = new Float64Array(n);
    this.vfCap = new Int32Array(n);
    this.vfUsed = new Int32Array(n);
    this.dpuOf = new Uint8Array(n);
    this.infra = new Float64Array(n);
    this.labelsOf = new Array(n);
    this.taintsOf = new Array(n);
    this.tainted = new Uint8Array(n);
    const none: Readonly<Record<string, string>> = Object.freeze({});
    this.poolIndex = new Int32Array(n).fill(-1);
    this.poolCap = Float64Array.from(poolCapacitiesMiB);
    this.poolUsed = new Float64Array(poolCapacitiesMiB.length);
    let maxCpu = 0;
    nodes.forEach((s, i) => {
      if (!(s.cpuMilli >= 0 && s.memoryMiB >= 0)) throw new RangeError(`node ${i}: capacities must be >= 0`);
      const gpus = s.gpus ?? 0;
      if (!(Number.isInteger(gpus) && gpus >= 0 && gpus <= 52))
        throw new RangeError(`node ${i}: gpus must be an integer in 0..52, found ${gpus}`);
      this.allocCpu[i] = s.cpuMilli * (s.cpuOvercommit ?? 1);
      this.allocMem[i] = s.memoryMiB * (s.memoryOvercommit ?? 1);
      this.freeCpu[i] = this.allocCpu[i];
      this.freeMem[i] = this.allocMem[i];
      this.gpuStart[i + 1] = this.gpuStart[i] + gpus;
      this.rackOf[i] = s.rack ?? 0;
      const model = s.gpuModel ?? "";
      let m = this.models.indexOf(model);
      if (m < 0) m = this.models.push(model) - 1;
      this.modelOf[i] = m;
      this.nicCap[i] = s.nicGbps ?? Infinity;
      this.dpuOf[i] = s.dpu ? 1 : 0;
      this.vfCap[i] = s.vfs ?? s.dpu?.vfs ?? 0;
      const maxPods = s.maxPods ?? Infinity;
      if (!(maxPods >= 0)) throw new RangeError(`node ${i}: maxPods must be >= 0, found ${s.maxPods}`);
      this.podCap[i] = maxPods;
      this.labelsOf[i] = s.labels ?? none;
      this.taintsOf[i] = s.taints ?? [];
      this.tainted[i] = this.taintsOf[i].length > 0 ? 1 : 0;
      if (s.cxlPool !== undefined) {
        if (!(Number.isInteger(s.cxlPool) && s.cxlPool >= 0 && s.cxlPool < this.poolCap.length)) {
          throw new RangeError(
            `node ${i}: cxlPool must index one of the ${this.poolCap.length} pools, found ${s.cxlPool}`,
          );
        }
        this.poolIndex[i] = s.cxlPool;
      }
      maxCpu = Math.max(maxCpu, this.allocCpu[i]);
      const g = s.group ?? 0;
      if (!(Number.isInteger(g) && g >= 0))
        throw new RangeError(`node ${i}: group must be an integer >= 0, found ${g}`);
      this.groupIndex[i] = g;
      this.present[i] = s.present === false ? 0 : 1;
      this.virtualOf[i] = s.virtual ? 1 : 0;
      this.up[i] = this.present[i];
      this.open[i] = this.up[i] === 1 && this.podCap[i] > 0 ? 1 : 0;
    });
    this.hasPreferNoScheduleTaints = this.taintsOf.some((ts) => ts.some((t) => t.effect === "PreferNoSchedule"));
    this.groupCount = n === 0 ? 0 : Math.max(...this.groupIndex) + 1;
    const zero = (): GroupTotals => ({
      allocatedCpuMilli: 0,
      allocatedMemoryMiB: 0,
      allocatedGpuMilli: 0,
      cpuUtilisationSum: 0,
      pods: 0,
      capacityCpuMilli: 0,
      capacityMemoryMiB: 0,
      capacityGpuMilli: 0,
      nodesPresent: 0,
      nodesUp: 0,
      gpuMilliUp: 0,
    });
    this.groupTotals = Array.from({ length: this.groupCount }, zero);
    this.clusterTotals = zero();
    this.gpuFree = new Int32Array(this.gpuStart[n]).fill(GPU_WHOLE);
    for (let i = 0; i < n; i++) if (this.present[i] === 1) this.count(i, 1, 1);
    this.maxCpu = maxCpu;
    this.resources = {
      allocatableCpuMilli: this.allocCpu,
      allocatableMemoryMiB: this.allocMem,
      freeCpuMilli: this.freeCpu,
      freeMemoryMiB: this.freeMem,
      podsWithoutCpu: this.noCpuPods,
      podsWithoutMemory: this.noMemPods,
    };
  }

  /** Add (sign 1) or take away (-1) a node's capacity in its group's totals; `up` likewise for nodesUp. */
  private count(node: number, sign: number, up: number): void {
    const totals = [this.groupTotals[this.groupIndex[node]]];
    if (this.virtualOf[node] === 0) totals.push(this.clusterTotals);
    for (const t of totals) {
      t.capacityCpuMilli += sign * this.allocCpu[node];
      t.capacityMemoryMiB += sign * this.allocMem[node];
      t.capacityGpuMilli += sign * GPU_WHOLE * (this.gpuStart[node + 1] - this.gpuStart[node]);
      t.nodesPresent += sign;
      t.nodesUp += up;
      t.gpuMilliUp += up * GPU_WHOLE * (this.gpuStart[node + 1] - this.gpuStart[node]);
    }
  }

  /** Book a placement's resources in its node's group and the cluster's totals (no allocation: a hot path). */
  private allocate(node: number, cpu: number, mem: number, gpuMilli: number, pods: number): void {
    this.pods[node] += pods;
    const util = this.allocCpu[node] > 0 ? cpu / this.allocCpu[node] : 0;
    const g = this.groupTotals[this.groupIndex[node]];
    g.cpuUtilisationSum += util;
    g.allocatedCpuMilli += cpu;
    g.allocatedMemoryMiB += mem;
    g.allocatedGpuMilli += gpuMilli;
    g.pods += pods;
    if (this.virtualOf[node] === 1) return;
    const c = this.clusterTotals;
    c.cpuUtilisationSum += util;
    c.allocatedCpuMilli += cpu;
    c.allocatedMemoryMiB += mem;
    c.allocatedGpuMilli += gpuMilli;
    c.pods += pods;
  }

  /** Tell the indexes built so far about a node's free CPU and memory, or that it takes no more pods. */
  private reindex(node: number): void {
    this.open[node] = this.up[node] === 1 && this.pods[node] < this.podCap[node] ? 1 : 0;
    if (this.open[node] === 1) {
      this.fitIndex?.update(node, this.freeCpu[node], this.freeMem[node]);
      this.order?.update(node, this.freeCpu[node], this.freeMem[node]);
    } else {
      this.fitIndex?.remove(node);
      this.order?.remove(node);
    }
  }

  // ---- view -------------------------------------------------------------------------------

  freeCpuMilli(node: number): number {
    return this.freeCpu[node];
  }
  freeMemoryMiB(node: number): number {
    return this.freeMem[node];
  }
  allocatableCpuMilli(node: number): number {
    return this.allocCpu[node];
  }
  allocatableMemoryMiB(node: number): number {
    return this.allocMem[node];
  }
  gpuCount(node: number): number {
    return this.gpuStart[node + 1] - this.gpuStart[node];
  }
  gpuFreeMilli(node: number, g: number): number {
    return this.gpuFree[this.gpuStart[node] + g];
  }
  gpuModel(node: number): string {
    return this.models[this.modelOf[node]];
  }
  rack(node: number): number {
    return this.rackOf[node];
  }
  isPresent(node: number): boolean {
    return this.present[node] === 1;
  }
  maxPodsOn(node: number): number {
    return this.podCap[node];
  }
  podsOn(node: number): number {
    return this.pods[node];
  }
  maxPods(node: number): number {
    return this.podCap[node];
  }
  get podsMissingRequests(): number {
    return this.missingRequests;
  }
  groupOf(node: number): number {
    return this.groupIndex[node];
  }
  totals(group: number): Readonly<GroupTotals> {
    return group < 0 ? this.clusterTotals : this.groupTotals[group];
  }
  isVirtual(node: number): boolean {
    return this.virtualOf[node] === 1;
  }
  /** Take a CXL pool out of service (its memory cannot be used) or back. */
  setPoolUp(pool: number, up: boolean): void {
    this.poolDown[pool] = up ? 0 : 1;
  }
  isPoolUp(pool: number): boolean {
    return this.poolDown[pool] !== 1;
  }
  isUp(node: number): boolean {
    return this.up[node] === 1;
  }
  hasDpu(node: number): boolean {
    return this.dpuOf[node] === 1;
  }
  infraCpuMilli(node: number): number {
    return this.infra[node];
  }
  freeNicGbps(node: number): number {
    return this.nicCap[node] - this.nicUsed[node];
  }
  freeVfs(node: number): number {
    return this.vfCap[node] - this.vfUsed[node];
  }
  poolOf(node: number): number {
    return this.poolIndex[node];
  }
  poolFreeMiB(pool: number): number {
    return this.poolCap[pool] - this.poolUsed[pool];
  }
  poolUsedMiB(pool: number): number {
    return this.poolUsed[pool];
  }
  labels(node: number): Readonly<Record<string, string>> {
    return this.labelsOf[node];
  }
  taints(node: number): readonly Taint[] {
    return this.taintsOf[node];
  }

  /** Infrastructure CPU (millicores) a pod with `gbps` of traffic costs on the node. */
  private podInfra(node: number, gbps: number): number {
    // Whole millicores, as every other CPU quantity: free CPU stays exact under any add and release.
    return Math.ceil(hostInfraCores(this.dpuOf[node] === 1, gbps) * 1000);
  }

  /** Whether the request tolerates the node's NoSchedule/NoExecute taints and matches its labels. */
  admits(node: number, r: Request): boolean {
    for (const t of this.taintsOf[node]) {
      if (t.effect === "PreferNoSchedule") continue;
      if (!(r.tolerations ?? []).some((tol) => tolerates(tol, t))) return false;
    }
    if (r.nodeSelector) {
      const labels = this.labelsOf[node];
      for (const k in r.nodeSelector) if (labels[k] !== r.nodeSelector[k]) return false;
    }
    return true;
  }

  /** Placements currently applied. */
  get placements(): number {
    return this.live;
  }

  /** The pool share a request takes on `node`: its `poolMiB`, or with `spillToPool` what local DRAM cannot hold. */
  private poolShare(node: number, r: Request): number {
    if (r.poolMiB !== undefined) return r.poolMiB;
    if (!r.spillToPool || this.poolIndex[node] < 0 || this.poolDown[this.poolIndex[node]] === 1) return 0;
    return Math.max(0, r.memoryMiB - Math.max(0, this.freeMem[node]));
  }

  fits(node: number, r: Request): boolean {
    const pool = r.spillToPool ? this.poolShare(node, r) : (r.poolMiB ?? 0);
    if (this.open[node] !== 1 || this.freeCpu[node] < r.cpuMilli || this.freeMem[node] < r.memoryMiB - pool)
      return false;
    if (pool > 0) {
      const p = this.poolIndex[node];
      if (p < 0 || this.poolDown[p] === 1 || this.poolUsed[p] + pool > this.poolCap[p] || pool > r.memoryMiB)
        return false;
    }
    const gbps = r.nicGbps ?? 0;
    if (gbps > 0) {
      if (this.nicUsed[node] + gbps > this.nicCap[node]) return false;
      if (this.freeCpu[node] < r.cpuMilli + this.podInfra(node, gbps)) return false;
    }
    if (r.directNic && this.vfUsed[node] >= this.vfCap[node]) return false;
    if ((this.tainted[node] === 1 || r.nodeSelector) && !this.admits(node, r)) return false;
    return (r.gpus ?? 0) === 0 || this.gpuSlots(node, r) !== null;
  }

  bestFitNode(r: Request): number {
    if (this.fitIndex === null) {
      this.fitIndex = new FitIndex(this.nodeCount, this.maxCpu);
      for (let i = 0; i < this.nodeCount; i++)
        if (this.open[i] === 1) this.fitIndex.update(i, this.freeCpu[i], this.freeMem[i]);
    }
    const node = this.fitIndex.bestFit(r.cpuMilli, r.memoryMiB - (r.poolMiB ?? 0));
    if (node >= 0 && this.fits(node, r)) return node;
    // Memory that may spill into a pool is beyond the index's local-memory view: scan then too.
    if (node < 0 && !r.spillToPool) return -1;
    // The index knows CPU and memory only. When its candidate fails on GPUs, network, VFs or taints,
    // fall back to a scan for the node with the least free CPU that fits everything: O(nodes).
    let best = -1;
    for (let i = 0; i < this.nodeCount; i++) {
      if (this.fits(i, r) && (best < 0 || this.freeCpu[i] < this.freeCpu[best])) best = i;
    }
    return best;
  }

  collectFitting(r: Request, start: number, want: number, out: Int32Array): [number, number] {
    const n = this.nodeCount;
    if (n === 0 || want <= 0) return [0, 0];
    if (this.order === null) {
      this.order = new NodeOrderIndex(n);
      for (let i = 0; i < n; i++) if (this.open[i] === 1) this.order.update(i, this.freeCpu[i], this.freeMem[i]);
    }
    // What every fitting node has at least: the CPU, and the local memory unless the rest may spill.
    const cpu = r.cpuMilli;
    const mem = r.poolMiB !== undefined ? r.memoryMiB - r.poolMiB : r.spillToPool ? -Infinity : r.memoryMiB;
    // A request for CPU and memory alone: the index's leaves are exact for those (and hold nothing for
    // down nodes or nodes at their pod limit), so only taints are left to check.
    const plain = !r.gpus && !r.nicGbps && !r.directNic && r.poolMiB === undefined && !r.spillToPool && !r.nodeSelector;
    let found = 0;
    const freeCpu = this.freeCpu;
    const freeMem = this.freeMem;
    const open = this.open;
    const tainted = this.tainted;
    const order = this.order;
    // Two runs, [start, n) then [0, start): node by node while nodes fit, through the index past a run
    // of nodes that do not (a few misses in a row predict more).
    for (let lo = start, hi = n; ; lo = 0, hi = start) {
      let misses = 0;
      for (let c = lo; c < hi; ) {
        if (misses === SKIP_AFTER_MISSES) {
          misses = 0;
          c = order.next(c, cpu, mem);
          if (c < 0 || c >= hi) break;
        }
        if (
          open[c] === 1 &&
          freeCpu[c] >= cpu &&
          freeMem[c] >= mem &&
          ((plain && tainted[c] === 0) || this.fitsBeyond(c, r, plain))
        ) {
          misses = 0;
          out[found++] = c;
          if (found === want) return [found, c >= start ? c - start + 1 : n - start + c + 1];
        } else misses++;
        c++;
      }
      if (hi === start) return [found, n];
    }
  }

  /** collectFitting's check once CPU and memory are known to suffice; out of line to keep its loop small. */
  private fitsBeyond(node: number, r: Request, plain: boolean): boolean {
    return plain ? this.admits(node, r) : this.fits(node, r);
  }

  // ---- mutation -----------------------------------------------------------------------------

  /** Apply a placement on `node`; returns its id. Throws if it does not fit. */
  place(node: number, r: Request): number {
    if (!Number.isInteger(r.cpuMilli) || !Number.isInteger(r.memoryMiB)) {
      throw new RangeError(
        `placement on node ${node}: CPU and memory must be whole millicores and MiB (round up where tasks enter), found ${r.cpuMilli} m and ${r.memoryMiB} MiB`,
      );
    }
    const slots = this.fits(node, r) ? this.gpuSlots(node, r) : null;
    if (slots === null) throw new RangeError(`placement does not fit node ${node}`);
    const id = this.pFree.length > 0 ? this.pFree.pop()! : this.newPlacementSlot();
    this.pNode[id] = node;
    this.pCpu[id] = r.cpuMilli;
    this.pMem[id] = r.memoryMiB;
    this.pGpuMask[id] = 0;
    this.pGpuShare[id] = -1;
    this.pShareMilli[id] = 0;
    this.pNic[id] = r.nicGbps ?? 0;
    this.pVf[id] = r.directNic ? 1 : 0;
    if (r.cpuMilli === 0 || r.memoryMiB === 0) {
      this.missingRequests++;
      if (r.cpuMilli === 0) this.noCpuPods[node]++;
      if (r.memoryMiB === 0) this.noMemPods[node]++;
    }
    this.vfUsed[node] += this.pVf[id];
    this.pPool[id] = this.poolShare(node, r);
    if (this.pPool[id] > 0) this.poolUsed[this.poolIndex[node]] += this.pPool[id];
    const base = this.gpuStart[node];
    if (typeof slots === "number") {
      this.gpuFree[base + slots] -= r.gpuMilli ?? GPU_WHOLE;
      this.pGpuShare[id] = slots;
      this.pShareMilli[id] = r.gpuMilli ?? GPU_WHOLE;
    } else {
      for (const g of slots) {
        this.gpuFree[base + g] = 0;
        this.pGpuMask[id] += 2 ** g;
      }
    }
    this.pInfra[id] = this.pNic[id] > 0 ? this.podInfra(node, this.pNic[id]) : 0;
    this.nicUsed[node] += this.pNic[id];
    this.infra[node] += this.pInfra[id];
    const cpu = r.cpuMilli + this.pInfra[id];
    this.freeCpu[node] -= cpu;
    this.freeMem[node] -= r.memoryMiB - this.pPool[id];
    const gpuMilli = typeof slots === "number" ? this.pShareMilli[id] : GPU_WHOLE * (slots as number[]).length;
    this.allocate(node, cpu, r.memoryMiB - this.pPool[id], gpuMilli, 1);
    this.reindex(node);
    this.live++;
    return id;
  }

  /** Undo a placement by id. Throws on an id that is not a live placement. */
  release(id: number): void {
    if (!(id >= 0 && id < this.pUsed) || this.pNode[id] < 0)
      throw new RangeError(`release of placement ${id}, which is not applied`);
    const node = this.pNode[id];
    const base = this.gpuStart[node];
    let gpuMilli = 0;
    if (this.pGpuShare[id] >= 0) {
      this.gpuFree[base + this.pGpuShare[id]] += this.pShareMilli[id];
      gpuMilli = this.pShareMilli[id];
    }
    let mask = this.pGpuMask[id];
    for (let g = 0; mask > 0; g++, mask = Math.floor(mask / 2)) {
      if (mask % 2 === 1) {
        this.gpuFree[base + g] = GPU_WHOLE;
        gpuMilli += GPU_WHOLE;
      }
    }
    this.nicUsed[node] = Math.max(0, this.nicUsed[node] - this.pNic[id]);
    this.infra[node] -= this.pInfra[id];
    const cpu = this.pCpu[id] + this.pInfra[id];
    this.freeCpu[node] += cpu;
    this.freeMem[node] += this.pMem[id] - this.pPool[id];
    this.allocate(node, -cpu, -(this.pMem[id] - this.pPool[id]), -gpuMilli, -1);
    if (this.pPool[id] > 0) this.poolUsed[this.poolIndex[node]] -= this.pPool[id];
    this.vfUsed[node] -= this.pVf[id];
    if (this.pCpu[id] === 0 || this.pMem[id] === 0) {
      this.missingRequests--;
      if (this.pCpu[id] === 0) this.noCpuPods[node]--;
      if (this.pMem[id] === 0) this.noMemPods[node]--;
    }
    this.pNode[id] = -1;
    this.pFree.push(id);
    this.live--;
    this.reindex(node);
  }

  /** Node of a live placement. */
  /** CXL pool memory a live placement takes, MiB. */
  poolMiBOf(id: number): number {
    return this.pPool[id];
  }

  /** For a placement holding a share of one GPU, that GPU's index on its node; -1 otherwise. */
  gpuShareOf(id: number): number {
    return this.pGpuShare[id];
  }

  nodeOf(id: number): number {
    return this.pNode[id];
  }

  /** Mark a node down (failed) or up; a down node takes no placements. */
  setUp(node: number, isUp: boolean): void {
    if ((this.healthy[node] === 1) === isUp) return;
    this.healthy[node] = isUp ? 1 : 0;
    this.refreshUp(node);
  }

  /**
   * Add a node to the cluster or take it away (a node group scaling); only an empty node may go.
   * An absent node takes no placements and counts in no totals.
   */
  setPresent(node: number, isPresent: boolean): void {
    if ((this.present[node] === 1) === isPresent) return;
    if (!isPresent && this.pods[node] > 0)
      throw new RangeError(`node ${node} still has ${this.pods[node]} pods: only an empty node can be removed`);
    // nodesUp: refreshUp counts a node coming up; a node leaving takes its own count away here.
    this.count(node, isPresent ? 1 : -1, isPresent ? 0 : -this.up[node]);
    this.present[node] = isPresent ? 1 : 0;
    this.refreshUp(node);
  }

  private refreshUp(node: number): void {
    const was = this.up[node];
    this.up[node] = this.healthy[node] & this.present[node];
    if (this.present[node] === 1 && was !== this.up[node]) {
      const gpuMilli = (this.up[node] - was) * GPU_WHOLE * (this.gpuStart[node + 1] - this.gpuStart[node]);
      const g = this.groupTotals[this.groupIndex[node]];
      g.nodesUp += this.up[node] - was;
      g.gpuMilliUp += gpuMilli;
      if (this.virtualOf[node] === 0) {
        this.clusterTotals.nodesUp += this.up[node] - was;
        this.clusterTotals.gpuMilliUp += gpuMilli;
      }
    }
    this.reindex(node);
  }

  /**
   * GPU slots for a request on a node: a GPU index for a share, a list of whole GPUs, [] for none;
   * null when the GPUs do not fit. A share goes to the GPU with the least free that still fits it
   * (best fit among the node's GPUs).
   */
  private gpuSlots(node: number, r: Request): number | number[] | null {
    const gpus = r.gpus ?? 0;
    if (gpus === 0) return [];
    const base = this.gpuStart[node];
    const count = this.gpuStart[node + 1] - base;
    if (r.gpuModels && r.gpuModels.length > 0 && !r.gpuModels.includes(this.models[this.modelOf[node]])) return null;
    const milli = r.gpuMilli ?? GPU_WHOLE;
    if (gpus === 1 && milli < GPU_WHOLE) {
      if (r.gpuIndex !== undefined) {
        const g = r.gpuIndex;
        return Number.isInteger(g) && g >= 0 && g < count && this.gpuFree[base + g] >= milli ? g : null;
      }
      let best = -1;
      for (let g = 0; g < count; g++) {
        const free = this.gpuFree[base + g];
        if (free >= milli && (best < 0 || free < this.gpuFree[base + best])) best = g;
      }
      return best < 0 ? null : best;
    }
    const whole: number[] = [];
    for (let g = 0; g < count && whole.length < gpus; g++) if (this.gpuFree[base + g] === GPU_WHOLE) whole.push(g);
    return whole.length === gpus ? whole : null;
  }

  private newPlacementSlot(): number {
    if (this.pUsed === this.pNode.length) {
      const cap = this.pNode.length * 2;
      const grow = <T extends Int32Array | Float64Array>(a: T, b: T) => {
        b.set(a);
        return b;
      };
      this.pNode = grow(this.pNode, new Int32Array(cap));
      this.pCpu = grow(this.pCpu, new Float64Array(cap));
      this.pMem = grow(this.pMem, new Float64Array(cap));
      this.pGpuMask = grow(this.pGpuMask, new Float64Array(cap));
      this.pGpuShare = grow(this.pGpuShare, new Int32Array(cap));
      this.pShareMilli = grow(this.pShareMilli, new Int32Array(cap));
      this.pNic = grow(this.pNic, new Float64Array(cap));
      this.pInfra = grow(this.pInfra, new Float64Array(cap));
      this.pPool = grow(this.pPool, new Float64Array(cap));
      const vf = new Uint8Array(cap);
      vf.set(this.pVf);
      this.pVf = vf;
    }
    return this.pUsed++;
  }
}

/** Kubernetes toleration matching: same key (or empty key with Exists), same value for Equal, same effect or none. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if ((tol.operator ?? "Equal") === "Exists") return tol.key === "" || tol.key === taint.key;
  return tol.key === taint.key && (tol.value ?? "") === taint.value;
}
