import {
  type BatchPolicyName,
  correctedPrediction,
  type Demand,
  mayBackfill,
  orderQueue,
  type PlacementStrategy,
  type Pod,
  preemptionVictims,
  type QueuedJob,
  type QueueScore,
  type RunningJob,
  type RuntimeEstimate,
  reserve,
  takeExtra,
  UserRunTimes,
} from "@clustersim/schedulers";
import type { EventHandle } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunServices, SchedulingLoop } from "./scheduling-loop.js";

export interface BatchLoopOptions {
  placement: PlacementStrategy;
  /**
   * How the queue is ordered: a named policy, or a learned one (`score` lower first, given whether the
   * job fits the cluster's free capacity when the queue is ordered).
   */
  policy: BatchPolicyName | LearnedQueuePolicy;
  backfill: boolean;
  preemption?: boolean;
  /** Resubmissions of a job killed by a node failure before it counts as failed (default 3). */
  maxRetries?: number;
  /**
   * The run time the queue orders and backfills by (default "requested"): with "predicted", each job's
   * is predicted at submission from its user's last two completed jobs (schedulers'
   * runtime-prediction.ts; the user is the task's `app`, an SWF log's user id), and a running job that
   * outlives its prediction has it corrected upward at that moment. A job evicted or killed goes back
   * to the queue with its prediction from submission, its corrections undone (as in pyss).
   */
  runtime?: RuntimeEstimate;
  /** The order backfilling tries jobs in: arrival (EASY, the default) or shortest estimate first (SJBF). */
  backfillOrder?: "arrival" | "shortest";
}

/** A queue order learned by an agent (rl-kernel): the scores it gives the waiting jobs. */
export interface LearnedQueuePolicy {
  name: string;
  score(fitsNow: (job: QueuedJob) => boolean): QueueScore;
}

/** What the batch loop counted. */
export interface BatchCounts {
  submitted: number;
  completed: number;
  /** Evictions (a job evicted twice counts twice). */
  preempted: number;
  /** Rejected at arrival: no run time, or a gang that fits no empty cluster. */
  rejected: number;
  waitSumS: number;
  /** Σ max(1, (wait + run) / max(run, 10)) over completed jobs. */
  boundedSlowdownSum: number;
  /** Σ run × CPU of completed jobs, millicore-seconds. */
  workMilliS: number;
  /** Jobs killed by node failures (a job killed twice counts twice), and those retried out. */
  killed: number;
  failed: number;
  /** Work thrown away by kills and evictions: run time so far × CPU, core-seconds. */
  workLostCoreS: number;
  /**
   * Predicted run times (runtime: predicted): jobs first started with a prediction below their request
   * and short of their run (each counted once, however often it restarts), and corrections made.
   */
  underpredicted: number;
  corrections: number;
  firstSubmitS: number;
  lastEndS: number;
}

/** A waiting job; its `reqTimeS` is the run time the queue goes by: the request, or the prediction. */
interface Job extends QueuedJob {
  task: Task;
  /** One of its `procs` tasks, as placed (CPU and memory its share of the job's, rounded up). */
  pod: Pod;
  need: Demand;
  /** The user's request (the job's run time where the trace has none): a prediction's cap. */
  requestedS: number;
  /** Whether it has started before (a job evicted or killed goes back to the queue). */
  started: boolean;
}

interface Running extends RunningJob {
  job: Job;
  ids: number[];
  nodes: number[];
  startS: number;
  finish: EventHandle;
  /** Corrections of its prediction so far, and the next one while it is due. */
  corrections: number;
  correction: EventHandle | null;
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
  private correctKind = 0;
  private readonly runTimes = new UserRunTimes();
  /** Tasks of a shape ("cpu/mem") the free room holds, for `mayFit`: cleared when a pass begins or a job starts. */
  private readonly roomNow = new Map<string, number>();
  private readonly predicted: boolean;
  /** How many tasks of a shape fit the empty cluster (by shape key): a gang needs `procs` of them. */
  private readonly capacityOf = new Map<string, number>();

  constructor(private readonly o: BatchLoopOptions) {
    this.predicted = o.runtime === "predicted";
  }

