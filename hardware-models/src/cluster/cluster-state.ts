import { auditCluster } from "./cluster-audit.js";
import type { ClusterView, GroupTotals, NodeResources, NodeSpec, Request, Taint } from "./cluster-types.js";
import { FitSearch } from "./fit-search.js";
import { GPU_WHOLE, GpuSlots } from "./gpu-slots.js";
import { GroupBook } from "./group-totals.js";
import { MemoryPools } from "./memory-pools.js";
import { NodeConstraints } from "./node-constraints.js";
import { NodeNetwork } from "./node-network.js";
import { readNodeSpecs } from "./node-specs.js";
import { PlacementRecords } from "./placement-records.js";

/**
 * The cluster's resources as struct-of-arrays, owned and mutated only here: schedulers read it through
 * a `ClusterView` and ask for placements; `place` and `release` apply them. Every placement gets an id;
 * releasing checks it against what was placed, so nothing is allocated twice or freed that was not
 * allocated. Beside it: the GPUs (./gpu-slots.ts), the placements' records (./placement-records.ts),
 * the group totals (./group-totals.ts), the fit search with its indexes (./fit-search.ts), and the
 * invariant checker's audit of its arrays (./cluster-audit.ts).
 *
 * Network (./node-network.ts): without a DPU, placing a pod with `nicGbps` also takes the host CPU its
 * virtio traffic costs; with a DPU it takes none, and pods that need a direct NIC (`directNic`) each
 * take one of the node's SR-IOV virtual functions. Labels and taints (./node-constraints.ts) follow
 * Kubernetes: a pod must tolerate a node's NoSchedule and NoExecute taints and match its `nodeSelector`.
 *
 * Pods per node: a node admits at most `maxPods` pods, as the kubelet does (its default is 110; the
 * scheduler's NodeResourcesFit filter rejects a node whose pod count would exceed its allocatable pods,
 * "Too many pods", Kubernetes v1.33). Unlimited when a node spec gives none.
 *
 * CXL: nodes may belong to a memory pool (./memory-pools.ts), which may take part of a request's memory.
 */
export class ClusterState implements ClusterView {
  readonly nodeCount: number;
  readonly resources: NodeResources;
  readonly hasPreferNoScheduleTaints: boolean;
  readonly groupCount: number;
  private readonly allocCpu: Float64Array;
  private readonly allocMem: Float64Array;
  private readonly freeCpu: Float64Array;
  private readonly freeMem: Float64Array;
  private readonly gpus: GpuSlots;
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
  private missingRequests = 0;
  private grown = 0;
  private readonly groupIndex: Int32Array;
  private readonly book: GroupBook;
  private readonly virtualOf: Uint8Array;
  private readonly search: FitSearch;
  private readonly net: NodeNetwork;
  private readonly constraints: NodeConstraints;
  private readonly pools: MemoryPools;
  private readonly p = new PlacementRecords();
  /** Changes applied so far (placements, releases, resizes, nodes and pools up, down, in or out). */
  private changeCount = 0;

