import type { ClusterState } from "@clustersim/hardware-models";
import { clusterFragmentation, type TypicalPod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";

/**
 * GPU allocation and fragmentation as arrived GPU demand passes given shares of the cluster's GPUs
 * (the FGD paper's measure, Weng et al., ATC'23: a policy is judged by the allocation it reaches at,
 * say, 130% arrived load). A checkpoint is taken once the task whose arrival passes it has been tried
 * (started, queued or rejected), as the artifact measures after each placement. Fragmentation is the
 * expected GPU fragment over the workload's typical pods (schedulers' clusterFragmentation), as a share
 * of the cluster's GPUs; it is left out when no typical pods are given.
 */
export class GpuLoadCheckpoints implements RunListener {
  private arrivedMilli = 0;
  private next = 0;
  /** Tasks whose arrival passed a checkpoint, not tried yet (one entry per checkpoint, in order). */
  private readonly pending: Task[] = [];
  private crossed = 0;
  private readonly taken: { load: number; allocated: number; fragmentation: number }[] = [];

  constructor(
    private readonly cluster: ClusterState,
    private readonly loads: readonly number[],
    private readonly typical?: readonly TypicalPod[],
  ) {
    this.loads = [...loads].sort((a, b) => a - b);
  }

  arrive(t: Task): void {
    this.arrivedMilli += t.gpus * (t.gpuMilli > 0 ? t.gpuMilli : 1000);
    const capacity = this.cluster.totals(-1).capacityGpuMilli;
    while (
      this.crossed < this.loads.length &&
      capacity > 0 &&
      this.arrivedMilli >= this.loads[this.crossed] * capacity
    ) {
      this.crossed++;
      this.pending.push(t);
    }
  }
  start(t: Task): void {
    this.tried(t);
  }
  queue(t: Task): void {
    this.tried(t);
  }
  reject(t: Task): void {
    this.tried(t);
  }

  /** The checkpoints `t` passed are taken once its placement has been tried. */
  private tried(t: Task): void {
    while (this.pending.length > 0 && this.pending[0] === t) {
      this.pending.shift();
      this.take();
    }
  }

  private take(): void {
    const totals = this.cluster.totals(-1);
    const capacity = totals.capacityGpuMilli;
    const load = this.loads[this.next++];
    if (!(capacity > 0)) return;
    const fragmentation = this.typical
      ? clusterFragmentation(this.cluster, this.typical).fragMilli / capacity
      : Number.NaN;
    this.taken.push({ load, allocated: totals.allocatedGpuMilli / capacity, fragmentation });
  }

  /** `gpuAllocatedFractionAtArrived130` and `gpuFragmentationFractionAtArrived130` for 1.3, and so on. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.taken) {
      const key = Math.round(c.load * 100);
      out[`gpuAllocatedFractionAtArrived${key}`] = c.allocated;
      if (!Number.isNaN(c.fragmentation)) out[`gpuFragmentationFractionAtArrived${key}`] = c.fragmentation;
    }
    return out;
  }
}
