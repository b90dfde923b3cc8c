import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";
import type { Rng } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { BatchTier } from "../colocation/batch-tier.js";
import type { RunEffects } from "../effects/run-effects.js";
import {
  type Candidate,
  candidatesWanted,
  type PodOnNode,
  pickOneNode,
  selectVictimsOnNode,
} from "../preemption/default-preemption.js";
import { FifoQueue } from "../queues/fifo-queue.js";
import { KubernetesQueue } from "../queues/kubernetes-queue.js";
import { byArrival, type Waiting, type WaitingQueue } from "../queues/waiting-queue.js";
import { TaskProgress } from "../tasks/task-progress.js";
import type { RunServices, SchedulingLoop } from "./scheduling-loop.js";

export interface OnlineLoopOptions {
  /** A placement strategy, or "external": each decision is awaited from outside the run (Run.decide). */
  strategy: PlacementStrategy | "external";
  /** kube-scheduler's queue (default), or strict first come, first served. */
  queue?: "kubernetes" | "fifo";
  effects?: RunEffects;
  /** Resubmissions of a killed task before it counts as failed (default 3). */
  maxRetries?: number;
  /**
   * Serverless burst: a task `allowed` to burst that the strategy places nowhere goes to the first of
   * these (virtual) nodes that fits it, as ACK's ResourcePolicy tries regular nodes first, then elastic
   * containers.
   */
  burst?: { nodes: readonly number[]; allowed(task: Task): boolean };
  /**
   * kube-scheduler's DefaultPreemption: a pod that fits nowhere evicts pods of strictly lower priority
   * from the node upstream's rules pick (../preemption/default-preemption.ts). Victims restart from
   * scratch, or resume from their last checkpoint (every `checkpointIntervalS` of work; 0: where they
   * stopped); the work thrown away is counted. `rng` picks where the search for candidates starts.
   */
  preemption?: { victims: "restart" | "resume"; checkpointIntervalS: number; rng: Rng };
  /**
   * Co-location: batch (best-effort) tasks run in this tier, on the room online pods leave, instead of
   * on the nodes' allocatable (../colocation/batch-tier.ts).
   */
  batchTier?: BatchTier;
  /**
   * The strategy is user code (a plug-in), named so: each decision is checked (no exception, no
   * promise, null or a node of the cluster where the pod fits), and a bad one stops the run with a
   * StrategyError naming the plug-in, the task and the value.
   */
  userStrategy?: string;
}

/** A user strategy broke its contract: the message names the plug-in, the task and what it returned. */
export class StrategyError extends Error {
  override readonly name = "StrategyError";
}

/** What the online loop counted. */
export interface OnlineCounts {
  submitted: number;
  started: number;
  completed: number;
  /** Larger than every node: rejected at arrival. */
  tooLarge: number;
  /** Strategy calls, placed or not. */
  decisions: number;
  /** Task runs killed by node failures. */
  killed: number;
  /** Tasks killed more than maxRetries times. */
  failed: number;
  waitSumS: number;
  waitMaxS: number;
  /** Pods evicted by preemption. */
  preemptions: number;
  /** Work thrown away by node failures and preemptions: work done × CPU request, core-seconds. */
  workLostCoreS: number;
}

/**
 * The online placement loop: tasks arrive, wait in a queue (kube-scheduler's, or strict FIFO), are
 * placed one at a time by a strategy at the end of each instant, run (rate-based progress, ../tasks/
 * task-progress.ts) and leave. A task larger than every node (CPU, memory with its CXL pool, GPUs) is
 * rejected at arrival instead of waiting forever. A node going down kills its tasks; each is
 * resubmitted up to `maxRetries` times, then counted as failed.
 */
