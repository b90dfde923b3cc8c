import type { ClusterState } from "@clustersim/hardware-models";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import { Sample, TimeIntegral } from "../metrics/metrics.js";
import type { TaskLedger } from "./task-ledger.js";

/** What RunMetrics keeps per workload. */
class WorkloadTally {
  submitted = 0;
  completed = 0;
  bsldSum = 0;
  readonly waits = new Sample();
  readonly completions = new Sample();
}

/** Time integrals kept per node group (see RunMetrics.changed). */
const K = 13;

/**
 * Power and price of a node group: a node's watts idle and at full CPU allocation, a GPU's watts idle
 * and fully allocated (0 without GPUs), a DPU's watts idle and at full load (0 without DPUs; its load
 * is its traffic over its line rate: hardware-models dpu.ts), and money per node-hour (the node's DPU
 * included).
 */
export interface GroupEconomics {
  idleW: number;
  peakW: number;
  gpuIdleW?: number;
  gpuPeakW?: number;
  dpuIdleW?: number;
  dpuMaxW?: number;
  perNodeHour?: number;
}

/**
 * The headline metrics of a run, from its events and the cluster's totals (so every charge the
 * cluster books, such as host cores spent on network virtualisation, counts where it is booked).
 *
 * Waits count every task that arrived and could run: a task that started waited until it started; a
 * task still waiting at the end has waited at least until the end, and that lower bound is counted
 * (a censored wait), so a policy that leaves tasks waiting does not look better for it. The waits of
 * started tasks alone are reported beside them. Bounded slowdown likewise counts unfinished tasks with
 * their response time so far.
 */
export class RunMetrics implements RunListener {
  private readonly waits = new Sample();
  private readonly completions = new Sample();
  private bsldSum = 0;
  private completed = 0;
  private started = 0;
  private submitted = 0;
  private killed = 0;
  private preempted = 0;
  private removed = 0;
  private rejectedTooLarge = 0;
  private rejectedNoRun = 0;
  private readonly G: number;
  private readonly counted: boolean[];
  /**
   * Per group: allocated CPU, memory, GPU; capacity CPU, memory, GPU; nodes up; nodes present; Σ node CPU
   * utilisation by allocation; what usage differs from it by (setUsage), Σ over nodes; GPUs up; DPUs
   * up; Σ DPU load.
   */
  private readonly integrals: TimeIntegral[];
  private readonly pooled = new TimeIntegral();
  private readonly byWorkload = new Map<string, WorkloadTally>();
  /** Tasks killed or preempted that have not started again: their next start is no new wait. */
  private readonly restarted = new Set<Task>();
  private firstArrivalS = Number.NaN;
  private lastFinishS = Number.NaN;
  /** Highest allocated fraction of the present nodes' CPU, memory and GPUs at any time. */
  private peakCpu = 0;
  private peakMem = 0;
  private peakGpu = 0;
  private endS = 0;

  constructor(
    private readonly cluster: ClusterState,
    private readonly ledger: TaskLedger,
    private readonly economics?: readonly GroupEconomics[],
  ) {
    this.G = Math.max(1, cluster.groupCount);
    // A group of virtual (serverless) nodes is billed by what runs there, not as machines: it stays
    // out of the cluster's capacity, allocation, node-hours, energy and cost.
    this.counted = Array.from({ length: this.G }, () => false);
    for (let n = 0; n < cluster.nodeCount; n++) if (!cluster.isVirtual(n)) this.counted[cluster.groupOf(n)] = true;
    if (cluster.nodeCount === 0) this.counted.fill(true);
    this.integrals = Array.from({ length: this.G * K }, () => new TimeIntegral());
    this.changed(0);
  }

