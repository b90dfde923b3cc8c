import type { Request } from "./cluster-types.js";
import { FitIndex } from "./fit-index.js";
import { GPU_WHOLE } from "./gpu-slots.js";
import { NodeOrderIndex } from "./node-order-index.js";

/** collectFitting walks node by node and turns to the index after this many non-fitting nodes in a row. */
const SKIP_AFTER_MISSES = 4;

/** What the search reads of the cluster: its live arrays, and its full check for what the indexes do not know. */
export interface SearchedCluster {
  readonly nodeCount: number;
  /** The largest allocatable CPU of any node (the fit index's range). */
  readonly maxCpuMilli: number;
  readonly freeCpu: Float64Array;
  readonly freeMem: Float64Array;
  /** 1 where a node takes another pod: up and below its pod limit (what the indexes hold). */
  readonly open: Uint8Array;
  /** 1 where a node has taints. */
  readonly tainted: Uint8Array;
  fits(node: number, r: Request): boolean;
  admits(node: number, r: Request): boolean;
  /** The most thousandths free on one of a node's GPUs (-1 without GPUs), and how many are wholly free. */
  gpuShareMax(node: number): number;
  gpuWholeFree(node: number): number;
}

/**
 * Searches for nodes that fit a request: the best fit (least free CPU) through a segment tree over CPU
 * levels (./fit-index.ts), and the fitting nodes in node order from a start through a max tree over node
 * order (./node-order-index.ts) that skips runs of nodes without the CPU, memory or GPUs (a GPU pod on a
 * cluster whose GPUs are taken would otherwise test every node that has the CPU). Each index is built
 * on its first use, so that a run pays only for the one it needs, and kept up to date by `reindex`.
 */
export class FitSearch {
  private fitIndex: FitIndex | null = null;
  private order: NodeOrderIndex | null = null;

  constructor(private readonly c: SearchedCluster) {}

  /** Tell the indexes built so far about a node's free CPU and memory, or that it takes no more pods. */
  reindex(node: number): void {
    const c = this.c;
    if (c.open[node] === 1) {
      this.fitIndex?.update(node, c.freeCpu[node], c.freeMem[node]);
      this.order?.update(node, c.freeCpu[node], c.freeMem[node], c.gpuShareMax(node), c.gpuWholeFree(node));
    } else {
      this.fitIndex?.remove(node);
      this.order?.remove(node);
    }
  }

  /** The best-fit node (least free CPU that fits), or -1. Uses the index: O(log capacity). */
  bestFitNode(r: Request): number {
    const c = this.c;
    if (this.fitIndex === null) {
      this.fitIndex = new FitIndex(c.nodeCount, c.maxCpuMilli);
      for (let i = 0; i < c.nodeCount; i++) if (c.open[i] === 1) this.fitIndex.update(i, c.freeCpu[i], c.freeMem[i]);
    }
    const node = this.fitIndex.bestFit(r.cpuMilli, r.memoryMiB - (r.poolMiB ?? 0));
    if (node >= 0 && c.fits(node, r)) return node;
    // Memory that may spill into a pool is beyond the index's local-memory view: scan then too.
    if (node < 0 && !r.spillToPool) return -1;
    // The index knows CPU and memory only. When its candidate fails on GPUs, network, VFs or taints,
    // fall back to a scan for the node with the least free CPU that fits everything: O(nodes).
    let best = -1;
    for (let i = 0; i < c.nodeCount; i++) {
      if (c.fits(i, r) && (best < 0 || c.freeCpu[i] < c.freeCpu[best])) best = i;
    }
    return best;
  }

  /**
   * The nodes that fit `r`, in node order from `start` and wrapping around, until `want` are found:
   * written to `out`. Returns [found, scanned], `scanned` being how many nodes a linear walk would have
   * passed (Kubernetes' processed-node count, where its next search starts).
   */
  collectFitting(r: Request, start: number, want: number, out: Int32Array): [number, number] {
    const c = this.c;
    const n = c.nodeCount;
    if (n === 0 || want <= 0) return [0, 0];
    if (this.order === null) {
      this.order = new NodeOrderIndex(n);
      for (let i = 0; i < n; i++) {
        if (c.open[i] === 1) this.order.update(i, c.freeCpu[i], c.freeMem[i], c.gpuShareMax(i), c.gpuWholeFree(i));
      }
    }
    // What every fitting node has at least: the CPU, and the local memory unless the rest may spill.
    const cpu = r.cpuMilli;
    const mem = r.poolMiB !== undefined ? r.memoryMiB - r.poolMiB : r.spillToPool ? -Infinity : r.memoryMiB;
    // And of GPUs (as GpuSlots.slots takes them): one GPU with the share free, or enough wholly free.
    const gpus = r.gpus ?? 0;
    const milli = r.gpuMilli ?? GPU_WHOLE;
    const share = gpus === 1 && milli < GPU_WHOLE ? milli : -Infinity;
    const whole = gpus > 0 && share === -Infinity ? gpus : -Infinity;
    // A request for CPU and memory alone: the index's leaves are exact for those (and hold nothing for
    // down nodes or nodes at their pod limit), so only taints are left to check.
    const plain = !r.gpus && !r.nicGbps && !r.directNic && r.poolMiB === undefined && !r.spillToPool && !r.nodeSelector;
    let found = 0;
    const { freeCpu, freeMem, open, tainted } = c;
    const order = this.order;
    // Two runs, [start, n) then [0, start): node by node while nodes fit, through the index past a run
    // of nodes that do not (a few misses in a row predict more).
    for (let lo = start, hi = n; ; lo = 0, hi = start) {
      let misses = 0;
      for (let k = lo; k < hi; ) {
        if (misses === SKIP_AFTER_MISSES) {
          misses = 0;
          k = order.next(k, cpu, mem, share, whole);
          if (k < 0 || k >= hi) break;
        }
        if (
          open[k] === 1 &&
          freeCpu[k] >= cpu &&
          freeMem[k] >= mem &&
          ((plain && tainted[k] === 0) || this.fitsBeyond(k, r, plain))
        ) {
          misses = 0;
          out[found++] = k;
          if (found === want) return [found, k >= start ? k - start + 1 : n - start + k + 1];
        } else misses++;
        k++;
      }
      if (hi === start) return [found, n];
    }
  }

  /** collectFitting's check once CPU and memory are known to suffice; out of line to keep its loop small. */
  private fitsBeyond(node: number, r: Request, plain: boolean): boolean {
    return plain ? this.c.admits(node, r) : this.c.fits(node, r);
  }
}
