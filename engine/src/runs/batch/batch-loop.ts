import {
  type BatchPolicyName,
  mayBackfill,
  orderQueue,
  type PlacementStrategy,
  type Pod,
  preemptionVictims,
  type QueuedJob,
  type QueueScore,
  type RuntimeEstimate,
  reserve,
  takeExtra,
} from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import type { JobChoice, RunServices, SchedulingLoop } from "../scheduling-loop.js";
import { type BatchCounts, freeCapacity, type Gang, type Job, type Running } from "./batch-jobs.js";
import { GangPlacement } from "./gang-placement.js";
import { RunTimeEstimates } from "./run-time-estimates.js";

export type { BatchCounts } from "./batch-jobs.js";

export interface BatchLoopOptions {
  placement: PlacementStrategy;
  /**
   * How the queue is ordered: a named policy, a learned one (`score` lower first, given whether the
   * job fits the cluster's free capacity when the queue is ordered), or "external": each pass asks
   * from outside, job by job, which waiting job starts next (`pendingJobChoice`, `chooseJob`; the run
   * pauses with "decision"), until a chosen job does not fit; that one is the head backfilling plans
   * around, as the first job of an ordered queue that does not fit is. The next pass asks afresh.
   */
  policy: BatchPolicyName | LearnedQueuePolicy | "external";
  backfill: boolean;
  preemption?: boolean;
  /** Resubmissions of a job killed by a node failure before it counts as failed (default 3). */
  maxRetries?: number;
  /** The run time the queue orders and backfills by (default "requested"; ./run-time-estimates.ts). */
  runtime?: RuntimeEstimate;
  /** The order backfilling tries jobs in: arrival (EASY, the default) or shortest estimate first (SJBF). */
  backfillOrder?: "arrival" | "shortest";
}

/** A queue order learned by an agent (rl-kernel): the scores it gives the waiting jobs. */
export interface LearnedQueuePolicy {
  name: string;
  score(fitsNow: (job: QueuedJob) => boolean): QueueScore;
}

/**
 * The batch loop: jobs wait in a queue ordered by a policy (FCFS, SJF, WFP3, UNI, F1; higher priority
 * first), the head starts as soon as it fits, and with EASY backfilling later jobs may start early
 * when they do not delay the head's reservation (schedulers/src/batch/easy-backfill.ts), counted over
 * CPU, memory and GPUs. One pass runs at the end of every instant in which something changed.
 *
 * A job of `procs` tasks is a gang: every task is placed (by the placement strategy) or none is. A
 * job's CPU and memory are its totals (as every workload source gives them), split evenly over its
 * tasks. A job without a run time, or whose gang fits no empty cluster, is rejected at arrival.
 * With preemption, a job that does not fit may evict running jobs of lower priority (lowest priority
 * first, then the most recently started): the plan is tried first, and jobs are evicted only when the
 * job then starts; evicted jobs go back to the queue and start over.
 */
export class BatchLoop implements SchedulingLoop {
  readonly counts: BatchCounts = {
    submitted: 0,
    completed: 0,
    preempted: 0,
    rejected: 0,
    waitSumS: 0,
    boundedSlowdownSum: 0,
    workMilliS: 0,
    killed: 0,
    failed: 0,
    workLostCoreS: 0,
    underpredicted: 0,
    corrections: 0,
    firstSubmitS: Number.NaN,
    lastEndS: 0,
  };
  private run!: RunServices;
  private queue: Job[] = [];
  private readonly runningJobs = new Map<number, Running>();
  private readonly rejectedTasks: Task[] = [];
  private readonly givenUp: Task[] = [];
  private readonly retries = new Map<Task, number>();
  private seq = 0;
  private finishKind = 0;
  private gangs!: GangPlacement;
  private readonly estimates: RunTimeEstimates;
  /** External choice: whether one is awaited, and the one supplied. */
  private awaitingChoice = false;
  private chosen: Job | undefined;