export class OnlineLoop implements SchedulingLoop {
  readonly counts: OnlineCounts = {
    submitted: 0,
    started: 0,
    completed: 0,
    tooLarge: 0,
    decisions: 0,
    killed: 0,
    failed: 0,
    waitSumS: 0,
    waitMaxS: 0,
    preemptions: 0,
    workLostCoreS: 0,
  };
  private run!: RunServices;
  private queue!: WaitingQueue;
  private progress!: TaskProgress;
  private readonly strategy: PlacementStrategy | undefined;
  private readonly effects: RunEffects | undefined;
  private readonly maxRetries: number;
  // Running tasks by placement id.
  private readonly tasks: (Task | undefined)[] = [];
  private readonly pods: (Pod | undefined)[] = [];
  private startOf = new Float64Array(1024);
  /** When each placement's work began or begins (after its sandbox's start delay). */
  private workFrom = new Float64Array(1024);
  private nodeOf = new Int32Array(1024);
  private readonly idOf = new Map<Task, number>();
  /** Batch-tier pods by placement id, with their batch request. */
  private readonly batchPods = new Map<number, Pod>();
  /** Running tasks per priority (preemption: nothing to do for a pod no running task ranks below). */
  private readonly byPriority = new Map<number, number>();
  /** Placement ids on each node (preemption reads them). */
  private readonly onNode: Set<number>[] = [];
  /** Each placement's work as placed (seconds at full speed), and the share of work left for resumed tasks. */
  private workOf = new Float64Array(1024);
  private readonly resumeShare = new Map<Task, number>();
  /** Tasks in the queue (or awaiting an external decision), for removal's check in O(1). */
  private readonly queued = new Set<Task>();
  /** Waiting tasks a controller removed: dropped when the queue hands them out. */
  private readonly withdrawn = new Set<Task>();
  private live = 0;
  private seq = 0;
  private readonly retries = new Map<Task, number>();
  private readonly rejected: Task[] = [];
  private readonly givenUp: Task[] = [];
  private maxCpu = 0;
  private maxMem = 0;
  private maxLocalMem = 0;
  private maxGpus = 0;
  /** External decisions: the task being decided, and the decision once supplied. */
  private current: Waiting | undefined;
  private supplied: Decision | null | undefined;
  private readonly spare: Waiting[] = [];
  /** The effects' start delay for the task being bound, reused. */
  private readonly startDelay = { delayS: 0 };
  /** One-element node list for events, reused. */
  private readonly one = [0];

  constructor(private readonly o: OnlineLoopOptions) {
    this.strategy = o.strategy === "external" ? undefined : o.strategy;
    this.effects = o.effects;
    this.maxRetries = o.maxRetries ?? 3;
  }

  attach(run: RunServices): void {
    this.run = run;
    const { sim, cluster } = run;
    this.queue = this.o.queue === "fifo" ? new FifoQueue() : new KubernetesQueue(sim, () => run.requestPass());
    this.progress = new TaskProgress(
      sim,
      sim.on("finish", (id) => this.finish(id)),
    );
    const progress = this.progress;
    if (this.effects?.attach) {
      const timers: ((() => void) | undefined)[] = [];
      const free: number[] = [];
      const kind = sim.on("effects-timer", (slot) => {
        const fn = timers[slot]!;
        timers[slot] = undefined;
        free.push(slot);
        fn();
        this.queue.clusterChanged();
        run.requestPass();
      });
      this.effects.attach({
        setRate: (id, rate) => progress.setRate(id, rate),
        nowS: () => sim.now,
        at: (timeS, fn) => {
          const slot = free.length > 0 ? free.pop()! : timers.length;
          timers[slot] = fn;
          sim.at(timeS, kind, slot);
        },
      });
    }
    // The largest node, per resource, counting nodes a group may add later: a task above it in any one
    // can never start.
    for (let n = 0; n < cluster.nodeCount; n++) {
      const pool = cluster.poolOf(n);
      this.maxCpu = Math.max(this.maxCpu, cluster.allocatableCpuMilli(n));
      // Memory may spill into the node's CXL pool (when the effects ask for it): count the pool too.
      this.maxMem = Math.max(
        this.maxMem,
        cluster.allocatableMemoryMiB(n) + (pool >= 0 ? cluster.poolFreeMiB(pool) : 0),
      );
      this.maxLocalMem = Math.max(this.maxLocalMem, cluster.allocatableMemoryMiB(n));
      this.maxGpus = Math.max(this.maxGpus, cluster.gpuCount(n));
    }
  }

  get waiting(): number {
    return this.queue.size + (this.current ? 1 : 0) - this.withdrawn.size;
  }

  get running(): number {
    return this.live;
  }

  get pendingDecision(): { task: Task; pod: Pod } | undefined {
    return this.current && this.supplied === undefined ? { task: this.current.task, pod: this.current.pod } : undefined;
  }

