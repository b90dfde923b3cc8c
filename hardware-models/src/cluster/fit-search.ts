import type { Request } from "./cluster-types.js";
import { FitIndex } from "./fit-index.js";
import { BLOCK, FittingBlocks } from "./fitting-blocks.js";
import { GPU_WHOLE } from "./gpu-slots.js";
import { NodeOrderIndex } from "./node-order-index.js";

/** collectFitting walks node by node and turns to the index after this many non-fitting nodes in a row. */
const SKIP_AFTER_MISSES = 4;

/** Why a walk of collectFitting stopped short of `want` and the end of its run. */
const Stop = {
  /** SKIP_AFTER_MISSES nodes in a row did not fit: on through the index. */
  Missed: 0,
  /** A node with taints has the CPU and memory: its tolerations are checked. */
  Tainted: 1,
} as const;
type Stop = (typeof Stop)[keyof typeof Stop];

/** The memory a fitting node has free at least: the local part, none if all of it may spill to a pool. */
export const leastLocalMemory = (r: Request) =>
  r.poolMiB !== undefined ? r.memoryMiB - r.poolMiB : r.spillToPool ? -Infinity : r.memoryMiB;

/** Of GPUs (as GpuSlots.slots takes them): the share one GPU must have free (-Infinity: not a share). */
function gpuShareAsked(r: Request): number {
  const milli = r.gpuMilli ?? GPU_WHOLE;
  return r.gpus === 1 && milli < GPU_WHOLE ? milli : -Infinity;
}

/** Or how many GPUs must be wholly free (-Infinity: none, or a share). */
function wholeGpusAsked(r: Request): number {
  const gpus = r.gpus ?? 0;
  return gpus > 0 && gpuShareAsked(r) === -Infinity ? gpus : -Infinity;
}

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
 * cluster whose GPUs are taken would otherwise test every node that has the CPU), taking whole blocks of
 * nodes that all fit at once (./fitting-blocks.ts). Each index is built
 * on its first use, so that a run pays only for the one it needs, and kept up to date by `reindex`.
 */
export class FitSearch {
  private fitIndex: FitIndex | null = null;
  private order: NodeOrderIndex | null = null;
  private blocks: FittingBlocks | null = null;
  /** Where collectFitting's walk stands: how many nodes it found, and why a walk stopped. */
  private readonly walk: { found: number; stop: Stop } = { found: 0, stop: Stop.Missed };

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
    this.blocks?.update(node);
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
    const order = this.orderIndex();
    // What every fitting node has at least.
    const cpu = r.cpuMilli;
    const mem = leastLocalMemory(r);
    const share = gpuShareAsked(r);
    const whole = wholeGpusAsked(r);
    // No node has that much free (the maxima): a walk would pass every node and find none. Under
    // overload the kube-scheduler queue retries every waiting pod on every pod's departure, and most of
    // them fit nowhere.
    if (!order.mayHold(cpu, mem, share, whole)) return [0, n];
    // A request for CPU and memory alone: the index's leaves are exact for those (and hold nothing for
    // down nodes or nodes at their pod limit), so only taints are left to check.
    const plain = !r.gpus && !r.nicGbps && !r.directNic && r.poolMiB === undefined && !r.spillToPool && !r.nodeSelector;
    const walk = this.walk;
    walk.found = 0;
    // Two runs, [start, n) then [0, start): node by node while nodes fit (whole blocks at a time where
    // they all do), through the index past a run of nodes that do not (a few misses in a row predict more).
    for (let lo = start, hi = n; ; lo = 0, hi = start) {
      let k = lo;
      while (k < hi) {
        k = plain ? this.walkPlain(k, hi, cpu, mem, want, out) : this.walkFull(k, hi, r, cpu, mem, want, out);
        if (walk.found === want) return [want, k >= start ? k - start + 1 : n - start + k + 1];
        if (k >= hi) break;
        if (walk.stop === Stop.Tainted) {
          // A node with taints that has the CPU and memory: the full check.
          if (c.admits(k, r)) {
            out[walk.found++] = k;
            if (walk.found === want) return [want, k >= start ? k - start + 1 : n - start + k + 1];
          }
          k++;
          continue;
        }
        k = order.next(k, cpu, mem, share, whole);
        if (k < 0) break;
      }
      if (hi === start) return [walk.found, n];
    }
  }

  /**
   * Whether some node that takes pods has at once `cpuMilli` and `memoryMiB` free: the order index's
   * maxima first (O(1)), then its search for the first node that has both.
   */
  roomFor(cpuMilli: number, memoryMiB: number): boolean {
    const order = this.orderIndex();
    return order.mayHold(cpuMilli, memoryMiB) && order.next(0, cpuMilli, memoryMiB) >= 0;
  }

  /** The order index, with the blocks beside it, built on first use. */
  private orderIndex(): NodeOrderIndex {
    if (this.order === null) {
      const c = this.c;
      this.order = new NodeOrderIndex(c.nodeCount);
      for (let i = 0; i < c.nodeCount; i++) {
        if (c.open[i] === 1) this.order.update(i, c.freeCpu[i], c.freeMem[i], c.gpuShareMax(i), c.gpuWholeFree(i));
      }
      this.blocks = new FittingBlocks(c);
    }
    return this.order;
  }

  /**
   * collectFitting's walk for a request of CPU and memory alone, from `k` until `want` are found (its
   * position returned), `hi` is reached, a node with taints fits the CPU and memory (its position,
   * `Stop.Tainted`), or SKIP_AFTER_MISSES nodes in a row miss (the position after them, `Stop.Missed`).
   */
  private walkPlain(k: number, hi: number, cpu: number, mem: number, want: number, out: Int32Array): number {
    const { freeCpu, freeMem, open, tainted } = this.c;
    const blocks = this.blocks!;
    const { cpu: blockCpu, mem: blockMem } = blocks;
    const nBlocks = blockCpu.length;
    const walk = this.walk;
    let found = walk.found;
    let misses = 0;
    walk.stop = Stop.Missed;
    while (k < hi) {
      const b = FittingBlocks.startingAt(k, nBlocks);
      if (b >= 0 && k + BLOCK <= hi && blockCpu[b] >= cpu && blockMem[b] >= mem) {
        // Every node of the block fits.
        misses = 0;
        const take = want - found < BLOCK ? want - found : BLOCK;
        for (let j = 0; j < take; j++) out[found++] = k + j;
        if (found === want) {
          k += take - 1;
          break;
        }
        k += BLOCK;
        continue;
      }
      if (open[k] === 1 && freeCpu[k] >= cpu && freeMem[k] >= mem) {
        if (tainted[k] !== 0) {
          walk.stop = Stop.Tainted;
          break;
        }
        misses = 0;
        out[found++] = k;
        if (found === want) break;
      } else if (++misses === SKIP_AFTER_MISSES) {
        k++;
        break;
      }
      k++;
    }
    walk.found = found;
    return k;
  }

  /** walkPlain's counterpart for any request: each node that has the CPU and memory is checked in full. */
  private walkFull(k: number, hi: number, r: Request, cpu: number, mem: number, want: number, out: Int32Array): number {
    const c = this.c;
    const { freeCpu, freeMem, open } = c;
    const walk = this.walk;
    let misses = 0;
    walk.stop = Stop.Missed;
    for (; k < hi; k++) {
      if (open[k] === 1 && freeCpu[k] >= cpu && freeMem[k] >= mem && c.fits(k, r)) {
        misses = 0;
        out[walk.found++] = k;
        if (walk.found === want) break;
      } else if (++misses === SKIP_AFTER_MISSES) {
        k++;
        break;
      }
    }
    return k;
  }
}