  /** @param poolCapacitiesMiB capacity of each CXL pool that nodes refer to by `cxlPool` */
  constructor(nodes: readonly NodeSpec[], poolCapacitiesMiB: readonly number[] = []) {
    const n = nodes.length;
    this.nodeCount = n;
    this.net = new NodeNetwork(nodes);
    this.constraints = new NodeConstraints(nodes);
    this.pools = new MemoryPools(n, poolCapacitiesMiB);
    const table = readNodeSpecs(nodes, this.pools);
    ({ allocCpu: this.allocCpu, allocMem: this.allocMem, rackOf: this.rackOf, podCap: this.podCap } = table);
    ({ groupIndex: this.groupIndex, present: this.present, virtualOf: this.virtualOf } = table);
    this.freeCpu = this.allocCpu.slice();
    this.freeMem = this.allocMem.slice();
    this.up = this.present.slice();
    this.healthy = new Uint8Array(n).fill(1);
    this.pods = new Int32Array(n);
    this.open = Uint8Array.from(this.up, (u, i) => (u === 1 && this.podCap[i] > 0 ? 1 : 0));
    this.noCpuPods = new Int32Array(n);
    this.noMemPods = new Int32Array(n);
    this.gpus = new GpuSlots(
      nodes.map((s) => s.gpus ?? 0),
      nodes.map((s) => s.gpuModel ?? ""),
    );
    this.hasPreferNoScheduleTaints = this.constraints.hasPreferNoScheduleTaints;
    this.groupCount = n === 0 ? 0 : Math.max(...this.groupIndex) + 1;
    this.book = new GroupBook(this.groupCount);
    for (let i = 0; i < n; i++) if (this.present[i] === 1) this.count(i, 1, 1);
    let maxCpuMilli = 0;
    for (let i = 0; i < n; i++) maxCpuMilli = Math.max(maxCpuMilli, this.allocCpu[i]);
    const { freeCpu, freeMem, open } = this;
    const { tainted } = this.constraints;
    this.search = new FitSearch({
      nodeCount: n,
      maxCpuMilli,
      freeCpu,
      freeMem,
      open,
      tainted,
      fits: (node, r) => this.fits(node, r),
      admits: (node, r) => this.admits(node, r),
      gpuShareMax: (node) => this.gpus.maxFree(node),
      gpuWholeFree: (node) => this.gpus.wholeFree(node),
    });
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
    const virtual = this.virtualOf[node] === 1;
    const gpus = this.gpus.count(node);
    const dpus = this.net.hasDpu(node) ? 1 : 0;
    this.book.capacity(this.groupIndex[node], virtual, sign, up, this.allocCpu[node], this.allocMem[node], gpus, dpus);
  }

  /** Book a placement's resources in its node's group and the cluster's totals (no allocation: a hot path). */
  private allocate(node: number, cpu: number, mem: number, gpuMilli: number, pods: number): void {
    this.pods[node] += pods;
    const util = this.allocCpu[node] > 0 ? cpu / this.allocCpu[node] : 0;
    this.book.allocate(this.groupIndex[node], this.virtualOf[node] === 1, util, cpu, mem, gpuMilli, pods);
  }

  /** Whether a node takes another pod now, told to the search's indexes. */
  private reindex(node: number): void {
    // Every change of a node ends here: one count for it.
    this.changeCount++;
    this.open[node] = this.up[node] === 1 && this.pods[node] < this.podCap[node] ? 1 : 0;
    this.search.reindex(node);
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
    return this.gpus.count(node);
  }
  gpuFreeMilli(node: number, g: number): number {
    return this.gpus.freeMilli(node, g);
  }
  gpuModel(node: number): string {
    return this.gpus.model(node);
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
    return group < 0 ? this.book.cluster : this.book.groups[group];
  }
  isVirtual(node: number): boolean {
    return this.virtualOf[node] === 1;
  }
  /** Take a CXL pool out of service (its memory cannot be used) or back. */
  setPoolUp(pool: number, up: boolean): void {
    this.changeCount++;
    this.pools.setUp(pool, up);
  }
  isPoolUp(pool: number): boolean {
    return this.pools.isUp(pool);
  }
  isUp(node: number): boolean {
    return this.up[node] === 1;
  }
  hasDpu(node: number): boolean {
    return this.net.hasDpu(node);
  }
  infraCpuMilli(node: number): number {
    return this.net.infra[node];
  }
  freeNicGbps(node: number): number {
    return this.net.freeNicGbps(node);
  }
  freeVfs(node: number): number {
    return this.net.freeVfs(node);
  }
  poolOf(node: number): number {
    return this.pools.of[node];
  }
  poolFreeMiB(pool: number): number {
    return this.pools.freeMiB(pool);
  }
  poolUsedMiB(pool: number): number {
    return this.pools.usedMiB(pool);
  }
  /** CXL pool memory in use over all pools, MiB. */
  poolUsedTotalMiB(): number {
    return this.pools.totalUsedMiB;
  }
  labels(node: number): Readonly<Record<string, string>> {
    return this.constraints.labels(node);
  }
  taints(node: number): readonly Taint[] {
    return this.constraints.taints(node);
  }
  /** How many changes were applied so far: views copying the live arrays copy again only after one. */
  get changes(): number {
    return this.changeCount;
  }
  /** Placements currently applied. */
  get placements(): number {
    return this.p.live;
  }
  /** CPU request of a live placement, millicores (without the host CPU its network path costs). */
  cpuMilliOf(id: number): number {
    return this.p.cpu[id];
  }

