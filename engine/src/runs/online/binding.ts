import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import { BatchTier } from "../../colocation/batch-tier.js";
import type { RunEffects } from "../../effects/run-effects.js";
import type { TaskProgress } from "../../tasks/task-progress.js";
import type { ResizeOutcome, RunServices } from "../scheduling-loop.js";
import type { OnlineCounts } from "./online-options.js";
import { PlacementTable } from "./placement-table.js";
import { keptWorkS, type PreemptionOptions } from "./preemption.js";
import type { StrategyGuard } from "./strategy-guard.js";
import { TaskAttempts } from "./task-attempts.js";

/** What binding reads besides the run: the strategy's hooks, the effects, the batch tier, preemption's settings. */
export interface BindingParts {
  strategy?: PlacementStrategy;
  guard?: StrategyGuard;
  effects?: RunEffects;
  batchTier?: BatchTier;
  preemption?: PreemptionOptions;
}

/**
 * Binding and unbinding in the online loop: a decided task placed on its node (the cluster state, the
 * placement table, its run time through the effects, its progress, the strategy's and the batch tier's
 * books), a placement's CPU request changed in place, and every way a placement ends (finished, killed
 * by a failure, evicted, preempted, removed), with the work each throws away counted and the run's
 * events published.
 */
export class Binding {
  readonly table = new PlacementTable();
  readonly attempts = new TaskAttempts();
  /** Batch-tier pods by placement id, with their batch request. */
  private readonly batchPods = new Map<number, Pod>();
  /** The share of work left for tasks resuming from a checkpoint after preemption. */
  private readonly resumeShare = new Map<Task, number>();
  /** The effects' start delay for the task being bound, reused. */
  private readonly startDelay = { delayS: 0 };
  /** One-element node list for events, reused. */
  private readonly one = [0];

  constructor(
    private readonly run: RunServices,
    private readonly progress: TaskProgress,
    private readonly parts: BindingParts,
    private readonly counts: OnlineCounts,
  ) {}

