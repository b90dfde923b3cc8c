import type { GroupTotals } from "./cluster-types.js";

function zero(): GroupTotals {
  return {
    allocatedCpuMilli: 0,
    allocatedMemoryMiB: 0,
    allocatedGpuMilli: 0,
    cpuUtilisationSum: 0,
    pods: 0,
    capacityCpuMilli: 0,
    capacityMemoryMiB: 0,
    capacityGpuMilli: 0,
    nodesPresent: 0,
    nodesUp: 0,
    gpuMilliUp: 0,
    dpusUp: 0,
    dpuLoadSum: 0,
  };
}

/**
 * The totals of each node group and of the cluster, kept up to date by every change (what metrics
 * read). A virtual (serverless) node counts in its group's totals but not in the cluster's, whose
 * capacity and allocation are the cluster's own machines. No allocation per call: a hot path.
 */
export class GroupBook {
  readonly groups: GroupTotals[];
  readonly cluster: GroupTotals = zero();

  constructor(groupCount: number) {
    this.groups = Array.from({ length: groupCount }, zero);
  }

  /**
   * Add (sign 1) or take away (-1) a node's capacity; `up` (1, 0 or -1) moves nodesUp likewise (and
   * dpusUp by the node's `dpus`, 0 or 1).
   */
  capacity(
    group: number,
    virtual: boolean,
    sign: number,
    up: number,
    cpu: number,
    mem: number,
    gpus: number,
    dpus: number,
  ): void {
    this.capacityOf(this.groups[group], sign, up, cpu, mem, gpus, dpus);
    if (!virtual) this.capacityOf(this.cluster, sign, up, cpu, mem, gpus, dpus);
  }

  private capacityOf(
    t: GroupTotals,
    sign: number,
    up: number,
    cpu: number,
    mem: number,
    gpus: number,
    dpus: number,
  ): void {
    t.capacityCpuMilli += sign * cpu;
    t.capacityMemoryMiB += sign * mem;
    t.capacityGpuMilli += sign * 1000 * gpus;
    t.nodesPresent += sign;
    t.nodesUp += up;
    t.gpuMilliUp += up * 1000 * gpus;
    t.dpusUp += up * dpus;
  }

  /** A node's DPU load changed by `delta` (its pods' traffic ÷ its line rate). */
  dpuLoadChanged(group: number, virtual: boolean, delta: number): void {
    this.groups[group].dpuLoadSum += delta;
    if (!virtual) this.cluster.dpuLoadSum += delta;
  }

  /** Book (or, negative, unbook) a placement's resources; `util` is its CPU ÷ the node's allocatable. */
  allocate(group: number, virtual: boolean, util: number, cpu: number, mem: number, gpuMilli: number, pods: number) {
    const g = this.groups[group];
    g.cpuUtilisationSum += util;
    g.allocatedCpuMilli += cpu;
    g.allocatedMemoryMiB += mem;
    g.allocatedGpuMilli += gpuMilli;
    g.pods += pods;
    if (virtual) return;
    const c = this.cluster;
    c.cpuUtilisationSum += util;
    c.allocatedCpuMilli += cpu;
    c.allocatedMemoryMiB += mem;
    c.allocatedGpuMilli += gpuMilli;
    c.pods += pods;
  }

  /** A present node went up (delta 1) or down (-1), with its GPUs' thousandths and its DPUs (delta × 0 or 1). */
  upChanged(group: number, virtual: boolean, delta: number, gpuMilli: number, dpus: number): void {
    const g = this.groups[group];
    g.nodesUp += delta;
    g.gpuMilliUp += gpuMilli;
    g.dpusUp += dpus;
    if (virtual) return;
    this.cluster.nodesUp += delta;
    this.cluster.gpuMilliUp += gpuMilli;
    this.cluster.dpusUp += dpus;
  }
}