  /** CXL pool memory a live placement takes, MiB. */
  poolMiBOf(id: number): number {
    return this.p.pool[id];
  }
  /** For a placement holding a share of one GPU, that GPU's index on its node; -1 otherwise. */
  gpuShareOf(id: number): number {
    return this.p.gpuShare[id];
  }
  /** Node of a live placement. */
  nodeOf(id: number): number {
    return this.p.node[id];
  }

  /** Whether the request tolerates the node's NoSchedule/NoExecute taints and matches its labels. */
  admits(node: number, r: Request): boolean {
    return this.constraints.admits(node, r);
  }

  fits(node: number, r: Request): boolean {
    const pool = r.spillToPool ? this.pools.share(node, r, this.freeMem[node]) : (r.poolMiB ?? 0);
    if (this.open[node] !== 1 || this.freeCpu[node] < r.cpuMilli || this.freeMem[node] < r.memoryMiB - pool)
      return false;
    if (pool > 0 && !this.pools.fits(node, pool, r.memoryMiB)) return false;
    const gbps = r.nicGbps ?? 0;
    if ((gbps > 0 || r.directNic) && !this.net.fits(node, gbps, r.directNic)) return false;
    if (gbps > 0 && this.freeCpu[node] < r.cpuMilli + this.net.podInfra(node, gbps)) return false;
    if ((this.constraints.tainted[node] === 1 || r.nodeSelector) && !this.constraints.admits(node, r)) return false;
    return this.gpus.fits(node, r);
  }

  bestFitNode(r: Request): number {
    return this.search.bestFitNode(r);
  }

  collectFitting(r: Request, start: number, want: number, out: Int32Array): [number, number] {
    return this.search.collectFitting(r, start, want, out);
  }

  /**
   * Whether some node that takes pods has at once `cpuMilli` and `memoryMiB` free (the search index;
   * nothing else of a node checked). False means that no node can hold a request for as much CPU and
   * at least that much local memory (`leastLocalMemory`).
   */
  roomFor(cpuMilli: number, memoryMiB: number): boolean {
    return this.search.roomFor(cpuMilli, memoryMiB);
  }

  /**
   * How many changes so far may have made room on a node: releases, requests shrunk in place, nodes up
   * or added. While it stands still, no node gains free CPU or local memory (a CXL pool coming back is
   * not counted: it adds no local memory).
   */
  get roomGrowth(): number {
    return this.grown;
  }

  /**
   * The first place where the live arrays disagree with the placements they were booked from, or
   * undefined (./cluster-audit.ts). O(nodes + placements): for the invariant checker.
   */
  audit(): string | undefined {
    const { allocCpu, allocMem, freeCpu, freeMem, pods, virtualOf } = this;
    return auditCluster({ allocCpu, allocMem, freeCpu, freeMem, pods, virtualOf }, this.p, this.book.cluster);
  }

  // ---- mutation -----------------------------------------------------------------------------

  /** Apply a placement on `node`; returns its id. Throws if it does not fit. */
  place(node: number, r: Request): number {
    if (!Number.isInteger(r.cpuMilli) || !Number.isInteger(r.memoryMiB)) {
      throw new RangeError(
        `placement on node ${node}: CPU and memory must be whole millicores and MiB (round up where tasks enter), found ${r.cpuMilli} m and ${r.memoryMiB} MiB`,
      );
    }
    const slots = this.fits(node, r) ? this.gpus.slots(node, r) : null;
    if (slots === null) throw new RangeError(`placement does not fit node ${node}`);
    const p = this.p;
    const id = p.newId();
    p.node[id] = node;
    p.cpu[id] = r.cpuMilli;
    p.mem[id] = r.memoryMiB;
    p.gpuMask[id] = 0;
    p.gpuShare[id] = -1;
    p.shareMilli[id] = 0;
    p.nic[id] = r.nicGbps ?? 0;
    p.vf[id] = r.directNic ? 1 : 0;
    if (r.cpuMilli === 0 || r.memoryMiB === 0) {
      this.missingRequests++;
      if (r.cpuMilli === 0) this.noCpuPods[node]++;
      if (r.memoryMiB === 0) this.noMemPods[node]++;
    }
    p.pool[id] = this.pools.share(node, r, this.freeMem[node]);
    if (p.pool[id] > 0) this.pools.book(node, p.pool[id]);
    let gpuMilli: number;
    if (typeof slots === "number") {
      p.gpuShare[id] = slots;
      p.shareMilli[id] = r.gpuMilli ?? GPU_WHOLE;
      this.gpus.takeShare(node, slots, p.shareMilli[id]);
      gpuMilli = p.shareMilli[id];
    } else {
      p.gpuMask[id] = this.gpus.takeWhole(node, slots);
      gpuMilli = GPU_WHOLE * slots.length;
    }
    p.infra[id] = p.nic[id] > 0 ? this.net.podInfra(node, p.nic[id]) : 0;
    const dpuLoad = this.net.book(node, 1, p.nic[id], p.vf[id], p.infra[id]);
    if (dpuLoad !== 0) this.book.dpuLoadChanged(this.groupIndex[node], this.virtualOf[node] === 1, dpuLoad);
    const cpu = r.cpuMilli + p.infra[id];
    this.freeCpu[node] -= cpu;
    this.freeMem[node] -= r.memoryMiB - p.pool[id];
    this.allocate(node, cpu, r.memoryMiB - p.pool[id], gpuMilli, 1);
    this.reindex(node);
    return id;
  }

