/**
 * Finds, in node order, the next node that has at least some free CPU, free memory and free GPU, skipping
 * runs of nodes that have not: the search behind Kubernetes-style filtering, which walks nodes from where the
 * last cycle stopped until enough fit. When a pod fits few nodes (a large pod on a busy cluster), a
 * linear walk touches all of them; this touches O(log n) tree entries per node it returns.
 *
 * A segment tree (1-based heap layout) over node indices keeps, per range, the most free CPU, the most
 * free memory, the most free thousandths on any one GPU, and the most wholly free GPUs of any node in
 * it. The maxima may come from different nodes, so a range that passes may still hold no fitting node:
 * the search then moves right from the dead end, never back. Leaves are exact for CPU and memory; for
 * GPUs they are necessary conditions (a GPU model asked for is left to the caller's full check). Removed
 * (down) nodes and the padding hold -Infinity. No allocation per operation.
 */
export class NodeOrderIndex {
  private readonly size: number;
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  private readonly gpuShare: Float64Array;
  private readonly gpuWhole: Float64Array;

  constructor(readonly nodes: number) {
    let size = 1;
    while (size < nodes) size *= 2;
    this.size = size;
    this.cpu = new Float64Array(2 * size).fill(-Infinity);
    this.mem = new Float64Array(2 * size).fill(-Infinity);
    this.gpuShare = new Float64Array(2 * size).fill(-Infinity);
    this.gpuWhole = new Float64Array(2 * size).fill(-Infinity);
  }

  /**
   * Set a node's free CPU and free memory, and of its GPUs the most thousandths free on one (-1 for a
   * node without GPUs) and how many are wholly free.
   */
  update(node: number, freeCpu: number, freeMem: number, gpuShareMax = -1, gpuWholeFree = 0): void {
    let i = node + this.size;
    const { cpu, mem, gpuShare, gpuWhole } = this;
    cpu[i] = freeCpu;
    mem[i] = freeMem;
    gpuShare[i] = gpuShareMax;
    gpuWhole[i] = gpuWholeFree;
    for (i >>= 1; i >= 1; i >>= 1) {
      const l = 2 * i;
      const r = l + 1;
      const c = cpu[l] > cpu[r] ? cpu[l] : cpu[r];
      const m = mem[l] > mem[r] ? mem[l] : mem[r];
      const s = gpuShare[l] > gpuShare[r] ? gpuShare[l] : gpuShare[r];
      const w = gpuWhole[l] > gpuWhole[r] ? gpuWhole[l] : gpuWhole[r];
      if (c === cpu[i] && m === mem[i] && s === gpuShare[i] && w === gpuWhole[i]) return;
      cpu[i] = c;
      mem[i] = m;
      gpuShare[i] = s;
      gpuWhole[i] = w;
    }
  }

  /**
   * Whether some node may hold the request: every maximum at least what it asks (-Infinity asks
   * nothing). False means no node fits; true, only that no maximum rules it out. O(1).
   */
  mayHold(cpu: number, mem: number, share = -Infinity, whole = -Infinity): boolean {
    return this.cpu[1] >= cpu && this.mem[1] >= mem && this.gpuShare[1] >= share && this.gpuWhole[1] >= whole;
  }

  /** Take a node out of every search (a down node). */
  remove(node: number): void {
    this.update(node, -Infinity, -Infinity, -Infinity, -Infinity);
  }

  /**
   * The lowest node index ≥ `from` with free CPU ≥ `cpu`, free memory ≥ `mem`, a GPU with ≥ `share`
   * thousandths free and ≥ `whole` wholly free GPUs, or -1 (-Infinity asks nothing of a resource).
   */
  next(from: number, cpu: number, mem: number, share = -Infinity, whole = -Infinity): number {
    if (from >= this.nodes) return -1;
    const c = this.cpu;
    const m = this.mem;
    const s = this.gpuShare;
    const w = this.gpuWhole;
    const size = this.size;
    let i = from + size;
    for (;;) {
      if (c[i] >= cpu && m[i] >= mem && s[i] >= share && w[i] >= whole) {
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
