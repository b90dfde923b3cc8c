import type { ClusterState } from "@clustersim/hardware-models";
import type { Pod } from "@clustersim/schedulers";

/**
 * The largest node, per resource, counting nodes a group may add later: a task above it in any one can
 * never start, and is rejected at arrival instead of waiting forever. Memory may spill into the node's
 * CXL pool (when the effects ask for it): counted too.
 */
export class LargestNode {
  private cpuMilli = 0;
  private memoryMiB = 0;
  private localMemoryMiB = 0;
  private gpus = 0;

  constructor(cluster: ClusterState) {
    for (let n = 0; n < cluster.nodeCount; n++) {
      const pool = cluster.poolOf(n);
      const local = cluster.allocatableMemoryMiB(n);
      this.cpuMilli = Math.max(this.cpuMilli, cluster.allocatableCpuMilli(n));
      this.memoryMiB = Math.max(this.memoryMiB, local + (pool >= 0 ? cluster.poolFreeMiB(pool) : 0));
      this.localMemoryMiB = Math.max(this.localMemoryMiB, local);
      this.gpus = Math.max(this.gpus, cluster.gpuCount(n));
    }
  }

  /** Whether the pod fits it: memory counts the pool only when the request may spill into it. */
  holds(pod: Pod): boolean {
    const maxMem = pod.spillToPool ? this.memoryMiB : this.localMemoryMiB;
    return pod.cpuMilli <= this.cpuMilli && pod.memoryMiB <= maxMem && (pod.gpus ?? 0) <= this.gpus;
  }
}