  /** The cluster changed at `nowS`: book the time integrals up to now and take the new levels. */
  private changed(nowS: number): void {
    const c = this.cluster;
    for (let g = 0; g < this.G; g++) {
      const t = c.totals(c.groupCount === 0 ? -1 : g);
      const k = g * K;
      const I = this.integrals;
      I[k].set(t.allocatedCpuMilli, nowS);
      I[k + 1].set(t.allocatedMemoryMiB, nowS);
      I[k + 2].set(t.allocatedGpuMilli, nowS);
      I[k + 3].set(t.capacityCpuMilli, nowS);
      I[k + 4].set(t.capacityMemoryMiB, nowS);
      I[k + 5].set(t.capacityGpuMilli, nowS);
      I[k + 6].set(t.nodesUp, nowS);
      I[k + 7].set(t.nodesPresent, nowS);
      I[k + 8].set(t.cpuUtilisationSum, nowS);
      I[k + 10].set(t.gpuMilliUp, nowS);
      I[k + 11].set(t.dpusUp, nowS);
      I[k + 12].set(t.dpuLoadSum, nowS);
    }
    const all = c.totals(-1);
    if (all.capacityCpuMilli > 0) this.peakCpu = Math.max(this.peakCpu, all.allocatedCpuMilli / all.capacityCpuMilli);
    if (all.capacityMemoryMiB > 0)
      this.peakMem = Math.max(this.peakMem, all.allocatedMemoryMiB / all.capacityMemoryMiB);
    if (all.capacityGpuMilli > 0) this.peakGpu = Math.max(this.peakGpu, all.allocatedGpuMilli / all.capacityGpuMilli);
    this.pooled.set(c.poolUsedTotalMiB(), nowS);
  }

  /**
   * From `nowS` on, each group's nodes use this much more CPU than they have allocated, as Σ over its
   * nodes of utilisation (negative: less), until the next call. Energy follows usage so corrected.
   */
  setUsage(nowS: number, deltaByGroup: ArrayLike<number>): void {
    for (let g = 0; g < this.G; g++) this.integrals[g * K + 9].set(deltaByGroup[g] ?? 0, nowS);
  }

  private poolCount = -1;
  private get pools(): number {
    if (this.poolCount < 0) {
      let n = 0;
      for (let i = 0; i < this.cluster.nodeCount; i++) n = Math.max(n, this.cluster.poolOf(i) + 1);
      this.poolCount = n;
    }
    return this.poolCount;
  }

  private tally(t: Task): WorkloadTally {
    let w = this.byWorkload.get(t.workload);
    if (!w) {
      w = new WorkloadTally();
      this.byWorkload.set(t.workload, w);
    }
    return w;
  }

  arrive(task: Task, nowS: number): void {
    if (task.service !== undefined) return;
    if (this.submitted === 0) this.firstArrivalS = nowS;
    this.submitted++;
    this.tally(task).submitted++;
  }
  reject(task: Task, reason: "too-large" | "no-run-time"): void {
    if (task.service !== undefined) return;
    if (reason === "too-large") this.rejectedTooLarge++;
    else this.rejectedNoRun++;
  }
  start(task: Task, _nodes: readonly number[], nowS: number): void {
    this.changed(nowS);
    // A task waits once: until its first start. A restart after a kill or a preemption is not a wait.
    if (task.service !== undefined || this.restarted.delete(task)) return;
    this.started++;
    this.waits.add(nowS - task.arrivalS);
    this.tally(task).waits.add(nowS - task.arrivalS);
  }
  finish(task: Task, _nodes: readonly number[], _startS: number, nowS: number): void {
    if (task.service !== undefined) {
      this.changed(nowS);
      return;
    }
    this.completed++;
    this.lastFinishS = nowS;
    this.completions.add(nowS - task.arrivalS);
    // Against the task's nominal run time: stretching by the hardware counts too.
    const bsld = Math.max(1, (nowS - task.arrivalS) / Math.max(task.runS, 10));
    this.bsldSum += bsld;
    const w = this.tally(task);
    w.completed++;
    w.completions.add(nowS - task.arrivalS);
    w.bsldSum += bsld;
    this.changed(nowS);
  }
  kill(task: Task, _nodes: readonly number[], nowS: number): void {
    if (task.service === undefined) {
      this.killed++;
      this.restarted.add(task);
    }
    this.changed(nowS);
  }
  preempt(task: Task, _nodes: readonly number[], nowS: number): void {
    if (task.service === undefined) {
      this.preempted++;
      this.restarted.add(task);
    }
    this.changed(nowS);
  }
  remove(task: Task, nodes: readonly number[], _startS: number, nowS: number): void {
    if (task.service === undefined) this.removed++;
    this.restarted.delete(task);
    if (nodes.length > 0) this.changed(nowS);
  }
  resize(_task: Task, _node: number, _fromCpuMilli: number, nowS: number): void {
    // The allocated CPU moved without a start or an end: its level from now.
    this.changed(nowS);
  }
  nodeDown(_node: number, nowS: number): void {
    this.changed(nowS);
  }
  nodeUp(_node: number, nowS: number): void {
    this.changed(nowS);
  }
  nodeAdded(_node: number, nowS: number): void {
    this.changed(nowS);
  }
  nodeRemoved(_node: number, nowS: number): void {
    this.changed(nowS);
  }
  fail(task: Task): void {
    this.restarted.delete(task);
  }
  end(nowS: number): void {
    this.endS = nowS;
  }