  constructor(private readonly o: BatchLoopOptions) {
    if (o.policy === "external" && o.preemption)
      throw new RangeError("policy: external job choice with preemption is not supported");
    this.estimates = new RunTimeEstimates(o.runtime, this.counts);
  }

  /** The job choice awaited from outside (policy "external"), while one is. */
  get pendingJobChoice(): JobChoice | undefined {
    if (!this.awaitingChoice) return undefined;
    const free = freeCapacity(this.run.cluster);
    const byTask = new Map(this.queue.map((j) => [j.task, j]));
    return {
      waiting: [...this.queue].sort((a, b) => a.seq - b.seq).map((j) => j.task),
      fits: (t) => {
        const need = byTask.get(t)?.need;
        return (
          need !== undefined &&
          need.cpuMilli <= free.cpuMilli &&
          need.memoryMiB <= free.memoryMiB &&
          need.gpuMilli <= free.gpuMilli
        );
      },
    };
  }

  /** Supply the awaited choice: one of the waiting jobs (anything else is refused, and still awaited). */
  chooseJob(task: Task): void {
    const job = this.awaitingChoice ? this.queue.find((j) => j.task === task) : undefined;
    if (!job) throw new RangeError(`chooseJob(): expected a waiting job, found task ${task.id}`);
    this.chosen = job;
    this.awaitingChoice = false;
  }

  attach(run: RunServices): void {
    this.run = run;
    this.gangs = new GangPlacement(this.o.placement, run.cluster);
    this.finishKind = run.sim.on("finish", (key) => this.finish(key));
    this.estimates.attach(run, (key) => this.runningJobs.get(key)!);
  }

  get waiting(): number {
    return this.queue.length;
  }

  get running(): number {
    return this.runningJobs.size;
  }

  admit(t: Task): void {
    this.counts.submitted++;
    if (Number.isNaN(this.counts.firstSubmitS)) this.counts.firstSubmitS = t.arrivalS;
    const procs = Math.max(1, t.procs);
    const pod: Pod =
      procs === 1
        ? (t as Pod)
        : { ...(t as Pod), cpuMilli: Math.ceil(t.cpuMilli / procs), memoryMiB: Math.ceil(t.memoryMiB / procs) };
    if (!(t.runS >= 0 && t.runS < Number.POSITIVE_INFINITY)) {
      this.reject(t, "no-run-time");
      return;
    }
    if (this.gangs.emptyClusterHolds(pod) < procs) {
      this.reject(t, "too-large");
      return;
    }
    const requestedS = Number.isFinite(t.reqTimeS) && t.reqTimeS > 0 ? t.reqTimeS : t.runS;
    const need = { cpuMilli: pod.cpuMilli * procs, memoryMiB: pod.memoryMiB * procs, gpuMilli: gpuMilli(pod) * procs };
    this.queue.push({
      task: t,
      pod,
      need,
      requestedS,
      started: false,
      submitS: t.arrivalS,
      reqTimeS: this.estimates.estimate(t, requestedS),
      procs,
      priority: t.priority,
      seq: this.seq++,
    });
    this.run.requestPass();
  }

  private reject(t: Task, reason: "too-large" | "no-run-time"): void {
    this.counts.rejected++;
    this.rejectedTasks.push(t);
    this.run.bus.reject(t, reason, this.run.sim.now);
  }

  private finish(key: number): void {
    const { sim, bus } = this.run;
    const run = this.runningJobs.get(key)!;
    this.stop(key, run);
    const t = run.job.task;
    const wait = run.startS - t.arrivalS;
    const c = this.counts;
    c.completed++;
    c.waitSumS += wait;
    c.boundedSlowdownSum += Math.max(1, (wait + t.runS) / Math.max(t.runS, 10));
    c.workMilliS += t.runS * run.job.need.cpuMilli;
    c.lastEndS = sim.now;
    this.estimates.completed(t);
    bus.finish(t, run.nodes, run.startS, sim.now);
    sim.requestInstantEnd();
  }

