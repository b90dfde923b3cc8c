import type { ReplicaSet } from "./replica-set.js";

/**
 * A service's ready replicas' nodes as one typed array, in the order the set holds them, remade only
 * when its ready replicas change (`readyVersion`). The interference slowdown is averaged over them every
 * tick; walking the set's maps instead (an iterator and a lookup per replica) took 19% of the full-scale
 * Double-11 day in a profile. The order is the set's, so sums over it are those over the set.
 */
export class ReadyNodes {
  /** The nodes, the first `update`'s count of them. */
  nodes = new Int32Array(16);
  private count = 0;
  private version = -1;

  /** Bring `nodes` up to `set`'s ready replicas; returns how many there are. */
  update(set: ReplicaSet): number {
    if (this.version !== set.readyVersion) {
      const n = set.ready.size;
      if (n > this.nodes.length) this.nodes = new Int32Array(Math.max(n, 2 * this.nodes.length));
      let k = 0;
      for (const t of set.ready.keys()) this.nodes[k++] = set.nodeOf.get(t)!;
      this.count = n;
      this.version = set.readyVersion;
    }
    return this.count;
  }
}
