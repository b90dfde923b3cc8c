import type { ClusterView, Request } from "@clustersim/hardware-models";
import { expectedLifetimeS, NODE_METRIC_REPORT_S, type NodeLoadOptions } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import { BatchRoomIndex } from "./batch-room-index.js";

/**
 * Koordinator's co-location defaults (koordinator-sh/koordinator v1.4–v1.8): batch resources are
 * reclaimed up to 60% of a node's CPU and 65% of its memory (pkg/util/sloconfig/colocation_config.go,
 * cpu/memoryReclaimThresholdPercent, the "usage" policy), and koordlet caps batch pods' CPU at 65% of
 * the node less what other pods use (nodeslo_config.go, cpuSuppressThresholdPercent; the suppress loop
 * runs every second, at least 2 cores for batch).
 */
export interface ColocationOptions {
  cpuReclaimPercent: number;
  memoryReclaimPercent: number;
  cpuSuppressPercent: number;
  /** How often batch allocatable is recomputed (koordlet reports NodeMetric every 60 s), and the usage window (300 s). */
  updateS: number;
  windowS: number;
  /**
   * Batch room from predicted online usage instead (the services' usage trend, ../usage/node-load-
   * forecast.ts): absent, Koordinator's average over `windowS`.
   */
  reclaim?: NodeLoadOptions;
}

export const KOORDINATOR_DEFAULTS: ColocationOptions = {
  cpuReclaimPercent: 60,
  memoryReclaimPercent: 65,
  cpuSuppressPercent: 65,
  updateS: NODE_METRIC_REPORT_S,
  windowS: 300,
};

/** koordlet's floor for batch CPU under suppression (cpuset policy: at least 2 CPUs). */
const SUPPRESS_FLOOR_MILLI = 2000;

/**
 * The batch tier of a co-located cluster, as Koordinator runs it. Batch (best-effort) pods request
 * batch-cpu and batch-memory, not the node's allocatable: their room on a node is
 *   batch allocatable = capacity × reclaim% − what online (non-batch) pods use
 * (the "usage" policy, with no system usage modelled), averaged over the last window and refreshed
 * every update; they are placed on the node with the most batch CPU free that fits them (LeastAllocated
 * over the batch resources). With `reclaim` the online usage is instead predicted, per batch pod, over
 * its expected lifetime: the overcommit is then bounded by the prediction's stated risk. While they run, koordlet caps their CPU at capacity × suppress% − online
 * usage (at least 2 cores): when online usage rises, batch pods on the node slow down together.
 *
 * Online usage of a node is read from `onlineUsageMilli` (service replicas at their traffic's usage,
 * other pods at their request). Not modelled: eviction (koordlet's BE evictions are alpha and off by
 * default), memory suppression, NUMA-level accounting.
 */
export class BatchTier {
  private readonly capCpu: Float64Array;
  private readonly capMem: Float64Array;
  private readonly batchCpu: Float64Array;
  private readonly batchMem: Float64Array;
  private readonly usedCpu: Float64Array;
  private readonly usedMem: Float64Array;
  /** Online CPU use per node, one sample per update over the window (a ring per node). */
  private readonly history: Float64Array;
  private readonly slots: number;
  private at = 0;
  private filled = 0;
  /** Batch tasks on each node, and each one's CPU request. */
  private readonly onNode: Map<Task, number>[];
  /** The current CPU rate of batch pods per node (1: unsuppressed). */
  readonly rate: Float64Array;
  /**
   * With `reclaim`: each node's online CPU usage over the next `horizonS` as predicted (an upper bound),
   * millicores; set by the run with the forecast it samples.
   */
  predictOnline?: (node: number, horizonS: number) => number;
  /** Free batch CPU and memory per node, indexed (virtual nodes out): pick without a scan. */
  private readonly room: BatchRoomIndex;
  /** The pod being placed, as it asks for what is not batch room (its pod count, GPUs, network, taints). */
  private rest: Request | undefined;
  private readonly admits = (n: number) => this.cluster.isUp(n) && this.cluster.fits(n, this.rest!);