  supplyDecision(d: Decision | null): void {
    this.supplied = d;
  }

  admit(task: Task): void {
    this.counts.submitted++;
    // Judged on the request as placed (with a runtime's memory overhead); memory may count the node's
    // CXL pool only when the request may spill into it.
    const pod = this.effects ? this.effects.request(task) : (task as Pod);
    const maxMem = pod.spillToPool ? this.maxMem : this.maxLocalMem;
    if (pod.cpuMilli > this.maxCpu || pod.memoryMiB > maxMem || (pod.gpus ?? 0) > this.maxGpus) {
      this.counts.tooLarge++;
      this.rejected.push(task);
      this.run.bus.reject(task, "too-large", this.run.sim.now);
      return;
    }
    this.enqueue(task, pod);
  }

  private enqueue(task: Task, given?: Pod): void {
    this.queued.add(task);
    const pod = given ?? (this.effects ? this.effects.request(task) : (task as Pod));
    // Queue entries are recycled once their task is bound: no allocation per task on the hot path.
    const w = this.spare.pop();
    if (w) {
      w.task = task;
      w.pod = pod;
      w.attempts = 0;
      w.seq = this.seq++;
      this.queue.add(w);
    } else {
      const seq = this.seq++;
      this.queue.add({
        task,
        pod,
        attempts: 0,
        timestampS: 0,
        seq,
        backoffUntilS: 0,
        cycle: 0,
        unschedulableSinceS: 0,
      });
    }
    this.run.requestPass();
  }

  schedule(): boolean {
    const { cluster, bus, sim } = this.run;
    for (;;) {
      const w = this.current ?? this.queue.pop();
      if (!w) return true;
      if (this.withdrawn.delete(w.task)) {
        this.queued.delete(w.task);
        this.current = undefined;
        this.spare.push(w);
        continue;
      }
      let d: Decision | null;
      const tier = this.o.batchTier;
      if (tier && BatchTier.isBatch(w.task)) {
        // Koordinator's batch pods request batch resources, not allocatable: the tier places them.
        const node = tier.pick(w.pod);
        d = node >= 0 ? { node } : null;
      } else if (this.strategy) {
        const routed = this.effects?.route ? this.effects.route(w.task, w.pod) : -1;
        if (routed >= 0) d = { node: routed };
        else {
          d = this.o.userStrategy === undefined ? this.strategy.decide(cluster, w.pod) : this.checkedDecide(w);
          if (this.strategy.record && this.strategy.lastRecord && bus.wantsDecisions) {
            bus.decision(w.task, this.strategy.lastRecord, sim.now);
          }
        }
      } else {
        if (this.supplied === undefined) {
          this.current = w;
          return false;
        }
        d = this.supplied;
        this.supplied = undefined;
        // A decision that does not fit is refused with the task still pending: the caller may decide again.
        if (d && !cluster.fits(d.node, d.gpuIndex === undefined ? w.pod : { ...w.pod, gpuIndex: d.gpuIndex })) {
          this.current = w;
          throw new RangeError(`decision for task ${w.task.id}: node ${d.node} does not fit it`);
        }
        this.current = undefined;
      }
      this.counts.decisions++;
      if (!d && this.o.burst?.allowed(w.task)) d = this.burstNode(w);
      if (!d && this.o.preemption && this.strategy) d = this.preempt(w);
      if (d) {
        this.queued.delete(w.task);
        this.bind(w, d);
        this.spare.push(w);
      } else {
        this.queue.failed(w);
        if (w.attempts <= 1) bus.queue(w.task, sim.now);
      }
    }
  }

