/**
 * The least free CPU and the least free memory in each block of BLOCK consecutive nodes, a node that
 * takes no pod now (down, or at its pod limit) or has taints counting as having none. A request for
 * CPU and memory alone that is within both minima fits every node of the block, so the fit search
 * (./fit-search.ts) takes such a block whole instead of testing its nodes one by one: on a busy
 * cluster of similar nodes, where most nodes fit most pods, this is most of Kubernetes' filter walk.
 * Taints are fixed with the cluster. A node's change is told by `update`: a value at or below its
 * block's minimum becomes the minimum; only when the node held the minimum and now has more is the
 * block read again (a placement only lowers a node's free resources; a release may raise the minimum).
 */
export const BLOCK = 32;
const SHIFT = 5; // log2(BLOCK)

/** What the blocks read of the cluster. */
export interface BlockedNodes {
  readonly nodeCount: number;
  readonly freeCpu: Float64Array;
  readonly freeMem: Float64Array;
  /** 1 where a node takes another pod. */
  readonly open: Uint8Array;
  /** 1 where a node has taints. */
  readonly tainted: Uint8Array;
}

export class FittingBlocks {
  /** Per whole block: its least free CPU and memory (-Infinity when a node takes no pod or has taints). */
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  /** Each node's free CPU and memory as the blocks last saw them (-Infinity likewise). */
  private readonly nodeCpu: Float64Array;
  private readonly nodeMem: Float64Array;

  constructor(private readonly c: BlockedNodes) {
    // Only whole blocks: the nodes after the last one are walked one by one.
    const blocks = Math.floor(c.nodeCount / BLOCK);
    this.cpu = new Float64Array(blocks);
    this.mem = new Float64Array(blocks);
    this.nodeCpu = new Float64Array(blocks * BLOCK);
    this.nodeMem = new Float64Array(blocks * BLOCK);
    for (let b = 0; b < blocks; b++) this.read(b);
  }

  /** A node's free CPU or memory changed, or whether it takes pods. */
  update(node: number): void {
    const b = node >> SHIFT;
    if (b >= this.cpu.length) return;
    const { freeCpu, freeMem, open, tainted } = this.c;
    const takes = open[node] === 1 && tainted[node] === 0;
    const cpu = takes ? freeCpu[node] : -Infinity;
    const mem = takes ? freeMem[node] : -Infinity;
    const wasCpu = this.nodeCpu[node];
    const wasMem = this.nodeMem[node];
    this.nodeCpu[node] = cpu;
    this.nodeMem[node] = mem;
    if ((cpu > wasCpu && wasCpu === this.cpu[b]) || (mem > wasMem && wasMem === this.mem[b])) this.read(b);
    else {
      if (cpu < this.cpu[b]) this.cpu[b] = cpu;
      if (mem < this.mem[b]) this.mem[b] = mem;
    }
  }

  /** The block that starts at `node`, if `node` starts a whole block; otherwise -1. */
  static startingAt(node: number, blocks: number): number {
    return (node & (BLOCK - 1)) === 0 && node >> SHIFT < blocks ? node >> SHIFT : -1;
  }

  private read(b: number): void {
    const { freeCpu, freeMem, open, tainted } = this.c;
    let cpu = Infinity;
    let mem = Infinity;
    for (let k = b << SHIFT, end = k + BLOCK; k < end; k++) {
      const takes = open[k] === 1 && tainted[k] === 0;
      this.nodeCpu[k] = takes ? freeCpu[k] : -Infinity;
      this.nodeMem[k] = takes ? freeMem[k] : -Infinity;
      if (this.nodeCpu[k] < cpu) cpu = this.nodeCpu[k];
      if (this.nodeMem[k] < mem) mem = this.nodeMem[k];
    }
    this.cpu[b] = cpu;
    this.mem[b] = mem;
  }
}