  constructor(
    private readonly cluster: ClusterView,
    readonly o: ColocationOptions = KOORDINATOR_DEFAULTS,
  ) {
    const n = cluster.nodeCount;
    this.capCpu = new Float64Array(n);
    this.capMem = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.capCpu[i] = cluster.allocatableCpuMilli(i);
      this.capMem[i] = cluster.allocatableMemoryMiB(i);
    }
    this.batchCpu = new Float64Array(n);
    this.batchMem = new Float64Array(n);
    this.usedCpu = new Float64Array(n);
    this.usedMem = new Float64Array(n);
    this.slots = Math.max(1, Math.round(o.windowS / o.updateS));
    this.history = new Float64Array(n * this.slots);
    this.onNode = Array.from({ length: n }, () => new Map());
    this.rate = new Float64Array(n).fill(1);
    this.room = new BatchRoomIndex(n);
    this.reindex();
  }

  /** The index after every node's batch room changed. */
  private reindex(): void {
    const c = this.cluster;
    const out = Number.NEGATIVE_INFINITY;
    this.room.setAll(
      (n) => (c.isVirtual(n) ? out : this.batchCpu[n] - this.usedCpu[n]),
      (n) => (c.isVirtual(n) ? out : this.batchMem[n] - this.usedMem[n]),
    );
  }

  /** The index after node n's batch room changed. */
  private reindexNode(n: number): void {
    if (!this.cluster.isVirtual(n))
      this.room.set(n, this.batchCpu[n] - this.usedCpu[n], this.batchMem[n] - this.usedMem[n]);
  }

  /** Whether a task runs in the batch tier. */
  static isBatch(t: Task): boolean {
    return t.qos === "batch";
  }

  /**
   * Recompute batch allocatable from online usage (`onlineCpu[n]` millicores now; memory: online
   * pods' requests, as allocated). Called every `updateS`.
   */
  update(onlineCpu: Float64Array): void {
    const c = this.cluster;
    const S = this.slots;
    this.filled = Math.min(this.filled + 1, S);
    for (let n = 0; n < c.nodeCount; n++) {
      this.history[n * S + this.at] = onlineCpu[n];
      let sum = 0;
      for (let k = 0; k < this.filled; k++) sum += this.history[n * S + k];
      const used = sum / this.filled;
      const onlineMem = c.allocatableMemoryMiB(n) - c.freeMemoryMiB(n);
      this.batchCpu[n] = Math.max(0, (this.capCpu[n] * this.o.cpuReclaimPercent) / 100 - used);
      this.batchMem[n] = Math.max(0, (this.capMem[n] * this.o.memoryReclaimPercent) / 100 - onlineMem);
    }
    this.at = (this.at + 1) % S;
    this.reindex();
  }

  /**
   * The node with the most batch CPU free that holds the request's batch CPU and memory and admits the
   * pod otherwise (present, up, not virtual; its taints, selector, pod count, GPUs and network, as the
   * pod takes no allocatable CPU or memory), or -1.
   */
  pick(pod: Request & { reqTimeS?: number }): number {
    const rest: Request = { ...pod, cpuMilli: 0, memoryMiB: 0, poolMiB: undefined, spillToPool: false };
    if (this.predictOnline) return this.pickPredicted(pod, rest);
    this.rest = rest;
    const node = this.room.best(pod.cpuMilli, pod.memoryMiB, this.admits);
    this.rest = undefined;
    return node;
  }

  /** pick with the room from predicted online usage, which moves with each pod's lifetime: a scan. */
  private pickPredicted(pod: Request & { reqTimeS?: number }, rest: Request): number {
    const c = this.cluster;
    const predict = this.predictOnline!;
    const horizonS = this.o.reclaim ? expectedLifetimeS(pod, this.o.reclaim) : 0;
    let best = -1;
    let bestFree = -1;
    for (let n = 0; n < c.nodeCount; n++) {
      if (!c.isUp(n) || c.isVirtual(n)) continue;
      const room = Math.max(0, (this.capCpu[n] * this.o.cpuReclaimPercent) / 100 - predict(n, horizonS));
      const freeCpu = room - this.usedCpu[n];
      if (freeCpu < pod.cpuMilli || this.batchMem[n] - this.usedMem[n] < pod.memoryMiB) continue;
      if (!c.fits(n, rest)) continue;
      if (freeCpu > bestFree) {
        best = n;
        bestFree = freeCpu;
      }
    }
    return best;
  }

  bound(task: Task, node: number, cpuMilli: number, memoryMiB: number): void {
    this.usedCpu[node] += cpuMilli;
    this.usedMem[node] += memoryMiB;
    this.onNode[node].set(task, cpuMilli);
    this.reindexNode(node);
  }

  released(task: Task, node: number, memoryMiB: number): void {
    const cpu = this.onNode[node].get(task);
    if (cpu === undefined) return;
    this.onNode[node].delete(task);
    this.usedCpu[node] -= cpu;
    this.usedMem[node] -= memoryMiB;
    this.reindexNode(node);
  }

  /**
   * koordlet's CPU suppression: each node's batch pods get capacity × suppress% − online usage (at least
   * 2 cores) between them; `setRate` is called for the pods of nodes whose rate moved by more than 1%.
   * Returns the batch CPU in use, millicores.
   */
  suppress(onlineCpu: Float64Array, setRate: (task: Task, rate: number) => void): number {
    let inUse = 0;
    let asked = 0;
    for (let n = 0; n < this.onNode.length; n++) {
      const demand = this.usedCpu[n];
      if (demand <= 0) continue;
      const allowed = Math.max(SUPPRESS_FLOOR_MILLI, (this.capCpu[n] * this.o.cpuSuppressPercent) / 100 - onlineCpu[n]);
      const rate = Math.min(1, allowed / demand);
      if (Math.abs(rate - this.rate[n]) > 0.01 * this.rate[n]) {
        this.rate[n] = rate;
        for (const t of this.onNode[n].keys()) setRate(t, rate);
      }
      // What the pods run at: the rate last set (moved only by more than 1%).
      inUse += this.rate[n] * demand;
      asked += demand;
    }
    this.asked = asked;
    return inUse;
  }

  /** Batch pods' CPU requests at the last suppression, millicores (what they would use unsuppressed). */
  asked = 0;

  /** The rate a batch pod starting on `node` runs at now. */
  rateOn(node: number): number {
    return this.rate[node];
  }

  /** Batch CPU used on a node (its pods' requests at the node's rate), millicores. */
  usedOn(node: number): number {
    return this.usedCpu[node] * this.rate[node];
  }
}