  /** Place `task` (as the queue's `queued` pod) where `d` says, and start it. */
  bind(task: Task, queued: Pod, d: Decision): void {
    const { cluster, sim, bus } = this.run;
    const { effects, strategy } = this.parts;
    const tier = this.parts.batchTier && BatchTier.isBatch(task) ? this.parts.batchTier : undefined;
    // A batch pod takes no allocatable: its request is on the batch tier's books.
    const pod = tier ? { ...queued, cpuMilli: 0, memoryMiB: 0, poolMiB: undefined, spillToPool: false } : queued;
    const id = cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex });
    if (tier) {
      tier.bound(task, d.node, queued.cpuMilli, queued.memoryMiB);
      this.batchPods.set(id, queued);
    }
    if (strategy?.bound) this.hook("bound", task, () => strategy.bound!(cluster, pod, d));
    this.table.add(id, task, pod, d.node, sim.now);
    // A task waits once, until its first start (a resubmitted task has been counted already).
    if (!this.attempts.startedBefore(task)) {
      const wait = sim.now - task.arrivalS;
      this.counts.waitSumS += wait;
      if (wait > this.counts.waitMaxS) this.counts.waitMaxS = wait;
      this.counts.started++;
    }
    const start = this.startDelay;
    start.delayS = 0;
    let runS = effects ? effects.runTimeS(task, pod, id, d.node, sim.now, start) : task.runS;
    // A preempted task resuming from a checkpoint has only its share of work left.
    const share = this.resumeShare.get(task);
    if (share !== undefined) runS *= share;
    // A task without a run time (a service) stays until the run ends.
    this.table.setWork(id, runS, sim.now + start.delayS);
    this.progress.start(id, start.delayS, runS, tier ? tier.rateOn(d.node) : 1);
    effects?.started?.(task, id, d.node);
    // Published once the start is complete: listeners may ask when its work begins (workStartS).
    this.one[0] = d.node;
    bus.start(task, this.one, sim.now);
  }

  /** Placement `id` finished its work: it leaves, and the task is done. */
  finish(id: number): void {
    const { sim, bus } = this.run;
    this.progress.finished(id);
    const node = this.table.nodeOf[id];
    const task = this.vacate(id);
    this.forget(task);
    this.counts.completed++;
    this.one[0] = node;
    bus.finish(task, this.one, this.table.startOf[id], sim.now);
  }

  /**
   * Kill running placements (a failure): their work is lost, and each task is to be resubmitted or,
   * killed more than `maxRetries` times, failed. Returns those to resubmit, oldest first, so that they
   * keep their place among the waiting tasks where the queue orders by age.
   */
  kill(victims: readonly number[], maxRetries: number, failed: Task[]): Task[] {
    const { sim, bus } = this.run;
    const resubmit: Task[] = [];
    for (const id of victims) {
      const node = this.table.nodeOf[id];
      const task = this.stop(id);
      // Its next run starts over: no share of work kept from a checkpoint.
      this.resumeShare.delete(task);
      this.counts.killed++;
      this.one[0] = node;
      bus.kill(task, this.one, sim.now);
      if (this.attempts.killed(task) > maxRetries) {
        this.attempts.forget(task);
        this.counts.failed++;
        failed.push(task);
        bus.fail(task, sim.now);
      } else resubmit.push(task);
    }
    resubmit.sort((a, b) => a.arrivalS - b.arrivalS || a.id - b.id);
    return resubmit;
  }

  /**
   * Evict a running task (a node drained): it leaves its node, its run to start over; it is to wait
   * again. False when it is not running.
   */
  evict(task: Task): boolean {
    const id = this.table.idOf(task);
    if (id === undefined) return false;
    const node = this.table.nodeOf[id];
    this.stop(id);
    this.resumeShare.delete(task);
    this.one[0] = node;
    this.run.bus.preempt(task, this.one, this.run.sim.now);
    // Not a new arrival: its wait was counted at its first start.
    this.attempts.requeued(task);
    return true;
  }

  /** Evict a preemption victim: its work lost since its last checkpoint (or all of it); it is to wait again. */
  preemptVictim(id: number): Task {
    const t = this.table;
    const task = t.tasks[id]!;
    const node = t.nodeOf[id];
    const work = t.workOf[id];
    const left = Number.isFinite(work) ? this.progress.workLeftS(id) : Number.NaN;
    this.progress.stop(id);
    this.vacate(id, true);
    this.counts.preemptions++;
    if (Number.isFinite(work) && work > 0) {
      const o = this.parts.preemption!;
      const done = work - left;
      const kept = keptWorkS(o, done);
      this.counts.workLostCoreS += ((done - kept) * task.cpuMilli) / 1000;
      // The share of the original work still to do: what was left at this start, less what was kept.
      if (o.victims === "restart") this.resumeShare.delete(task);
      else if (kept > 0) this.resumeShare.set(task, (this.resumeShare.get(task) ?? 1) * ((work - kept) / work));
    }
    this.one[0] = node;
    this.run.bus.preempt(task, this.one, this.run.sim.now);
    this.attempts.requeued(task);
    return task;
  }

  /** Take a running task out for good (a controller deleted it); false when it is not running. */
  removeRunning(task: Task): boolean {
    const id = this.table.idOf(task);
    if (id === undefined) return false;
    const node = this.table.nodeOf[id];
    this.progress.stop(id);
    this.vacate(id);
    this.forget(task);
    this.one[0] = node;
    this.run.bus.remove(task, this.one, this.table.startOf[id], this.run.sim.now);
    return true;
  }

  /** A task gone for good: nothing kept of it. */
  forget(task: Task): void {
    this.attempts.forget(task);
    this.resumeShare.delete(task);
  }

  /** Change a running task's speed; false when it is not running. */
  setRate(task: Task, rate: number): boolean {
    const id = this.table.idOf(task);
    if (id === undefined) return false;
    this.progress.setRate(id, rate);
    return true;
  }

  /**
   * Change a running task's CPU request in place, as the kubelet admits a pod resize (KEP-1287,
   * Kubernetes v1.33): infeasible when the new request exceeds its node's allocatable; deferred when an
   * increase exceeds the node's free CPU now (nothing changes); otherwise applied at once, a decrease
   * always. Applied, the cluster's books, the placement table's pod and the task's own request all hold
   * the new figure, so that whatever releases it later releases that. Undefined when not running.
   */
  resize(task: Task, cpuMilli: number): ResizeOutcome | undefined {
    const { cluster, sim, bus } = this.run;
    const id = this.table.idOf(task);
    if (id === undefined) return undefined;
    if (this.batchPods.has(id))
      throw new RangeError(`task ${task.id}: a batch-tier pod holds no allocatable CPU to resize in place`);
    const node = this.table.nodeOf[id];
    const from = cluster.cpuMilliOf(id);
    if (cpuMilli === from) return "resized";
    if (cpuMilli > cluster.allocatableCpuMilli(node)) return "infeasible";
    if (cpuMilli - from > cluster.freeCpuMilli(node)) return "deferred";
    cluster.resize(id, cpuMilli);
    // The strategy's books see the old pod leave and the new one arrive, as kube-scheduler's cache
    // updates a pod (pkg/scheduler/backend/cache/cache.go, updatePod: removePod, then addPod).
    const old = this.table.pods[id]!;
    const strategy = this.parts.strategy;
    if (strategy?.released) this.hook("released", task, () => strategy.released!(cluster, old, node));
    const pod = { ...old, cpuMilli };
    task.cpuMilli = cpuMilli;
    this.table.pods[id] = pod;
    const share = cluster.gpuShareOf(id);
    const d = share >= 0 ? { node, gpuIndex: share } : { node };
    if (strategy?.bound) this.hook("bound", task, () => strategy.bound!(cluster, pod, d));
    bus.resize(task, node, from, sim.now);
    return "resized";
  }

  /** Stop placement `id` before its end, counting the work it throws away; returns its task. */
  private stop(id: number): Task {
    const task = this.table.tasks[id]!;
    const work = this.table.workOf[id];
    if (Number.isFinite(work) && work > 0) {
      this.counts.workLostCoreS += ((work - this.progress.workLeftS(id)) * task.cpuMilli) / 1000;
    }
    this.progress.stop(id);
    return this.vacate(id);
  }

  /**
   * Take placement `id` off its node and tell the batch tier, the strategy and the effects (`evicted`:
   * preempted, its sandbox gone with it); returns the task.
   */
  private vacate(id: number, evicted = false): Task {
    const { cluster, sim } = this.run;
    const node = this.table.nodeOf[id];
    const { task, pod } = this.table.remove(id);
    const batchPod = this.batchPods.get(id);
    if (batchPod) {
      this.batchPods.delete(id);
      this.parts.batchTier!.released(task, node, batchPod.memoryMiB);
    }
    cluster.release(id);
    const strategy = this.parts.strategy;
    if (strategy?.released) this.hook("released", task, () => strategy.released!(cluster, pod, node));
    this.parts.effects?.released?.(task, pod, node, sim.now, id, evicted);
    return task;
  }

  /** A strategy's hook; a user strategy's exception there names the plug-in, the hook and the task. */
  private hook(name: string, task: Task, call: () => void): void {
    if (this.parts.guard) this.parts.guard.hook(name, task.id, call);
    else call();
  }
}