  /**
   * DefaultPreemption for a pod that fits nowhere: candidate nodes (those it is admitted to, whose
   * strictly lower-priority pods would make room) are dry-run in a ring from a random start until
   * enough are found, one is picked by upstream's rules, its victims are evicted, and the pod is bound
   * there at once. Simplified: victims leave at once (no graceful termination) and the pod is bound in
   * the same cycle rather than nominated; pods asking for GPUs do not preempt.
   */
  private preempt(w: Waiting): Decision | null {
    const { cluster } = this.run;
    const pod = w.pod;
    const priority = w.task.priority ?? 0;
    // Victims are chosen on CPU, memory and pod count: pods that also need GPUs, network, VFs or pool
    // memory do not preempt (evicting could free the wrong resource and leave them unplaced).
    if ((pod.gpus ?? 0) > 0 || (pod.nicGbps ?? 0) > 0 || pod.directNic || (pod.poolMiB ?? 0) > 0 || pod.spillToPool) {
      return null;
    }
    let lowest = Number.POSITIVE_INFINITY;
    for (const p of this.byPriority.keys()) lowest = Math.min(lowest, p);
    if (!(lowest < priority)) return null;
    const n = cluster.nodeCount;
    const admission = { cpuMilli: 0, memoryMiB: 0, tolerations: pod.tolerations, nodeSelector: pod.nodeSelector };
    const request = { cpuMilli: pod.cpuMilli, memoryMiB: pod.memoryMiB, priority };
    const wanted = candidatesWanted(n);
    const offset = this.o.preemption!.rng.int(0, n - 1);
    const found: Candidate[] = [];
    for (let k = 0; k < n && found.length < wanted; k++) {
      const node = (offset + k) % n;
      const ids = this.onNode[node];
      if (!ids || ids.size === 0 || !cluster.isUp(node) || cluster.isVirtual(node)) continue;
      let anyLower = false;
      for (const id of ids) if ((this.tasks[id]!.priority ?? 0) < priority) anyLower = true;
      if (!anyLower) continue;
      const pods: PodOnNode[] = [];
      for (const id of ids) {
        const p = this.pods[id]!;
        pods.push({
          id,
          priority: this.tasks[id]!.priority ?? 0,
          startS: this.startOf[id],
          cpuMilli: p.cpuMilli,
          memoryMiB: p.memoryMiB,
        });
      }
      if (!cluster.admits(node, admission)) continue;
      const room = {
        freeCpuMilli: cluster.freeCpuMilli(node),
        freeMemoryMiB: cluster.freeMemoryMiB(node),
        freePods: cluster.maxPodsOn(node) - cluster.podsOn(node),
      };
      const victims = selectVictimsOnNode(room, pods, request);
      if (victims) found.push({ node, victims });
    }
    const best = pickOneNode(found);
    if (!best) return null;
    for (const v of best.victims) this.evictVictim(v.id);
    return cluster.fits(best.node, pod) ? { node: best.node } : null;
  }

  /** Evict a preemption victim: back to the queue, its work lost since its last checkpoint (or all of it). */
  private evictVictim(id: number): void {
    const { sim, bus } = this.run;
    const task = this.tasks[id]!;
    const node = this.nodeOf[id];
    const work = this.workOf[id];
    const left = Number.isFinite(work) ? this.progress.workLeftS(id) : Number.NaN;
    this.progress.stop(id);
    this.vacate(id);
    this.counts.preemptions++;
    if (Number.isFinite(work) && work > 0) {
      const done = work - left;
      const { victims, checkpointIntervalS: every } = this.o.preemption!;
      const kept = victims === "restart" ? 0 : every > 0 ? Math.floor(done / every) * every : done;
      this.counts.workLostCoreS += ((done - kept) * task.cpuMilli) / 1000;
      // The share of the original work still to do: what was left at this start, less what was kept.
      if (victims === "restart") this.resumeShare.delete(task);
      else if (kept > 0) this.resumeShare.set(task, (this.resumeShare.get(task) ?? 1) * ((work - kept) / work));
    }
    this.one[0] = node;
    bus.preempt(task, this.one, sim.now);
    if (!this.retries.has(task)) this.retries.set(task, 0);
    this.enqueue(task);
  }

