/**
 * Finds the best-fit node for a (CPU, memory) request among thousands of nodes without scanning them:
 * the node with the least free CPU that still fits the CPU request and has the memory.
 *
 * Nodes are grouped by free CPU, one level per millicore. A segment tree over the levels keeps, per
 * range of levels, the most free memory of any node in it, so "the lowest level ≥ cpu holding a node
 * with ≥ mem free" is one O(log L) descent, L being the largest capacity in millicores. Within a level
 * nodes sit in a doubly linked list (typed arrays); the level's maximum memory is recomputed only when
 * the node leaving it held that maximum, and the scan stops at the first node that matches it, so
 * identical nodes cost O(1). Every update is O(log L) plus that rare rescan. No allocation per operation.
 */
const NIL = -1;

export class FitIndex {
  private readonly levels: number;
  private readonly size: number;
  /** Segment tree (1-based heap layout) of the max free memory per level range; -1 where empty. */
  private readonly tree: Float64Array;
  private readonly levelHead: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly nodeLevel: Int32Array;
  private readonly nodeMem: Float64Array;

  /**
   * @param nodes number of nodes
   * @param maxCpuMilli the largest free CPU any node can have (its capacity times overcommit)
   */
  constructor(nodes: number, maxCpuMilli: number) {
    this.levels = Math.floor(maxCpuMilli) + 1;
    let size = 1;
    while (size < this.levels) size *= 2;
    this.size = size;
    this.tree = new Float64Array(2 * size).fill(-1);
    this.levelHead = new Int32Array(this.levels).fill(NIL);
    this.next = new Int32Array(nodes).fill(NIL);
    this.prev = new Int32Array(nodes).fill(NIL);
    this.nodeLevel = new Int32Array(nodes).fill(NIL);
    this.nodeMem = new Float64Array(nodes);
  }

  /** Put a node in the index (or move it) with its current free CPU (millicores) and free memory. */
  update(node: number, freeCpuMilli: number, freeMem: number): void {
    const level = Math.min(this.levels - 1, Math.max(0, Math.floor(freeCpuMilli)));
    const old = this.nodeLevel[node];
    if (old === level) {
      const before = this.nodeMem[node];
      this.nodeMem[node] = freeMem;
      if (freeMem > before) this.raise(level, freeMem);
      else if (freeMem < before) this.refresh(level, before);
      return;
    }
    if (old !== NIL) this.unlink(node, old);
    this.nodeMem[node] = freeMem;
    this.nodeLevel[node] = level;
    const head = this.levelHead[level];
    this.next[node] = head;
    this.prev[node] = NIL;
    if (head !== NIL) this.prev[head] = node;
    this.levelHead[level] = node;
    this.raise(level, freeMem);
  }

  /** Take a node out (e.g. it failed). */
  remove(node: number): void {
    const old = this.nodeLevel[node];
    if (old === NIL) return;
    this.unlink(node, old);
    this.nodeLevel[node] = NIL;
  }

  /**
   * The node with the least free CPU that has at least `cpuMilli` free CPU and `mem` free memory,
   * or -1 when none has. Ties (same free CPU) go to the node indexed there most recently.
   */
  bestFit(cpuMilli: number, mem: number): number {
    const level = this.firstLevelAtLeast(Math.max(0, Math.ceil(cpuMilli)), mem);
    if (level < 0) return NIL;
    for (let n = this.levelHead[level]; n !== NIL; n = this.next[n]) if (this.nodeMem[n] >= mem) return n;
    return NIL; // unreachable while the tree is consistent
  }

  private unlink(node: number, level: number): void {
    const p = this.prev[node];
    const q = this.next[node];
    if (p !== NIL) this.next[p] = q;
    else this.levelHead[level] = q;
    if (q !== NIL) this.prev[q] = p;
    this.refresh(level, this.nodeMem[node]);
  }

  /** A node with `mem` joined `level` (or grew): raise the maxima on its path. */
  private raise(level: number, mem: number): void {
    let i = level + this.size;
    while (i >= 1 && this.tree[i] < mem) {
      this.tree[i] = mem;
      i >>= 1;
    }
  }

  /** A node holding `mem` left `level` (or shrank): recompute the level's maximum if it was the maximum. */
  private refresh(level: number, mem: number): void {
    const leaf = level + this.size;
    if (this.tree[leaf] > mem) return;
    let best = -1;
    for (let n = this.levelHead[level]; n !== NIL; n = this.next[n]) {
      const m = this.nodeMem[n];
      if (m > best) {
        best = m;
        if (best >= mem) break; // nothing can exceed the old maximum
      }
    }
    this.tree[leaf] = best;
    for (let i = leaf >> 1; i >= 1; i >>= 1) {
      const m = Math.max(this.tree[2 * i], this.tree[2 * i + 1]);
      if (this.tree[i] === m) break;
      this.tree[i] = m;
    }
  }

  /** Lowest level ≥ from whose max free memory is ≥ mem, or -1. */
  private firstLevelAtLeast(from: number, mem: number): number {
    if (from >= this.levels) return NIL;
    const t = this.tree;
    // Walk up from the leaf: at each step, if we are a left child, the right sibling covers levels
    // just above; the first sibling range with a large enough maximum holds the answer.
    let i = from + this.size;
    if (t[i] >= mem) return from;
    for (;;) {
      if ((i & 1) === 0 && t[i + 1] >= mem) {
        i = i + 1;
        break;
      }
      i >>= 1;
      if (i <= 1) return NIL;
    }
    // Descend to the leftmost leaf with a large enough maximum.
    while (i < this.size) i = t[2 * i] >= mem ? 2 * i : 2 * i + 1;
    return i - this.size;
  }
}
