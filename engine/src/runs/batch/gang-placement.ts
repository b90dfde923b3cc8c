import type { ClusterState } from "@clustersim/hardware-models";
import type { PlacementStrategy, Pod } from "@clustersim/schedulers";
import type { Gang, Job } from "./batch-jobs.js";

/**
 * A job's gang on the cluster: every one of its `procs` tasks placed by the strategy, or none; taken
 * off again; and the counts that let the loop skip a try that must fail.
 */
export class GangPlacement {
  /** Tasks of a shape ("cpu/mem") the free room holds, for `mayFit`: cleared whenever the room changes. */
  private readonly roomNow = new Map<string, number>();
  /** Tasks of a shape an empty cluster holds (by shape key): a gang needs `procs` of them. */
  private readonly emptyHolds = new Map<string, number>();

  constructor(
    readonly strategy: PlacementStrategy,
    private readonly cluster: ClusterState,
  ) {}

  /** The room changed (a pass begins, a job started): the counts `mayFit` keeps are stale. */
  roomChanged(): void {
    this.roomNow.clear();
  }

  /** Place every task of the job, or none; the gang, or null. */
  place(job: Job): Gang | null {
    const { cluster, strategy } = this;
    const pod = job.pod;
    const gang: Gang = { ids: [], nodes: [] };
    for (let i = 0; i < job.procs; i++) {
      const d = strategy.decide(cluster, pod);
      if (!d) {
        this.unwind(gang, pod);
        return null;
      }
      gang.ids.push(cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex }));
      gang.nodes.push(d.node);
      strategy.bound?.(cluster, pod, d);
    }
    return gang;
  }

  /**
   * `place`, unless the strategy's calls have no effects and the gang surely cannot be placed: then
   * skipping the try changes nothing but the time (on a large machine a failing gang's try costs up to
   * procs × nodes fit checks).
   */
  tryPlace(job: Job): Gang | null {
    return this.strategy.withoutEffects && !this.mayFit(job) ? null : this.place(job);
  }

  /**
   * Take every task of a gang off its node, first placed first. (The order is part of the decisions that
   * follow: best fit's index breaks ties by the node touched last.)
   */
  release(gang: Gang, pod: Pod): void {
    for (let i = 0; i < gang.ids.length; i++) {
      this.cluster.release(gang.ids[i]);
      this.strategy.released?.(this.cluster, pod, gang.nodes[i]);
    }
  }

  /** Undo a gang placed in part, last placed first. */
  private unwind(gang: Gang, pod: Pod): void {
    for (let k = gang.ids.length - 1; k >= 0; k--) {
      this.cluster.release(gang.ids[k]);
      this.strategy.released?.(this.cluster, pod, gang.nodes[k]);
    }
  }

  /** Put a released gang back on its own nodes and GPUs (`gpuShares`: each task's GPU, or -1). */
  restore(gang: Gang, pod: Pod, gpuShares: readonly number[]): void {
    for (let i = 0; i < gang.ids.length; i++) {
      const gpu = gpuShares[i];
      gang.ids[i] = this.cluster.place(gang.nodes[i], gpu >= 0 ? { ...pod, gpuIndex: gpu } : pod);
      this.strategy.bound?.(this.cluster, pod, { node: gang.nodes[i] });
    }
  }

  /** Tasks of this shape an empty cluster holds, counting every node a group may add. */
  emptyClusterHolds(pod: Pod): number {
    const key = `${pod.cpuMilli}/${pod.memoryMiB}/${pod.gpus ?? 0}/${pod.gpuMilli ?? 0}`;
    let n = this.emptyHolds.get(key);
    if (n === undefined) {
      const c = this.cluster;
      const { allocatableCpuMilli, allocatableMemoryMiB } = c.resources;
      n = 0;
      for (let node = 0; node < c.nodeCount; node++) {
        let k = tasksHeld(allocatableCpuMilli[node], allocatableMemoryMiB[node], pod.cpuMilli, pod.memoryMiB);
        const gpus = pod.gpus ?? 0;
        if (gpus > 0) {
          const perGpu = (pod.gpuMilli ?? 1000) < 1000 ? Math.floor(1000 / (pod.gpuMilli ?? 1000)) : 1;
          k = Math.min(k, gpus === 1 ? c.gpuCount(node) * perGpu : Math.floor(c.gpuCount(node) / gpus));
        }
        n += Number.isFinite(k) ? k : 1;
      }
      this.emptyHolds.set(key, n);
    }
    return n;
  }

  /**
   * False only when the job's gang surely cannot be placed now: it needs more CPU than is free in the
   * whole cluster, or more of its tasks than the nodes' free CPU and memory hold, node by node (an upper
   * bound: nothing else of a node is counted, and a node that takes no pods is counted too). Tasks that
   * may take memory from a CXL pool skip the count node by node (only the CPU check applies).
   */
  private mayFit(job: Job): boolean {
    if (job.need.cpuMilli > this.freeCpuAnywhere()) return false;
    const pod = job.pod;
    if (job.procs === 1 || pod.spillToPool || (pod.poolMiB ?? 0) > 0) return true;
    const key = `${pod.cpuMilli}/${pod.memoryMiB}`;
    let room = this.roomNow.get(key);
    if (room === undefined) {
      const { freeCpuMilli, freeMemoryMiB } = this.cluster.resources;
      room = 0;
      for (let node = 0; node < freeCpuMilli.length && room < Number.POSITIVE_INFINITY; node++)
        room += Math.max(0, tasksHeld(freeCpuMilli[node], freeMemoryMiB[node], pod.cpuMilli, pod.memoryMiB));
      this.roomNow.set(key, room);
    }
    return room >= job.procs;
  }

  /** Free CPU over every node group (virtual nodes too): no placement can take more, millicores. */
  private freeCpuAnywhere(): number {
    const c = this.cluster;
    let free = 0;
    for (let g = 0; g < c.groupCount; g++) {
      const t = c.totals(g);
      free += t.capacityCpuMilli - t.allocatedCpuMilli;
    }
    return free;
  }
}

/** Tasks of `cpu` millicores and `mem` MiB that `freeCpu` and `freeMem` hold (Infinity: a task of neither). */
function tasksHeld(freeCpu: number, freeMem: number, cpu: number, mem: number): number {
  return Math.min(
    cpu > 0 ? Math.floor(freeCpu / cpu) : Number.POSITIVE_INFINITY,
    mem > 0 ? Math.floor(freeMem / mem) : Number.POSITIVE_INFINITY,
  );
}