  attach(run: RunServices): void {
    this.run = run;
    this.finishKind = run.sim.on("finish", (key) => this.finish(key));
    this.correctKind = run.sim.on("runtime-correction", (key) => this.correct(key));
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
    if (this.tasksThatFit(pod) < procs) {
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
      reqTimeS: this.predicted ? this.runTimes.predict(t.app, requestedS) : requestedS,
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

  /** Tasks of this shape an empty cluster holds, counting every node a group may add. */
  private tasksThatFit(pod: Pod): number {
    const key = `${pod.cpuMilli}/${pod.memoryMiB}/${pod.gpus ?? 0}/${pod.gpuMilli ?? 0}`;
    let n = this.capacityOf.get(key);
    if (n === undefined) {
      const c = this.run.cluster;
      n = 0;
      for (let node = 0; node < c.nodeCount; node++) {
        let k = Math.min(
          pod.cpuMilli > 0 ? Math.floor(c.allocatableCpuMilli(node) / pod.cpuMilli) : Number.POSITIVE_INFINITY,
          pod.memoryMiB > 0 ? Math.floor(c.allocatableMemoryMiB(node) / pod.memoryMiB) : Number.POSITIVE_INFINITY,
        );
        const gpus = pod.gpus ?? 0;
        if (gpus > 0) {
          const perGpu = (pod.gpuMilli ?? 1000) < 1000 ? Math.floor(1000 / (pod.gpuMilli ?? 1000)) : 1;
          k = Math.min(k, gpus === 1 ? c.gpuCount(node) * perGpu : Math.floor(c.gpuCount(node) / gpus));
        }
        n += Number.isFinite(k) ? k : 1;
      }
      this.capacityOf.set(key, n);
    }
    return n;
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
    this.runTimes.completed(t.app, t.runS);
    bus.finish(t, run.nodes, run.startS, sim.now);
    sim.requestInstantEnd();
  }

  private stop(key: number, run: Running): void {
    const { cluster } = this.run;
    this.runningJobs.delete(key);
    this.cancelCorrection(run);
    for (let i = 0; i < run.ids.length; i++) {
      cluster.release(run.ids[i]);
      this.o.placement.released?.(cluster, run.job.pod, run.nodes[i]);
    }
  }

  /** Place every task of the job, or none; the placements, or null. */
  private place(job: Job): { ids: number[]; nodes: number[] } | null {
    const { cluster } = this.run;
    const { placement } = this.o;
    const pod = job.pod;
    const ids: number[] = [];
    const nodes: number[] = [];
    for (let i = 0; i < job.procs; i++) {
      const d = placement.decide(cluster, pod);
      if (!d) {
        for (let k = ids.length - 1; k >= 0; k--) {
          cluster.release(ids[k]);
          placement.released?.(cluster, pod, nodes[k]);
        }
        return null;
      }
      ids.push(cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex }));
      nodes.push(d.node);
      placement.bound?.(cluster, pod, d);
    }
    return { ids, nodes };
  }

  private launch(job: Job, p: { ids: number[]; nodes: number[] }): void {
    const { sim, bus } = this.run;
    const key = job.seq;
    this.roomNow.clear();
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
    if (!job.started && this.predicted && job.reqTimeS < job.requestedS && job.task.runS > job.reqTimeS)
      this.counts.underpredicted++;
    job.started = true;
    this.dueCorrection(running, key);
    bus.start(job.task, p.nodes, sim.now);
  }

  /**
   * The next correction of a running job's prediction, when the job will outlive the prediction it has
   * and a correction can still raise it (it is below the request). Only
   * then is an event set, at the moment the job outlives its prediction: the scheduler then learns it
   * (as a real one would, seeing the job still running) and plans again.
   */
  private dueCorrection(run: Running, key: number): void {
    const job = run.job;
    const estimateS = run.expectedEndS - run.startS;
    if (!this.predicted || !(job.task.runS > estimateS) || estimateS >= job.requestedS) return;
    run.correction = this.run.sim.after(run.expectedEndS - this.run.sim.now, this.correctKind, key);
  }

  private correct(key: number): void {
    const run = this.runningJobs.get(key)!;
    run.correction = null;
    run.corrections++;
    this.counts.corrections++;
    run.expectedEndS = run.startS + correctedPrediction(run.job.reqTimeS, run.corrections, run.job.requestedS);
    this.dueCorrection(run, key);
    this.run.requestPass();
  }

  private cancelCorrection(run: Running): void {
    if (run.correction === null) return;
    this.run.sim.cancel(run.correction);
    run.correction = null;
  }

