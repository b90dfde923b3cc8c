import { BatchTier, type RunListener } from "@clustersim/engine";
import type { ClusterState } from "@clustersim/hardware-models";
import type { Task } from "@clustersim/workloads";

/**
 * A conserved quantity checked across a whole run: at every sample and at the end, the CPU the
 * cluster has booked on its own (non-virtual) nodes equals what the run's events say is running there
 * (each started task's CPU request, batch-tier pods aside: they hold no allocatable) plus the host CPU
 * the nodes spend on network virtualisation. Whatever places or releases without telling the run, or
 * tells it without doing so, breaks it. `failures` lists each mismatch.
 */
export class CpuLedger implements RunListener {
  private readonly running = new Map<Task, number[]>();
  readonly failures: string[] = [];
  checks = 0;

  constructor(private readonly cluster: ClusterState) {}

  start(t: Task, nodes: readonly number[]): void {
    this.running.set(t, [...nodes]);
  }
  finish(t: Task): void {
    this.running.delete(t);
  }
  kill(t: Task): void {
    this.running.delete(t);
  }
  preempt(t: Task): void {
    this.running.delete(t);
  }
  remove(t: Task): void {
    this.running.delete(t);
  }
  sample(nowS: number): void {
    this.check(nowS);
  }
  end(nowS: number): void {
    this.check(nowS);
  }

  private check(nowS: number): void {
    this.checks++;
    const c = this.cluster;
    let expected = 0;
    for (const [t, nodes] of this.running) {
      if (BatchTier.isBatch(t)) continue;
      for (const n of nodes) if (!c.isVirtual(n)) expected += t.cpuMilli / nodes.length;
    }
    for (let n = 0; n < c.nodeCount; n++) if (!c.isVirtual(n)) expected += c.infraCpuMilli(n);
    const booked = c.totals(-1).allocatedCpuMilli;
    if (Math.abs(booked - expected) > 1e-6 * Math.max(1, booked)) {
      this.failures.push(`at ${nowS} s: the cluster books ${booked} m, the run's events say ${expected} m`);
    }
  }
}
