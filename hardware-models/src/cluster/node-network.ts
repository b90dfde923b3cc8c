import { dpuLoad, hostInfraCores } from "../dpu.js";
import type { NodeSpec } from "./cluster-types.js";

/**
 * Each node's network as placements use it: NIC bandwidth (unlimited when a spec gives none), SR-IOV
 * virtual functions for direct-NIC pods (the DPU's by default), and the host CPU that virtio traffic
 * costs without a DPU (../dpu.ts: one emulation thread per microVM, so a node's cost is the sum over
 * its pods; none with a DPU). With a DPU, its load: the node's traffic over the DPU's line rate.
 */
export class NodeNetwork {
  private readonly nicCap: Float64Array;
  private readonly nicUsed: Float64Array;
  private readonly vfCap: Int32Array;
  private readonly vfUsed: Int32Array;
  private readonly dpuOf: Uint8Array;
  /** Line rate of each node's DPU, Gbps (0 without one). */
  private readonly dpuGbps: Float64Array;
  /** Host CPU each node spends on network virtualisation (the sum of its pods' virtio costs). */
  readonly infra: Float64Array;

  constructor(nodes: readonly NodeSpec[]) {
    const n = nodes.length;
    this.nicCap = Float64Array.from(nodes, (s) => s.nicGbps ?? Infinity);
    this.nicUsed = new Float64Array(n);
    this.vfCap = Int32Array.from(nodes, (s) => s.vfs ?? s.dpu?.vfs ?? 0);
    this.vfUsed = new Int32Array(n);
    this.dpuOf = Uint8Array.from(nodes, (s) => (s.dpu ? 1 : 0));
    this.dpuGbps = Float64Array.from(nodes, (s) => s.dpu?.gbps ?? 0);
    this.infra = new Float64Array(n);
  }

  hasDpu(node: number): boolean {
    return this.dpuOf[node] === 1;
  }
  freeNicGbps(node: number): number {
    return this.nicCap[node] - this.nicUsed[node];
  }
  freeVfs(node: number): number {
    return this.vfCap[node] - this.vfUsed[node];
  }

  /** Infrastructure CPU (millicores) a pod with `gbps` of traffic costs on the node. */
  podInfra(node: number, gbps: number): number {
    // Whole millicores, as every other CPU quantity: free CPU stays exact under any add and release.
    return Math.ceil(hostInfraCores(this.dpuOf[node] === 1, gbps) * 1000);
  }

  /** Whether the node has the bandwidth, and the virtual function asked for (CPU is the caller's). */
  fits(node: number, gbps: number, directNic: boolean | undefined): boolean {
    if (gbps > 0 && this.nicUsed[node] + gbps > this.nicCap[node]) return false;
    return !directNic || this.vfUsed[node] < this.vfCap[node];
  }

  /** The load of the node's DPU: its pods' traffic over the DPU's line rate, at most 1 (0 without a DPU). */
  dpuLoad(node: number): number {
    return dpuLoad(this.nicUsed[node], this.dpuGbps[node]);
  }

  /**
   * Take (sign 1) or give back (-1) bandwidth, a virtual function (vf 1) and the host CPU it costs.
   * Returns how much the node's DPU load changed (0 without a DPU or traffic).
   */
  book(node: number, sign: 1 | -1, gbps: number, vf: number, infraMilli: number): number {
    const before = gbps > 0 && this.dpuOf[node] === 1 ? this.dpuLoad(node) : 0;
    this.nicUsed[node] = sign > 0 ? this.nicUsed[node] + gbps : Math.max(0, this.nicUsed[node] - gbps);
    this.vfUsed[node] += sign * vf;
    this.infra[node] += sign * infraMilli;
    return gbps > 0 && this.dpuOf[node] === 1 ? this.dpuLoad(node) - before : 0;
  }
}