  private start(job: Job): boolean {
    // With a strategy whose calls have no effects, a gang that cannot be placed need not be tried:
    // skipping the try changes nothing but the time (on a large machine a failing gang's try costs
    // up to procs × nodes fit checks).
    if (this.o.placement.withoutEffects && !this.mayFit(job)) return false;
    const p = this.place(job);
    if (p) this.launch(job, p);
    return p !== null;
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
      room = this.tasksRoomHolds(pod.cpuMilli, pod.memoryMiB);
      this.roomNow.set(key, room);
    }
    return room >= job.procs;
  }

  /** Tasks of `cpu` millicores and `mem` MiB the nodes' free CPU and memory hold, summed over nodes. */
  private tasksRoomHolds(cpu: number, mem: number): number {
    const { freeCpuMilli, freeMemoryMiB } = this.run.cluster.resources;
    let n = 0;
    for (let node = 0; node < freeCpuMilli.length; node++) {
      const byCpu = cpu > 0 ? Math.floor(freeCpuMilli[node] / cpu) : Number.POSITIVE_INFINITY;
      const byMem = mem > 0 ? Math.floor(freeMemoryMiB[node] / mem) : Number.POSITIVE_INFINITY;
      n += Math.max(0, Math.min(byCpu, byMem));
      if (n === Number.POSITIVE_INFINITY) break;
    }
    return n;
  }

  /** Free CPU over every node group (virtual nodes too): no placement can take more, millicores. */
  private freeCpuAnywhere(): number {
    const c = this.run.cluster;
    let free = 0;
    for (let g = 0; g < c.groupCount; g++) {
      const t = c.totals(g);
      free += t.capacityCpuMilli - t.allocatedCpuMilli;
    }
    return free;
  }

  /**
   * Evict lower-priority jobs (schedulers' preemptionVictims: lowest priority and latest start first)
   * until `job` fits; only when it then starts do the evictions stand (and get published). Otherwise
   * everything is put back.
   */
  private preemptFor(job: Job): boolean {
    const { cluster, sim, bus } = this.run;
    const { placement } = this.o;
    const t = cluster.totals(-1);
    const free = {
      cpuMilli: t.capacityCpuMilli - t.allocatedCpuMilli,
      memoryMiB: t.capacityMemoryMiB - t.allocatedMemoryMiB,
      gpuMilli: t.capacityGpuMilli - t.allocatedGpuMilli,
    };
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
    for (const [, run] of chosen) {
      for (let i = 0; i < run.ids.length; i++) {
        cluster.release(run.ids[i]);
        placement.released?.(cluster, run.job.pod, run.nodes[i]);
      }
    }
    const p = this.place(job);
    if (!p) {
      // Undo: every victim back on its own nodes and GPUs (they fit: nothing else changed).
      for (const [v, [, run]] of chosen.entries()) {
        for (let i = 0; i < run.ids.length; i++) {
          const gpu = shares[v][i];
          run.ids[i] = cluster.place(run.nodes[i], gpu >= 0 ? { ...run.job.pod, gpuIndex: gpu } : run.job.pod);
          placement.bound?.(cluster, run.job.pod, { node: run.nodes[i] });
        }
      }
      return false;
    }
    for (const [key, run] of chosen) {
      sim.cancel(run.finish);
      this.cancelCorrection(run);
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
    const t = this.run.cluster.totals(-1);
    const freeCpu = t.capacityCpuMilli - t.allocatedCpuMilli;
    const freeMem = t.capacityMemoryMiB - t.allocatedMemoryMiB;
    const freeGpu = t.capacityGpuMilli - t.allocatedGpuMilli;
    return p.score((j) => {
      const need = (j as Job).need;
      return need.cpuMilli <= freeCpu && need.memoryMiB <= freeMem && need.gpuMilli <= freeGpu;
    });
  }

  schedule(): boolean {
    const { sim, cluster } = this.run;
    const { preemption, backfill } = this.o;
    if (this.queue.length === 0) return true;
    this.roomNow.clear();
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
    if (!backfill || this.queue.length < 2) return true;
    const head = this.queue[0];
    const t = cluster.totals(-1);
    const free = {
      cpuMilli: t.capacityCpuMilli - t.allocatedCpuMilli,
      memoryMiB: t.capacityMemoryMiB - t.allocatedMemoryMiB,
      gpuMilli: t.capacityGpuMilli - t.allocatedGpuMilli,
    };
    const res = reserve([...this.runningJobs.values()], free, head.need, sim.now);
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
    return true;
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
