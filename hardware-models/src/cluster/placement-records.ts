/**
 * What each live placement holds, by id, in typed arrays grown by doubling, ids recycled: its node,
 * CPU, memory, the GPU slots taken (a bit mask over the node's GPUs for whole GPUs, or one GPU index
 * for a share and its thousandths), NIC bandwidth and the host CPU its virtio traffic costs, whether it
 * holds a NIC virtual function, and the memory it takes from a CXL pool. A free id has node -1.
 */
export class PlacementRecords {
  node = new Int32Array(1024);
  cpu = new Float64Array(1024);
  mem = new Float64Array(1024);
  gpuMask = new Float64Array(1024);
  gpuShare = new Int32Array(1024);
  shareMilli = new Int32Array(1024);
  nic = new Float64Array(1024);
  /** Host CPU (millicores) the placement's virtio traffic costs. */
  infra = new Float64Array(1024);
  vf = new Uint8Array(1024);
  pool = new Float64Array(1024);
  /** Placements currently applied. */
  live = 0;
  private readonly freeIds: number[] = [];
  private used = 0;

  /** An id for a new placement (a recycled one first). */
  newId(): number {
    this.live++;
    if (this.freeIds.length > 0) return this.freeIds.pop()!;
    if (this.used === this.node.length) this.grow(this.node.length * 2);
    return this.used++;
  }

  /** Ids handed out so far: every live id is below it. */
  get span(): number {
    return this.used;
  }

  /** Whether `id` is a live placement. */
  isLive(id: number): boolean {
    return id >= 0 && id < this.used && this.node[id] >= 0;
  }

  free(id: number): void {
    this.node[id] = -1;
    this.freeIds.push(id);
    this.live--;
  }

  private grow(cap: number): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T) => {
      b.set(a);
      return b;
    };
    this.node = grow(this.node, new Int32Array(cap));
    this.cpu = grow(this.cpu, new Float64Array(cap));
    this.mem = grow(this.mem, new Float64Array(cap));
    this.gpuMask = grow(this.gpuMask, new Float64Array(cap));
    this.gpuShare = grow(this.gpuShare, new Int32Array(cap));
    this.shareMilli = grow(this.shareMilli, new Int32Array(cap));
    this.nic = grow(this.nic, new Float64Array(cap));
    this.infra = grow(this.infra, new Float64Array(cap));
    this.pool = grow(this.pool, new Float64Array(cap));
    this.vf = grow(this.vf, new Uint8Array(cap));
  }
}