  private readonly startOf = (t: Task) => this.ledger.running.get(t)?.startS;

  /** The summary's metrics, units in the key names. */
  summary(): Record<string, unknown> {
    const end = Math.max(this.endS, 1e-9);
    // Service replicas are reported with their services, not as tasks.
    const isTask = (t: Task) => t.service === undefined;
    const waiting = [...this.ledger.waiting].filter(isTask);
    const running = [...this.ledger.running.keys()].filter(isTask);
    // A task waiting again after a kill has had its wait (until its first start): no censored one.
    const firstWait = (t: Task) => !this.restarted.has(t);
    const all = taskFigures(
      this.waits,
      this.completions,
      this.bsldSum,
      this.completed,
      waiting,
      running,
      end,
      firstWait,
      this.startOf,
    );
    const avg = (k: number) => {
      let s = 0;
      for (let g = 0; g < this.G; g++) if (this.counted[g]) s += this.integrals[g * K + k].average(end);
      return s;
    };
    const frac = (a: number, b: number) => (b > 0 ? a / b : 0);
    let poolCap = 0;
    for (let p = 0; p < this.pools; p++) poolCap += this.cluster.poolFreeMiB(p) + this.cluster.poolUsedMiB(p);
    const out: Record<string, unknown> = {
      tasksSubmitted: this.submitted,
      tasksStarted: this.started,
      tasksCompleted: this.completed,
      tasksRunningAtEnd: running.length,
      tasksWaitingAtEnd: waiting.length,
      tasksFailed: this.ledger.failed.filter(isTask).length,
      taskRunsKilled: this.killed,
      tasksPreempted: this.preempted,
      tasksRemoved: this.removed,
      tasksLargerThanAnyNode: this.rejectedTooLarge,
      tasksWithoutRunTime: this.rejectedNoRun,
      ...all,
      cpuAllocatedFraction: frac(avg(0), avg(3)),
      memoryAllocatedFraction: frac(avg(1) + this.pooled.average(end), avg(4) + poolCap),
      gpuAllocatedFraction: frac(avg(2), avg(5)),
      cpuAllocatedPeakFraction: this.peakCpu,
      memoryAllocatedPeakFraction: this.peakMem,
      gpuAllocatedPeakFraction: this.peakGpu,
      // First arrival to last finish; with tasks unfinished at the end, at least up to the end.
      makespanS:
        this.submitted === 0
          ? Number.NaN
          : (waiting.length + running.length > 0 ? end : this.lastFinishS) - this.firstArrivalS,
      nodeHours: (avg(7) * end) / 3600,
    };
    const per = this.byWorkloadFigures(waiting, running, end, firstWait);
    if (per) out.byWorkload = per;
    Object.assign(out, this.energyAndCost(end));
    return out;
  }

  /** Each workload's figures, when the run has more than one (or one with a name). */
  private byWorkloadFigures(
    waiting: Task[],
    running: Task[],
    end: number,
    firstWait: (t: Task) => boolean,
  ): Record<string, unknown> | undefined {
    if (!(this.byWorkload.size > 1 || (this.byWorkload.size === 1 && !this.byWorkload.has("")))) return undefined;
    const per: Record<string, unknown> = {};
    for (const [name, t] of [...this.byWorkload].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const mine = (x: Task) => x.workload === name;
      per[name] = {
        tasksSubmitted: t.submitted,
        tasksCompleted: t.completed,
        tasksWaitingAtEnd: waiting.filter(mine).length,
        ...taskFigures(
          t.waits,
          t.completions,
          t.bsldSum,
          t.completed,
          waiting.filter(mine),
          running.filter(mine),
          end,
          firstWait,
          this.startOf,
        ),
      };
    }
    return per;
  }