  private stop(key: number, run: Running): void {
    this.runningJobs.delete(key);
    this.estimates.stopped(run);
    this.gangs.release(run, run.job.pod);
  }

  private launch(job: Job, p: Gang): void {
    const { sim, bus } = this.run;
    const key = job.seq;
    this.gangs.roomChanged();
    const finish = sim.after(job.task.runS, this.finishKind, key);
    const running: Running = {
      job,
      ids: p.ids,
      nodes: p.nodes,
      startS: sim.now,
      expectedEndS: sim.now + job.reqTimeS,
      ...job.need,
      finish,
      corrections: 0,
      correction: null,
    };
    this.runningJobs.set(key, running);
    this.estimates.started(running, key);
    bus.start(job.task, p.nodes, sim.now);
  }

  private start(job: Job): boolean {
    const p = this.gangs.tryPlace(job);
    if (p) this.launch(job, p);
    return p !== null;
  }

  /**
   * Evict lower-priority jobs (schedulers' preemptionVictims: lowest priority and latest start first)
   * until `job` fits; only when it then starts do the evictions stand (and get published). Otherwise
   * everything is put back.
   */
  private preemptFor(job: Job): boolean {
    const { cluster, sim, bus } = this.run;
    const free = freeCapacity(cluster);
    const running = [...this.runningJobs.entries()].map(([key, run]) => ({
      key,
      run,
      priority: run.job.priority,
      startS: run.startS,
      seq: run.job.seq,
      cpuMilli: run.cpuMilli,
      memoryMiB: run.memoryMiB,
      gpuMilli: run.gpuMilli,
    }));
    const picked = preemptionVictims(running, job.priority, job.need, free);
    if (!picked) return false;
    const chosen: [number, Running][] = picked.map((v) => [v.key, v.run]);
    // Plan: take the victims off (tentatively), then try the job. Each placement's GPU share is noted
    // so that an undo puts it back on the same GPU (best fit could choose another, and then fail).
    const shares = chosen.map(([, run]) => run.ids.map((id) => cluster.gpuShareOf(id)));
    for (const [, run] of chosen) this.gangs.release(run, run.job.pod);
    const p = this.gangs.place(job);
    if (!p) {
      // Undo: every victim back on its own nodes and GPUs (they fit: nothing else changed).
      for (const [v, [, run]] of chosen.entries()) this.gangs.restore(run, run.job.pod, shares[v]);
      return false;
    }
    for (const [key, run] of chosen) {
      sim.cancel(run.finish);
      this.estimates.stopped(run);
      this.runningJobs.delete(key);
      this.counts.preempted++;
      this.counts.workLostCoreS += ((sim.now - run.startS) * run.job.need.cpuMilli) / 1000;
      bus.preempt(run.job.task, run.nodes, sim.now);
      this.queue.push(run.job);
    }
    this.launch(job, p);
    return true;
  }

  /** A learned policy's order, with "fits now" read from the cluster's free capacity at this pass. */
  private learnedOrder(p: LearnedQueuePolicy): QueueScore {
    const free = freeCapacity(this.run.cluster);
    return p.score((j) => {
      const need = (j as Job).need;
      return need.cpuMilli <= free.cpuMilli && need.memoryMiB <= free.memoryMiB && need.gpuMilli <= free.gpuMilli;
    });
  }

  schedule(): boolean {
    const { sim } = this.run;
    const { preemption } = this.o;
    if (this.queue.length === 0) return true;
    this.gangs.roomChanged();
    if (this.o.policy === "external") return this.scheduleChosen();
    const policy = typeof this.o.policy === "string" ? this.o.policy : this.learnedOrder(this.o.policy);
    orderQueue(this.queue, policy, sim.now);
    let i = 0;
    while (i < this.queue.length && (this.start(this.queue[i]) || (preemption && this.preemptFor(this.queue[i])))) {
      i++;
      if (preemption) {
        // Evicted jobs re-entered the queue: order it again.
        this.queue = this.queue.slice(i);
        i = 0;
        orderQueue(this.queue, policy, sim.now);
      }
    }
    this.queue = this.queue.slice(i);
    this.backfill();
    return true;
  }

