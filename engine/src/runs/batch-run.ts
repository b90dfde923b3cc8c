import type { ClusterState } from "@clustersim/hardware-models";
import {
  type BatchPolicyName,
  mayBackfill,
  orderQueue,
  type PlacementStrategy,
  type Pod,
  type QueuedJob,
  type RunningJob,
  reserve,
} from "@clustersim/schedulers";
import { type EventHandle, type RunSummary, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { type ArrivalPump, driveAsync, driveSync, type RunMachine } from "./arrival-pump.js";
import { installSampler } from "./sampler.js";

/**
 * The batch run: jobs wait in a queue ordered by a policy (FCFS, SJF, WFP3, UNI, F1; higher priority
 * first), the head starts as soon as it fits, and with EASY backfilling later jobs may start early
 * when they do not delay the head's reservation (schedulers/src/batch/easy-backfill.ts).
 *
 * A job of `procs` tasks is a gang: every task is placed (by the placement strategy) or none is. A
 * job's CPU and memory are its totals (as every workload source gives them), split evenly over its
 * tasks.
 * With preemption, a job that does not fit may evict running jobs of lower priority (lowest priority
 * first, then the most recently started); evicted jobs go back to the queue and start over.
 */
export interface BatchRunOptions {
  cluster: ClusterState;
  placement: PlacementStrategy;
  policy: BatchPolicyName;
  backfill: boolean;
  preemption?: boolean;
  /** Jobs in submit order; `procs` tasks each of the task's size. Asynchronous sources need runBatchAsync. */
  jobs: Iterator<Task> | Iterable<Task> | AsyncIterable<Task>;
  seed?: number;
  untilS?: number;
  onStart?(job: Task, nowS: number): void;
  onFinish?(job: Task, nowS: number): void;
  onArrive?(job: Task, nowS: number): void;
  /** With `untilS`: call `onSample` at 0 and every `sampleEveryS` of simulated time (time series). */
  sampleEveryS?: number;
  onSample?(nowS: number, waiting: number, events: number): void;
}

export interface BatchRunResult {
  submitted: number;
  completed: number;
  /** Evictions (a job evicted twice counts twice). */
  preempted: number;
  neverScheduled: number;
  waitSumS: number;
  /** Σ max(1, (wait + run) / max(run, 10)) over completed jobs. */
  boundedSlowdownSum: number;
  /** Σ run × CPU of completed jobs, millicore-seconds. */
  workMilliS: number;
  firstSubmitS: number;
  lastEndS: number;
  /** At the end: jobs still running (with their start), and jobs still queued or never placed. */
  unfinished: { task: Task; startS: number }[];
  unplaced: Task[];
  run: RunSummary;
}

interface Job extends QueuedJob {
  task: Task;
  /** One of its `procs` tasks, as placed. */
  pod: Pod;
  needCpu: number;
}

interface Running extends RunningJob {
  job: Job;
  ids: number[];
  nodes: number[];
  startS: number;
  finish: EventHandle;
}

/** Run with a synchronous job source (an array, a generator). */
export function runBatch(o: BatchRunOptions): BatchRunResult {
  return driveSync(o.jobs, "runBatch", (pump) => batchRun(o, pump), o.untilS);
}

/** Run with any job source, synchronous or asynchronous (trace files, composed workloads). */
export function runBatchAsync(o: BatchRunOptions): Promise<BatchRunResult> {
  return driveAsync(o.jobs, (pump) => batchRun(o, pump), o.untilS);
}

function batchRun(o: BatchRunOptions, pump: ArrivalPump): RunMachine<BatchRunResult> {
  const sim = new Simulation({ seed: o.seed ?? 0 });
  const { cluster, placement } = o;
  let totalCpu = 0;
  for (let n = 0; n < cluster.nodeCount; n++) totalCpu += cluster.allocatableCpuMilli(n);
  let usedCpu = 0;
  let queue: Job[] = [];
  const running = new Map<number, Running>();
  let seq = 0;
  const tooLarge: Task[] = [];
  const r: Omit<BatchRunResult, "run" | "unfinished" | "unplaced"> = {
    submitted: 0,
    completed: 0,
    preempted: 0,
    neverScheduled: 0,
    waitSumS: 0,
    boundedSlowdownSum: 0,
    workMilliS: 0,
    firstSubmitS: NaN,
    lastEndS: 0,
  };

  const FINISH = sim.on("finish", (key) => {
    const run = running.get(key)!;
    stop(key, run);
    const t = run.job.task;
    const wait = run.startS - t.arrivalS;
    r.completed++;
    r.waitSumS += wait;
    r.boundedSlowdownSum += Math.max(1, (wait + t.runS) / Math.max(t.runS, 10));
    r.workMilliS += t.runS * run.job.needCpu;
    r.lastEndS = sim.now;
    o.onFinish?.(t, sim.now);
    schedule();
  });

  const ARRIVE = sim.on("arrive", () => {
    const t = pump.current!;
    r.submitted++;
    o.onArrive?.(t, sim.now);
    if (Number.isNaN(r.firstSubmitS)) r.firstSubmitS = t.arrivalS;
    const procs = Math.max(1, t.procs);
    const needCpu = t.cpuMilli;
    pump.pull(sim, ARRIVE);
    if (needCpu > totalCpu) {
      r.neverScheduled++;
      tooLarge.push(t);
      return;
    }
    const reqTimeS = Number.isFinite(t.reqTimeS) && t.reqTimeS > 0 ? t.reqTimeS : t.runS;
    const pod: Pod =
      procs === 1 ? (t as Pod) : { ...(t as Pod), cpuMilli: t.cpuMilli / procs, memoryMiB: t.memoryMiB / procs };
    queue.push({ task: t, pod, needCpu, submitS: t.arrivalS, reqTimeS, procs, priority: t.priority, seq: seq++ });
    schedule();
  });

  function stop(key: number, run: Running): void {
    running.delete(key);
    for (let i = 0; i < run.ids.length; i++) {
      cluster.release(run.ids[i]);
      placement.released?.(cluster, run.job.pod, run.nodes[i]);
    }
    usedCpu -= run.job.needCpu;
  }

  /** Place every task of the job, or none. */
  function start(job: Job): boolean {
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
        return false;
      }
      ids.push(cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex }));
      nodes.push(d.node);
      placement.bound?.(cluster, pod, d);
    }
    usedCpu += job.needCpu;
    const key = job.seq;
    const finish = sim.after(job.task.runS, FINISH, key);
    running.set(key, {
      job,
      ids,
      nodes,
      startS: sim.now,
      expectedEndS: sim.now + job.reqTimeS,
      cpuMilli: job.needCpu,
      finish,
    });
    o.onStart?.(job.task, sim.now);
    return true;
  }

  /** Evict lower-priority jobs, lowest priority and latest start first, until `job` starts; undo if it still cannot. */
  function preemptFor(job: Job): boolean {
    const victims = [...running.entries()]
      .filter(([, run]) => run.job.priority < job.priority)
      .sort(([, a], [, b]) => a.job.priority - b.job.priority || b.startS - a.startS || b.job.seq - a.job.seq);
    let freed = 0;
    const chosen: [number, Running][] = [];
    for (const v of victims) {
      if (totalCpu - usedCpu + freed >= job.needCpu && chosen.length > 0) break;
      chosen.push(v);
      freed += v[1].cpuMilli;
    }
    if (totalCpu - usedCpu + freed < job.needCpu) return false;
    for (const [key, run] of chosen) {
      sim.cancel(run.finish);
      stop(key, run);
      r.preempted++;
      queue.push(run.job);
    }
    return start(job);
  }

  function schedule(): void {
    orderQueue(queue, o.policy, sim.now);
    let i = 0;
    while (i < queue.length && (start(queue[i]) || (o.preemption && preemptFor(queue[i])))) {
      i++;
      if (o.preemption) {
        // Evicted jobs re-entered the queue: order it again.
        queue = queue.slice(i);
        i = 0;
        orderQueue(queue, o.policy, sim.now);
      }
    }
    queue = queue.slice(i);
    if (!o.backfill || queue.length < 2) return;
    const head = queue[0];
    const res = reserve([...running.values()], totalCpu - usedCpu, head.needCpu, sim.now);
    // Candidates in arrival order, as EASY does.
    const rest = queue.slice(1).sort((a, b) => a.seq - b.seq);
    const started = new Set<Job>();
    for (const job of rest) {
      if (!mayBackfill(job.reqTimeS, job.needCpu, sim.now, res) || !start(job)) continue;
      started.add(job);
      if (sim.now + job.reqTimeS > res.shadowS) res.extraCpuMilli -= job.needCpu;
    }
    if (started.size > 0) queue = queue.filter((j) => !started.has(j));
  }

  if (o.onSample)
    installSampler(sim, o.sampleEveryS, o.untilS, () => o.onSample!(sim.now, queue.length, sim.eventsProcessed));

  return {
    sim,
    arrive: ARRIVE,
    result(run: RunSummary): BatchRunResult {
      const byArrival = (a: Task, b: Task) => a.arrivalS - b.arrivalS || a.id - b.id;
      const unfinished = [...running.values()]
        .map((x) => ({ task: x.job.task, startS: x.startS }))
        .sort((a, b) => byArrival(a.task, b.task));
      const unplaced = [...queue.map((j) => j.task), ...tooLarge].sort(byArrival);
      return { ...r, neverScheduled: r.neverScheduled + queue.length, unfinished, unplaced, run };
    },
  };
}