  /**
   * Energy from power over time (idle while up, dynamic with CPU use, GPU allocation and DPU load), and
   * cost where priced.
   */
  private energyAndCost(end: number): Record<string, number> {
    if (!this.economics) return {};
    let joules = 0;
    let cost = 0;
    let priced = false;
    for (let g = 0; g < this.G; g++) {
      const e = this.economics[g];
      if (!e || !this.counted[g]) continue;
      // Each node draws idle power while up, plus (peak − idle) × its CPU utilisation (hardware-models
      // powerW): its allocation, corrected to usage where usage is known (setUsage: service replicas).
      // Each GPU on a node up draws its idle power, plus (peak − idle) × its allocated share.
      const I = this.integrals;
      const utilisation = I[g * K + 8].average(end) + I[g * K + 9].average(end);
      joules += (e.idleW * I[g * K + 6].average(end) + (e.peakW - e.idleW) * utilisation) * end;
      const gpuIdle = e.gpuIdleW ?? 0;
      const gpusUp = I[g * K + 10].average(end) / 1000;
      const gpusAllocated = I[g * K + 2].average(end) / 1000;
      joules += (gpuIdle * gpusUp + ((e.gpuPeakW ?? 0) - gpuIdle) * gpusAllocated) * end;
      // Each DPU on a node up draws its idle power, plus (max − idle) × its load (its pods' traffic over
      // its line rate, at most 1): hardware-models dpuPowerW.
      const dpuIdle = e.dpuIdleW ?? 0;
      const dpusUp = I[g * K + 11].average(end);
      const dpuLoad = I[g * K + 12].average(end);
      joules += (dpuIdle * dpusUp + ((e.dpuMaxW ?? 0) - dpuIdle) * dpuLoad) * end;
      if (e.perNodeHour !== undefined) {
        priced = true;
        cost += (e.perNodeHour * this.integrals[g * K + 7].average(end) * end) / 3600;
      }
    }
    return { energyKWh: joules / 3.6e6, ...(priced && { cost }) };
  }
}

/**
 * Waits, completion times and bounded slowdown of a set of tasks at the end `endS`: started tasks with
 * their waits, tasks still waiting with the wait so far (a lower bound), completed tasks with their
 * slowdown and unfinished ones with their response so far.
 */
function taskFigures(
  waits: Sample,
  completions: Sample,
  bsldSum: number,
  completed: number,
  waiting: readonly Task[],
  running: readonly Task[],
  endS: number,
  /** Whether a waiting task has not started yet (so its wait so far is a censored wait). */
  notStartedYet: (t: Task) => boolean,
  /** When a running task started. */
  startOf: (t: Task) => number | undefined,
): Record<string, number> {
  const all = waits.copy();
  // The response so far over the run time, at least 10 s; a running task whose run time the trace does
  // not give (a pod never deleted) over its run so far: as if it ended now (it did not wait after it started).
  const so = (t: Task, ranS = 0) => Math.max(1, (endS - t.arrivalS) / Math.max(t.runS >= 0 ? t.runS : ranS, 10));
  let bsldUnfinished = 0;
  for (const t of waiting) {
    if (notStartedYet(t)) all.add(endS - t.arrivalS);
    bsldUnfinished += so(t);
  }
  for (const t of running) bsldUnfinished += so(t, endS - (startOf(t) ?? endS));
  const w = all.summary();
  const ws = waits.summary();
  const c = completions.summary();
  const n = completed + waiting.length + running.length;
  return {
    waitMeanS: w.mean,
    waitP50S: w.p50,
    waitP95S: w.p95,
    waitP99S: w.p99,
    waitStartedMeanS: ws.mean,
    waitStartedP99S: ws.p99,
    completionMeanS: c.mean,
    completionP50S: c.p50,
    completionP95S: c.p95,
    completionP99S: c.p99,
    boundedSlowdownMean: n > 0 ? (bsldSum + bsldUnfinished) / n : Number.NaN,
    boundedSlowdownCompletedMean: completed > 0 ? bsldSum / completed : Number.NaN,
  };
}