  /** Undo a placement by id. Throws on an id that is not a live placement. */
  release(id: number): void {
    const p = this.p;
    if (!p.isLive(id)) throw new RangeError(`release of placement ${id}, which is not applied`);
    const node = p.node[id];
    const gpuMilli = this.gpus.giveBack(node, p.gpuShare[id], p.shareMilli[id], p.gpuMask[id]);
    const dpuLoad = this.net.book(node, -1, p.nic[id], p.vf[id], p.infra[id]);
    if (dpuLoad !== 0) this.book.dpuLoadChanged(this.groupIndex[node], this.virtualOf[node] === 1, dpuLoad);
    const cpu = p.cpu[id] + p.infra[id];
    this.freeCpu[node] += cpu;
    this.freeMem[node] += p.mem[id] - p.pool[id];
    this.allocate(node, -cpu, -(p.mem[id] - p.pool[id]), -gpuMilli, -1);
    if (p.pool[id] > 0) this.pools.book(node, -p.pool[id]);
    if (p.cpu[id] === 0 || p.mem[id] === 0) {
      this.missingRequests--;
      if (p.cpu[id] === 0) this.noCpuPods[node]--;
      if (p.mem[id] === 0) this.noMemPods[node]--;
    }
    p.free(id);
    this.grown++;
    this.reindex(node);
  }

  /**
   * Change a live placement's CPU request in place (a pod resized through its `resize` subresource,
   * KEP-1287): its node's free CPU and the totals move by the difference; nothing else of it changes.
   * Throws on an id that is not live, a request that is not a whole number of millicores above 0, a
   * placement booked without a CPU request (it counts among the node's pods without one, which a resize
   * would change), or an increase beyond the node's free CPU: the caller checks the fit first.
   */
  resize(id: number, cpuMilli: number): void {
    const p = this.p;
    if (!p.isLive(id)) throw new RangeError(`resize of placement ${id}, which is not applied`);
    if (!Number.isInteger(cpuMilli) || cpuMilli <= 0)
      throw new RangeError(`resize of placement ${id}: expected whole millicores above 0, found ${cpuMilli}`);
    if (p.cpu[id] === 0) throw new RangeError(`resize of placement ${id}: it was placed without a CPU request`);
    const node = p.node[id];
    const delta = cpuMilli - p.cpu[id];
    if (delta > this.freeCpu[node])
      throw new RangeError(
        `resize of placement ${id} by ${delta} m does not fit node ${node} (${this.freeCpu[node]} m free)`,
      );
    p.cpu[id] = cpuMilli;
    if (delta < 0) this.grown++;
    this.freeCpu[node] -= delta;
    this.allocate(node, delta, 0, 0, 0);
    this.reindex(node);
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
    if (this.up[node] > was) this.grown++;
    if (this.present[node] === 1 && was !== this.up[node]) {
      const delta = this.up[node] - was;
      const gpuMilli = delta * GPU_WHOLE * this.gpus.count(node);
      const dpus = this.net.hasDpu(node) ? delta : 0;
      this.book.upChanged(this.groupIndex[node], this.virtualOf[node] === 1, delta, gpuMilli, dpus);
    }
    this.reindex(node);
  }
}