  /**
   * Policy "external": start the jobs chosen from outside while they fit; the first that does not is
   * the head. Returns false (the run pauses) whenever a choice is awaited; the pass resumes here.
   */
  private scheduleChosen(): boolean {
    for (;;) {
      if (this.queue.length === 0) return true;
      const job = this.chosen;
      if (!job) {
        this.awaitingChoice = true;
        return false;
      }
      this.chosen = undefined;
      if (!this.start(job)) {
        // The head for this pass, as an ordered queue's first job that does not fit.
        this.queue = [job, ...this.queue.filter((j) => j !== job)];
        break;
      }
      this.queue = this.queue.filter((j) => j !== job);
    }
    this.backfill();
    return true;
  }

  /** EASY backfilling (or SJBF) around the queue's first job, which did not fit. */
  private backfill(): void {
    const { sim, cluster } = this.run;
    if (!this.o.backfill || this.queue.length < 2) return;
    const head = this.queue[0];
    const res = reserve([...this.runningJobs.values()], freeCapacity(cluster), head.need, sim.now);
    // Candidates in arrival order, as EASY does, or shortest estimate first (SJBF).
    const rest = this.queue
      .slice(1)
      .sort(
        this.o.backfillOrder === "shortest"
          ? (a, b) => a.reqTimeS - b.reqTimeS || a.seq - b.seq
          : (a, b) => a.seq - b.seq,
      );
    const started = new Set<Job>();
    for (const job of rest) {
      if (!mayBackfill(job.reqTimeS, job.need, sim.now, res) || !this.start(job)) continue;
      started.add(job);
      if (sim.now + job.reqTimeS > res.shadowS) takeExtra(res, job.need);
    }
    if (started.size > 0) this.queue = this.queue.filter((j) => !started.has(j));
  }

  /**
   * A node failed: every job with a task on it is killed (all its tasks leave their nodes: a gang
   * cannot run short), its work so far is lost, and it goes back to the queue to start over, or counts
   * as failed after `maxRetries` kills.
   */
  nodeDown(node: number): void {
    const { sim, bus } = this.run;
    const hit = [...this.runningJobs.entries()].filter(([, run]) => run.nodes.includes(node)).sort(([a], [b]) => a - b);
    for (const [key, run] of hit) {
      sim.cancel(run.finish);
      this.stop(key, run);
      const t = run.job.task;
      this.counts.killed++;
      this.counts.workLostCoreS += ((sim.now - run.startS) * run.job.need.cpuMilli) / 1000;
      bus.kill(t, run.nodes, sim.now);
      const n = (this.retries.get(t) ?? 0) + 1;
      this.retries.set(t, n);
      if (n > (this.o.maxRetries ?? 3)) {
        this.counts.failed++;
        this.givenUp.push(t);
        bus.fail(t, sim.now);
      } else this.queue.push(run.job);
    }
    if (hit.length > 0) this.run.requestPass();
  }

  capacityAdded(): void {
    this.run.requestPass();
  }

  /** At the end: jobs still running (with their start), and jobs still queued or rejected. */
  leftovers(): { running: { task: Task; nodes: number[]; startS: number }[]; unplaced: Task[]; waiting: number } {
    const byArrival = (a: Task, b: Task) => a.arrivalS - b.arrivalS || a.id - b.id;
    const running = [...this.runningJobs.values()]
      .map((x) => ({ task: x.job.task, nodes: x.nodes, startS: x.startS }))
      .sort((a, b) => byArrival(a.task, b.task));
    const unplaced = [...this.queue.map((j) => j.task), ...this.rejectedTasks, ...this.givenUp].sort(byArrival);
    return { running, unplaced, waiting: this.queue.length };
  }
}

const gpuMilli = (p: Pod) => (p.gpus ?? 0) * (p.gpuMilli ?? 1000);