  /** A strategy's hook; a user strategy's exception there names the plug-in, the hook and the task. */
  private hook(name: string, task: Task, call: () => void): void {
    if (this.o.userStrategy === undefined) {
      call();
      return;
    }
    try {
      call();
    } catch (err) {
      if (err instanceof StrategyError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new StrategyError(`plug-in strategy ${this.o.userStrategy}: ${name}() threw for task ${task.id}: ${why}`);
    }
  }

  /** A user strategy's decision, checked against its contract. */
  private checkedDecide(w: Waiting): Decision | null {
    const { cluster } = this.run;
    const who = `plug-in strategy ${this.o.userStrategy}`;
    const task = `task ${w.task.id} (${w.pod.cpuMilli} m, ${w.pod.memoryMiB} MiB)`;
    let d: unknown;
    let node: unknown;
    let gpuIndex: number | undefined;
    try {
      d = this.strategy!.decide(cluster, w.pod);
      // Read here too: a getter on the decision is the plug-in's code.
      node = (d as { node?: unknown } | null)?.node;
      gpuIndex = (d as Decision | null)?.gpuIndex;
    } catch (err) {
      if (err instanceof StrategyError) throw err;
      throw new StrategyError(
        `${who}: decide() threw for ${task}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (d === null) return null;
    const shown = (() => {
      try {
        return JSON.stringify(d) ?? String(d);
      } catch {
        return String(d);
      }
    })();
    if (d !== null && typeof d === "object" && typeof (d as { then?: unknown }).then === "function") {
      throw new StrategyError(
        `${who}: decide() returned a promise for ${task}: expected a decision at once (null or { node })`,
      );
    }
    if (
      typeof d !== "object" ||
      typeof node !== "number" ||
      !Number.isInteger(node) ||
      node < 0 ||
      node >= cluster.nodeCount
    ) {
      throw new StrategyError(
        `${who}: decide() returned ${shown} for ${task}: expected null or { node } with a node in 0..${cluster.nodeCount - 1}`,
      );
    }
    if (!cluster.fits(node, gpuIndex === undefined ? w.pod : { ...w.pod, gpuIndex })) {
      throw new StrategyError(`${who}: decide() returned node ${node} for ${task}, where the pod does not fit`);
    }
    return { node, gpuIndex } as Decision;
  }

  /** A virtual node for a bursting task, which tolerates the virtual nodes' taints (as the burst policy adds). */
  private burstNode(w: Waiting): Decision | null {
    const { cluster } = this.run;
    for (const node of this.o.burst!.nodes) {
      const pod = { ...w.pod, tolerations: [...(w.pod.tolerations ?? []), ...cluster.taints(node)] };
      if (cluster.isUp(node) && cluster.fits(node, pod)) {
        w.pod = pod;
        return { node };
      }
    }
    return null;
  }

  private bind(w: Waiting, d: Decision): void {
    const { cluster, sim, bus } = this.run;
    const { task } = w;
    const tier = this.o.batchTier && BatchTier.isBatch(task) ? this.o.batchTier : undefined;
    // A batch pod takes no allocatable: its request is on the batch tier's books.
    const pod = tier ? { ...w.pod, cpuMilli: 0, memoryMiB: 0, poolMiB: undefined, spillToPool: false } : w.pod;
    const id = cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex });
    if (tier) {
      tier.bound(task, d.node, w.pod.cpuMilli, w.pod.memoryMiB);
      this.batchPods.set(id, w.pod);
    }
    if (this.strategy?.bound) this.hook("bound", task, () => this.strategy!.bound!(cluster, pod, d));
    if (id >= this.nodeOf.length) this.grow(id);
    this.nodeOf[id] = d.node;
    this.startOf[id] = sim.now;
    this.idOf.set(task, id);
    this.tasks[id] = task;
    this.pods[id] = pod;
    this.live++;
    // A task waits once, until its first start (a resubmitted task has been counted already).
    if (!this.retries.has(task)) {
      const wait = sim.now - task.arrivalS;
      this.counts.waitSumS += wait;
      if (wait > this.counts.waitMaxS) this.counts.waitMaxS = wait;
      this.counts.started++;
    }
    const start = this.startDelay;
    start.delayS = 0;
    let runS = this.effects ? this.effects.runTimeS(task, pod, id, d.node, sim.now, start) : task.runS;
    // A preempted task resuming from a checkpoint has only its share of work left.
    const share = this.resumeShare.get(task);
    if (share !== undefined) runS *= share;
    (this.onNode[d.node] ??= new Set()).add(id);
    const prio = task.priority ?? 0;
    this.byPriority.set(prio, (this.byPriority.get(prio) ?? 0) + 1);
    this.workOf[id] = runS;
    // A task without a run time (a service) stays until the run ends.
    this.workFrom[id] = sim.now + start.delayS;
    this.progress.start(id, start.delayS, runS, tier ? tier.rateOn(d.node) : 1);
    this.effects?.started?.(task, id, d.node);
    // Published once the start is complete: listeners may ask when its work begins (workStartS).
    this.one[0] = d.node;
    bus.start(task, this.one, sim.now);
  }

  /** Take placement `id` off its node and tell the strategy and the effects; returns the task. */
  private vacate(id: number): Task {
    const { cluster, sim } = this.run;
    const task = this.tasks[id]!;
    const pod = this.pods[id]!;
    const node = this.nodeOf[id];
    this.tasks[id] = undefined;
    this.pods[id] = undefined;
    this.idOf.delete(task);
    this.onNode[node]?.delete(id);
    const batchPod = this.batchPods.get(id);
    if (batchPod) {
      this.batchPods.delete(id);
      this.o.batchTier!.released(task, node, batchPod.memoryMiB);
    }
    const prio = task.priority ?? 0;
    const left = (this.byPriority.get(prio) ?? 1) - 1;
    if (left > 0) this.byPriority.set(prio, left);
    else this.byPriority.delete(prio);
    this.live--;
    cluster.release(id);
    if (this.strategy?.released) this.hook("released", task, () => this.strategy!.released!(cluster, pod, node));
    this.effects?.released?.(task, pod, node, sim.now, id);
    return task;
  }

  private finish(id: number): void {
    const { sim, bus } = this.run;
    this.progress.finished(id);
    const node = this.nodeOf[id];
    const task = this.vacate(id);
    this.resumeShare.delete(task);
    this.counts.completed++;
    this.one[0] = node;
    bus.finish(task, this.one, this.startOf[id], sim.now);
    this.queue.clusterChanged();
    this.run.requestPass();
  }

  nodeDown(node: number): void {
    const victims: number[] = [];
    for (let id = 0; id < this.tasks.length; id++) if (this.tasks[id] && this.nodeOf[id] === node) victims.push(id);
    this.kill(victims);
  }

  /** A CXL pool failed: the tasks holding memory in it are killed (their nodes stay up). */
  poolDown(pool: number): void {
    const { cluster } = this.run;
    const victims: number[] = [];
    for (let id = 0; id < this.tasks.length; id++) {
      if (this.tasks[id] && cluster.poolMiBOf(id) > 0 && cluster.poolOf(this.nodeOf[id]) === pool) victims.push(id);
    }
    this.kill(victims);
    // Their nodes are up: the local memory they held may let waiting tasks fit.
    if (victims.length > 0) {
      this.queue.clusterChanged();
      this.run.requestPass();
    }
  }

  /** Kill running placements: their work is lost, and each task is resubmitted or, retried out, failed. */
  private kill(victims: readonly number[]): void {
    const { sim, bus } = this.run;
    const resubmit: Task[] = [];
    for (const id of victims) {
      const node = this.nodeOf[id];
      const work = this.workOf[id];
      if (Number.isFinite(work) && work > 0) {
        this.counts.workLostCoreS += ((work - this.progress.workLeftS(id)) * this.tasks[id]!.cpuMilli) / 1000;
      }
      this.progress.stop(id);
      const task = this.vacate(id);
      // Its next run starts over: no share of work kept from a checkpoint.
      this.resumeShare.delete(task);
      this.counts.killed++;
      this.one[0] = node;
      bus.kill(task, this.one, sim.now);
      const n = (this.retries.get(task) ?? 0) + 1;
      this.retries.set(task, n);
      if (n > this.maxRetries) {
        this.counts.failed++;
        this.givenUp.push(task);
        bus.fail(task, sim.now);
      } else resubmit.push(task);
    }
    // Oldest first, so that they keep their place among the waiting tasks where the queue orders by age.
    resubmit.sort((a, b) => a.arrivalS - b.arrivalS || a.id - b.id);
    for (const t of resubmit) this.enqueue(t);
  }

  capacityAdded(): void {
    this.queue.clusterChanged();
    this.run.requestPass();
  }

  /** Change a running task's speed (1 = as given by its run time); its finish moves accordingly. */
  setRate(task: Task, rate: number): boolean {
    const id = this.idOf.get(task);
    if (id === undefined) return false;
    this.progress.setRate(id, rate);
    return true;
  }

  /**
   * Take a task out of the run for good (a controller deleted it, as a ReplicaSet scaling down): a
   * running task leaves its node at once, a waiting one is dropped from the queue. Returns where it was.
   */
  remove(task: Task): "running" | "waiting" | undefined {
    const { sim, bus } = this.run;
    const id = this.idOf.get(task);
    if (id !== undefined) {
      const node = this.nodeOf[id];
      this.progress.stop(id);
      this.vacate(id);
      this.one[0] = node;
      bus.remove(task, this.one, this.startOf[id], sim.now);
      this.queue.clusterChanged();
      this.run.requestPass();
      return "running";
    }
    if (this.withdrawn.has(task) || !this.isWaiting(task)) return undefined;
    this.withdrawn.add(task);
    bus.remove(task, [], Number.NaN, sim.now);
    return "waiting";
  }

  /**
   * Evict a running task (a node drained, a higher-priority pod preempting it): it leaves its node and
   * waits again, keeping its place by arrival; its run starts over. False when it is not running.
   */
  evict(task: Task): boolean {
    const { sim, bus } = this.run;
    const id = this.idOf.get(task);
    if (id === undefined) return false;
    const node = this.nodeOf[id];
    const work = this.workOf[id];
    if (Number.isFinite(work) && work > 0) {
      this.counts.workLostCoreS += ((work - this.progress.workLeftS(id)) * task.cpuMilli) / 1000;
    }
    this.progress.stop(id);
    this.vacate(id);
    this.resumeShare.delete(task);
    this.one[0] = node;
    bus.preempt(task, this.one, sim.now);
    // Not a new arrival: its wait was counted at its first start.
    if (!this.retries.has(task)) this.retries.set(task, 0);
    this.enqueue(task);
    this.queue.clusterChanged();
    return true;
  }

  /** The running tasks on `node`, in placement order. */
  tasksOn(node: number): Task[] {
    const out: Task[] = [];
    for (let id = 0; id < this.tasks.length; id++) {
      const t = this.tasks[id];
      if (t && this.nodeOf[id] === node) out.push(t);
    }
    return out;
  }

  /** Every waiting task with the pod the scheduler sees of it, in the queue's internal order. */
  forEachWaiting(fn: (task: Task, pod: Pod) => void): void {
    for (const w of this.queue.remaining()) if (!this.withdrawn.has(w.task)) fn(w.task, w.pod);
    if (this.current && !this.withdrawn.has(this.current.task)) fn(this.current.task, this.current.pod);
  }

  /** When a running task's work begins (its start plus its sandbox's start delay); NaN when not running. */
  workStartS(task: Task): number {
    const id = this.idOf.get(task);
    return id === undefined ? Number.NaN : this.workFrom[id];
  }

  private isWaiting(task: Task): boolean {
    return this.queued.has(task);
  }

  /** At the end: tasks still running (node, start), and tasks never started (waiting, rejected, given up). */
  leftovers(): { running: { task: Task; node: number; startS: number }[]; unplaced: Task[]; waiting: number } {
    const running: { task: Task; node: number; startS: number }[] = [];
    for (let id = 0; id < this.tasks.length; id++) {
      const task = this.tasks[id];
      if (task) running.push({ task, node: this.nodeOf[id], startS: this.startOf[id] });
    }
    running.sort((a, b) => a.task.arrivalS - b.task.arrivalS || a.task.id - b.task.id);
    const waiting = this.queue.remaining().filter((w) => !this.withdrawn.has(w.task));
    if (this.current && !this.withdrawn.has(this.current.task)) waiting.push(this.current);
    waiting.sort(byArrival);
    const unplaced = [...waiting.map((w) => w.task), ...this.rejected, ...this.givenUp].sort(
      (a, b) => a.arrivalS - b.arrivalS || a.id - b.id,
    );
    return { running, unplaced, waiting: waiting.length };
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, this.nodeOf.length * 2);
    const nodes = new Int32Array(size);
    nodes.set(this.nodeOf);
    this.nodeOf = nodes;
    const starts = new Float64Array(size);
    starts.set(this.startOf);
    this.startOf = starts;
    const work = new Float64Array(size);
    work.set(this.workFrom);
    this.workFrom = work;
    const placed = new Float64Array(size);
    placed.set(this.workOf);
    this.workOf = placed;
  }
}
