import { Heap } from "../queues/heap.js";

/**
 * Each node's free batch room (batch CPU and memory not yet taken) in a tournament tree, so that the
 * node with the most free CPU that passes a filter is found without a scan of every node.
 *
 * Why: the batch tier places every batch pod on the node with the most batch CPU free (./batch-tier.ts).
 * A scan costs O(nodes) per try; at 10,000 nodes and ten batch pods a second the scan and what it
 * inlined took about 70% of a co-located hour (examples/double11/double11-full.yaml, profiled). Here a try is a best-first descent:
 * each subtree is bounded by (its largest free CPU, its first node), which no node in it can beat in
 * the scan's order (most free CPU, then the lowest node), so the first node popped that passes is the
 * scan's answer. Subtrees whose largest free CPU or memory is below the request are never opened.
 */
export class BatchRoomIndex {
  /** Leaves: the smallest power of two holding every node. */
  private readonly size: number;
  private readonly depth: number;
  /** Per tree position (root 1, children 2i and 2i + 1): the largest free CPU and memory below it. */
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  /** The search's frontier: tree positions, the best bound first (reused). */
  private readonly frontier = new Heap<number>((a, b) => this.before(a, b));

  constructor(readonly nodeCount: number) {
    let size = 1;
    let depth = 0;
    while (size < nodeCount) {
      size *= 2;
      depth++;
    }
    this.size = size;
    this.depth = depth;
    this.cpu = new Float64Array(2 * size).fill(Number.NEGATIVE_INFINITY);
    this.mem = new Float64Array(2 * size).fill(Number.NEGATIVE_INFINITY);
  }

  /**
   * A node's free room; −∞ keeps a node out of every search (a virtual node). A NaN is kept as the
   * scan treats it: a NaN CPU never wins (−∞), a NaN memory never refuses (+∞).
   */
  set(node: number, freeCpu: number, freeMem: number): void {
    let i = this.size + node;
    this.cpu[i] = Number.isNaN(freeCpu) ? Number.NEGATIVE_INFINITY : freeCpu;
    this.mem[i] = Number.isNaN(freeMem) ? Number.POSITIVE_INFINITY : freeMem;
    for (i >>= 1; i >= 1; i >>= 1) this.pull(i);
  }

  /** Every node's free room at once (leaves written, then the tree rebuilt bottom-up in O(nodes)). */
  setAll(freeCpu: (node: number) => number, freeMem: (node: number) => number): void {
    for (let n = 0; n < this.nodeCount; n++) {
      const c = freeCpu(n);
      const m = freeMem(n);
      this.cpu[this.size + n] = Number.isNaN(c) ? Number.NEGATIVE_INFINITY : c;
      this.mem[this.size + n] = Number.isNaN(m) ? Number.POSITIVE_INFINITY : m;
    }
    for (let i = this.size - 1; i >= 1; i--) this.pull(i);
  }

  private pull(i: number): void {
    const l = 2 * i;
    this.cpu[i] = Math.max(this.cpu[l], this.cpu[l + 1]);
    this.mem[i] = Math.max(this.mem[l], this.mem[l + 1]);
  }

  /**
   * The node with the most free CPU (the lowest such node on ties) holding `cpuNeed` and `memNeed`
   * that `accept` admits, or −1: what a scan of nodes 0, 1, … keeping the first strict maximum finds.
   */
  best(cpuNeed: number, memNeed: number, accept: (node: number) => boolean): number {
    const frontier = this.frontier;
    frontier.clear();
    this.open(1, cpuNeed, memNeed, frontier);
    for (let top = frontier.pop(); top !== undefined; top = frontier.pop()) {
      if (top >= this.size) {
        if (accept(top - this.size)) return top - this.size;
      } else {
        this.open(2 * top, cpuNeed, memNeed, frontier);
        this.open(2 * top + 1, cpuNeed, memNeed, frontier);
      }
    }
    return -1;
  }

  /** Tree position i onto the frontier, unless nothing below it holds the request. */
  private open(i: number, cpuNeed: number, memNeed: number, frontier: Heap<number>): void {
    if (!(this.cpu[i] < cpuNeed || this.mem[i] < memNeed)) frontier.push(i);
  }

  /** Whether tree position a's bound comes before b's: more free CPU, then the lower first node. */
  private before(a: number, b: number): boolean {
    const ca = this.cpu[a];
    const cb = this.cpu[b];
    if (ca !== cb) return ca > cb;
    return this.firstNode(a) < this.firstNode(b);
  }

  /** The first node under tree position i. */
  private firstNode(i: number): number {
    return (i << (this.depth - (31 - Math.clz32(i)))) - this.size;
  }
}
