/**
 * Finds, in node order, the next node that has at least some free CPU and free memory, skipping runs of
 * nodes that have not: the search behind Kubernetes-style filtering, which walks nodes from where the
 * last cycle stopped until enough fit. When a pod fits few nodes (a large pod on a busy cluster), a
 * linear walk touches all of them; this touches O(log n) tree entries per node it returns.
 *
 * A segment tree (1-based heap layout) over node indices keeps, per range, the most free CPU and the
 * most free memory of any node in it. Both maxima may come from different nodes, so a range that passes
 * may still hold no fitting node: the search then moves right from the dead end, never back. Leaves are
 * exact. Removed (down) nodes and the padding hold -Infinity. No allocation per operation.
 */
export class NodeOrderIndex {
  private readonly size: number;
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;

  constructor(readonly nodes: number) {
    let size = 1;
    while (size < nodes) size *= 2;
    this.size = size;
    this.cpu = new Float64Array(2 * size).fill(-Infinity);
    this.mem = new Float64Array(2 * size).fill(-Infinity);
  }

  /** Set a node's free CPU and free memory. */
  update(node: number, freeCpu: number, freeMem: number): void {
    let i = node + this.size;
    const cpu = this.cpu;
    const mem = this.mem;
    cpu[i] = freeCpu;
    mem[i] = freeMem;
    for (i >>= 1; i >= 1; i >>= 1) {
      const c = cpu[2 * i] > cpu[2 * i + 1] ? cpu[2 * i] : cpu[2 * i + 1];
      const m = mem[2 * i] > mem[2 * i + 1] ? mem[2 * i] : mem[2 * i + 1];
      if (c === cpu[i] && m === mem[i]) return;
      cpu[i] = c;
      mem[i] = m;
    }
  }

  /** Take a node out of every search (a down node). */
  remove(node: number): void {
    this.update(node, -Infinity, -Infinity);
  }

  /** The lowest node index ≥ `from` with free CPU ≥ `cpu` and free memory ≥ `mem`, or -1. */
  next(from: number, cpu: number, mem: number): number {
    if (from >= this.nodes) return -1;
    const c = this.cpu;
    const m = this.mem;
    const size = this.size;
    let i = from + size;
    for (;;) {
      if (c[i] >= cpu && m[i] >= mem) {
        if (i >= size) return i - size < this.nodes ? i - size : -1;
        i *= 2; // the left child first: lower node indices
        continue;
      }
      // Nothing here: on to the range just right of this one (climb while a right child).
      while ((i & 1) === 1) i >>= 1;
      if (i === 0) return -1;
      i++;
    }
  }
}
