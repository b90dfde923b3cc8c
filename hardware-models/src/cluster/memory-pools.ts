import type { Request } from "./cluster-types.js";

/**
 * The CXL memory pools nodes may belong to (../cxl-pool.ts): each pool's capacity and use, each node's
 * pool (-1: none), and pools out of service (failed), which nothing more spills into. A request's
 * `poolMiB` part of its memory is taken from its node's pool instead of local DRAM; the scheduler
 * decides the split (`splitMemory`), or with `spillToPool` what local DRAM cannot hold goes there.
 */
export class MemoryPools {
  /** Each node's pool, or -1. */
  readonly of: Int32Array;
  private readonly cap: Float64Array;
  private readonly used: Float64Array;
  private readonly down: Uint8Array;
  /** The sum of `used`, kept as bookings come and go (a run's metrics read it on every start and end). */
  private usedTotal = 0;

  constructor(nodeCount: number, capacitiesMiB: readonly number[]) {
    this.of = new Int32Array(nodeCount).fill(-1);
    this.cap = Float64Array.from(capacitiesMiB);
    this.used = new Float64Array(capacitiesMiB.length);
    this.down = new Uint8Array(capacitiesMiB.length);
  }

  get count(): number {
    return this.cap.length;
  }
  freeMiB(pool: number): number {
    return this.cap[pool] - this.used[pool];
  }
  usedMiB(pool: number): number {
    return this.used[pool];
  }
  /**
   * MiB in use over all pools: the sum of usedMiB, to rounding (exact where every booking is a whole
   * MiB; a spill share is a request less its node's free DRAM, fractional with overcommitted or decimal
   * memory, where the two may differ by about 1e-10 MiB).
   */
  get totalUsedMiB(): number {
    return this.usedTotal;
  }
  setUp(pool: number, up: boolean): void {
    this.down[pool] = up ? 0 : 1;
  }
  isUp(pool: number): boolean {
    return this.down[pool] !== 1;
  }

  /** The pool share a request takes on a node with `freeLocalMiB` of DRAM free. */
  share(node: number, r: Request, freeLocalMiB: number): number {
    if (r.poolMiB !== undefined) return r.poolMiB;
    if (!r.spillToPool || this.of[node] < 0 || this.down[this.of[node]] === 1) return 0;
    return Math.max(0, r.memoryMiB - Math.max(0, freeLocalMiB));
  }

  /** Whether the node's pool can take `pool` MiB of a request of `memoryMiB`. */
  fits(node: number, pool: number, memoryMiB: number): boolean {
    const p = this.of[node];
    return !(p < 0 || this.down[p] === 1 || this.used[p] + pool > this.cap[p] || pool > memoryMiB);
  }

  /** Take (or, negative, give back) MiB of the node's pool. */
  book(node: number, mib: number): void {
    this.used[this.of[node]] += mib;
    this.usedTotal += mib;
  }
}
