import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import { BatchTier } from "../../colocation/batch-tier.js";
import type { RunEffects } from "../../effects/run-effects.js";
import { FifoQueue } from "../../queues/fifo-queue.js";
import { KubernetesQueue } from "../../queues/kubernetes-queue.js";
import { byArrival, type Waiting, type WaitingQueue } from "../../queues/waiting-queue.js";
import { TaskProgress } from "../../tasks/task-progress.js";
import type { ResizeOutcome, RunServices, SchedulingLoop } from "../scheduling-loop.js";
import { Binding } from "./binding.js";
import { attachEffectTimers } from "./effect-timers.js";
import { LargestNode } from "./largest-node.js";
import { emptyCounts, type OnlineCounts, type OnlineLoopOptions } from "./online-options.js";
import { planPreemption } from "./preemption.js";
import { QuietFailureRule } from "./quiet-failure-rule.js";
import { StrategyGuard } from "./strategy-guard.js";

export type { OnlineCounts, OnlineLoopOptions } from "./online-options.js";
export { StrategyError } from "./strategy-guard.js";

/**
 * The online placement loop: tasks arrive, wait in a queue (kube-scheduler's, or strict FIFO), are
 * placed one at a time by a strategy at the end of each instant, run (rate-based progress, ../../tasks/
 * task-progress.ts) and leave. A task larger than every node (CPU, memory with its CXL pool, GPUs) is
 * rejected at arrival instead of waiting forever. A node going down kills its tasks; each is
 * resubmitted up to `maxRetries` times, then counted as failed.
 *
 * This file holds the queue and the decisions; binding and every way a placement ends are ./binding.ts's
 * (who runs where: ./placement-table.ts), preemption's plan is ./preemption.ts's, a plug-in's calls
 * are checked by ./strategy-guard.ts, the pods whose try can only fail are ./quiet-failure-rule.ts's,
 * the size check at arrival ./largest-node.ts's and the effects' timers ./effect-timers.ts's.
 */
export class OnlineLoop implements SchedulingLoop {
  readonly counts: OnlineCounts = emptyCounts();
  private run!: RunServices;
  private queue!: WaitingQueue;
  /** The queue when it is kube-scheduler's and keeps pods that can only fail aside. */
  private kubernetesQueue: KubernetesQueue | undefined;
  private binding!: Binding;
  private readonly strategy: PlacementStrategy | undefined;
  private readonly effects: RunEffects | undefined;
  private readonly guard: StrategyGuard | undefined;
  private readonly maxRetries: number;
  private largest!: LargestNode;
  /** Tasks in the queue (or awaiting an external decision), for removal's check in O(1). */
  private readonly queued = new Set<Task>();
  /** Waiting tasks a controller removed: dropped when the queue hands them out. */
  private readonly withdrawn = new Set<Task>();
  private seq = 0;
  private readonly rejected: Task[] = [];
  private readonly givenUp: Task[] = [];
  /** External decisions: the task being decided, and the decision once supplied. */
  private current: Waiting | undefined;
  private supplied: Decision | null | undefined;
  private readonly spare: Waiting[] = [];
  /** The rule for pods whose try can only fail (./quiet-failure-rule.ts), when it applies. */
  private quiet: QuietFailureRule | undefined;

  constructor(private readonly o: OnlineLoopOptions) {
    this.strategy = o.strategy === "external" ? undefined : o.strategy;
    this.effects = o.effects;
    this.maxRetries = o.maxRetries ?? 3;
    this.guard = o.userStrategy === undefined ? undefined : new StrategyGuard(o.userStrategy);
  }

  attach(run: RunServices): void {
    this.run = run;
    const { sim, cluster } = run;
    if (this.o.queue === "fifo") this.queue = new FifoQueue();
    else {
      const queue = new KubernetesQueue(sim, () => run.requestPass());
      if (QuietFailureRule.applies(this.strategy, this.o, this.guard !== undefined)) {
        this.quiet = new QuietFailureRule({
          strategy: this.strategy!,
          options: this.o,
          cluster,
          withdrawn: this.withdrawn,
          table: () => this.binding.table,
          countTries: (n: number) => {
            this.counts.decisions += n;
          },
        });
        queue.setQuietFailures(this.quiet);
        this.kubernetesQueue = queue;
      }
      this.queue = queue;
    }
    const progress = new TaskProgress(
      sim,
      sim.on("finish", (id) => this.finish(id)),
    );
    const { strategy, guard, effects } = this;
    this.binding = new Binding(
      run,
      progress,
      { strategy, guard, effects, batchTier: this.o.batchTier, preemption: this.o.preemption },
      this.counts,
    );
    if (this.effects)
      attachEffectTimers(this.effects, sim, progress, () => {
        this.queue.clusterChanged();
        run.requestPass();
      });
    this.largest = new LargestNode(cluster);
  }

  get waiting(): number {
    return this.queue.size + (this.current ? 1 : 0) - this.withdrawn.size;
  }

  get running(): number {
    return this.binding.table.live;
  }

  /** Tasks the loop remembers between runs of theirs (resubmitted, evicted, preempted, not yet done). */
  get tasksRemembered(): number {
    return this.binding.attempts.size;
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
    if (!this.largest.holds(pod)) {
      this.counts.tooLarge++;
      this.rejected.push(task);
      this.run.bus.reject(task, "too-large", this.run.sim.now);
      return;
    }
    this.enqueue(task, pod);
  }

  private enqueue(task: Task, given?: Pod): void {
    this.queued.add(task);
    if (this.quiet?.admitted(task.priority ?? 0)) this.kubernetesQueue!.judgeAgain();
    const pod = given ?? (this.effects ? this.effects.request(task) : (task as Pod));
    // Queue entries are recycled once their task is bound: no allocation per task on the hot path.
    let w = this.spare.pop();
    if (w) {
      w.task = task;
      w.pod = pod;
      w.attempts = 0;
      w.seq = this.seq++;
      w.priority = task.priority ?? 0;
    } else {
      w = {
        task,
        pod,
        attempts: 0,
        timestampS: 0,
        seq: this.seq++,
        priority: task.priority ?? 0,
        backoffUntilS: 0,
        cycle: 0,
        unschedulableSinceS: 0,
        needCpu: Number.NaN,
        needMem: Number.NaN,
      };
    }
    this.quiet?.keepNeeds(w);
    this.queue.add(w);
    this.run.requestPass();
  }

  schedule(): boolean {
    for (;;) {
      const w = this.current ?? this.queue.pop();
      if (!w) return true;
      if (this.withdrawn.size > 0 && this.withdrawn.delete(w.task)) {
        this.queued.delete(w.task);
        this.current = undefined;
        this.spare.push(w);
        continue;
      }
      let d: Decision | null;
      if (this.quiet?.failsAtOnce(w)) {
        this.counts.decisions++;
        this.fail(w);
        continue;
      }
      if (this.strategy || (this.o.batchTier && BatchTier.isBatch(w.task))) d = this.decide(w);
      else {
        if (this.supplied === undefined) {
          this.current = w;
          return false;
        }
        d = this.external(w);
      }
      this.counts.decisions++;
      if (!d && this.o.burst?.allowed(w.task)) d = this.burstNode(w);
      if (!d && this.o.preemption && this.strategy) d = this.preempt(w);
      if (d) {
        this.queued.delete(w.task);
        this.binding.bind(w.task, w.pod, d);
        this.spare.push(w);
      } else this.fail(w);
    }
  }

  /** A pod that did not fit goes back to the queue; its first failure is when it began to wait. */
  private fail(w: Waiting): void {
    this.queue.failed(w);
    if (w.attempts <= 1) this.run.bus.queue(w.task, this.run.sim.now);
  }

  /** The decision for a waiting task: the batch tier's for a batch pod, a warm instance, or the strategy's. */
  private decide(w: Waiting): Decision | null {
    const { cluster, bus, sim } = this.run;
    const tier = this.o.batchTier;
    if (tier && BatchTier.isBatch(w.task)) {
      // Koordinator's batch pods request batch resources, not allocatable: the tier places them.
      const node = tier.pick(w.pod);
      return node >= 0 ? { node } : null;
    }
    const strategy = this.strategy!;
    const routed = this.effects?.route ? this.effects.route(w.task, w.pod) : -1;
    if (routed >= 0) return { node: routed };
    const d = this.guard ? this.guard.decide(strategy, cluster, w.pod, w.task.id) : strategy.decide(cluster, w.pod);
    if (strategy.record && strategy.lastRecord && bus.wantsDecisions)
      bus.decision(w.task, strategy.lastRecord, sim.now);
    return d;
  }

  /** The decision supplied from outside; one that does not fit is refused with the task still pending. */
  private external(w: Waiting): Decision | null {
    const { cluster } = this.run;
    const d = this.supplied!;
    this.supplied = undefined;
    if (d && !cluster.fits(d.node, d.gpuIndex === undefined ? w.pod : { ...w.pod, gpuIndex: d.gpuIndex })) {
      this.current = w;
      throw new RangeError(`decision for task ${w.task.id}: node ${d.node} does not fit it`);
    }
    this.current = undefined;
    return d;
  }

  /**
   * DefaultPreemption for a pod that fits nowhere: planned first (./preemption.ts), then the plan's
   * victims are evicted and the pod is bound there at once. Simplified: victims leave at once (no
   * graceful termination) and the pod is bound in the same cycle rather than nominated.
   */
  private preempt(w: Waiting): Decision | null {
    const { cluster } = this.run;
    const table = this.binding.table;
    const others = this.strategy?.passesOtherFilters;
    const eligible = others && ((node: number) => others(cluster, w.pod, node));
    const plan = planPreemption(cluster, table, w.pod, w.task.priority ?? 0, this.o.preemption!.rng, eligible);
    if (!plan) return null;
    for (const id of plan.victims) this.enqueue(this.binding.preemptVictim(id));
    if (cluster.fits(plan.node, w.pod)) return { node: plan.node };
    // The plan promised room its evictions did not make (something took it back as they left): the
    // victims would restart there and the same plan repeat, victims evicted for nothing, perhaps
    // without end. Refused rather than computed.
    throw new Error(
      `preemption: task ${w.task.id} does not fit node ${plan.node} once its ${plan.victims.length} victim(s) were evicted: the plan and the cluster disagree`,
    );
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

  private finish(id: number): void {
    this.binding.finish(id);
    this.queue.clusterChanged();
    this.run.requestPass();
  }

  releaseIdle(node: number): void {
    this.effects?.releaseIdle?.(node, this.run.sim.now);
    // The memory given back may let waiting tasks fit.
    this.queue.clusterChanged();
  }

  nodeDown(node: number): void {
    this.kill(this.binding.table.idsOn(node));
  }

  /** A CXL pool failed: the tasks holding memory in it are killed (their nodes stay up). */
  poolDown(pool: number): void {
    const { cluster } = this.run;
    const table = this.binding.table;
    const victims: number[] = [];
    for (const id of table.running()) {
      if (cluster.poolMiBOf(id) > 0 && cluster.poolOf(table.nodeOf[id]) === pool) victims.push(id);
    }
    this.kill(victims);
    // Their nodes are up: the local memory they held may let waiting tasks fit.
    if (victims.length > 0) {
      this.queue.clusterChanged();
      this.run.requestPass();
    }
  }

  /** Kill running placements: each task is resubmitted or, retried out, failed. */
  private kill(victims: readonly number[]): void {
    for (const t of this.binding.kill(victims, this.maxRetries, this.givenUp)) this.enqueue(t);
  }

  capacityAdded(): void {
    this.queue.clusterChanged();
    this.run.requestPass();
  }

  /** Change a running task's speed (1 = as given by its run time); its finish moves accordingly. */
  setRate(task: Task, rate: number): boolean {
    return this.binding.setRate(task, rate);
  }

  /**
   * Change a running task's CPU request in place (./binding.ts says when the node has room). A decrease
   * frees room on its node: waiting tasks are tried again, as kube-scheduler requeues unschedulable pods
   * when an assigned pod's request shrinks.
   */
  resize(task: Task, cpuMilli: number): ResizeOutcome | undefined {
    const from = task.cpuMilli;
    const outcome = this.binding.resize(task, cpuMilli);
    if (outcome === "resized" && cpuMilli < from) {
      this.queue.clusterChanged();
      this.run.requestPass();
    }
    return outcome;
  }

  /**
   * Take a task out of the run for good (a controller deleted it, as a ReplicaSet scaling down): a
   * running task leaves its node at once, a waiting one is dropped from the queue. Returns where it was.
   */
  remove(task: Task): "running" | "waiting" | undefined {
    if (this.binding.removeRunning(task)) {
      this.queue.clusterChanged();
      this.run.requestPass();
      return "running";
    }
    if (this.withdrawn.has(task) || !this.queued.has(task)) return undefined;
    this.withdrawn.add(task);
    this.kubernetesQueue?.judgeAgain();
    this.binding.forget(task);
    this.run.bus.remove(task, [], Number.NaN, this.run.sim.now);
    return "waiting";
  }

  /**
   * Evict a running task (a node drained, a higher-priority pod preempting it): it leaves its node and
   * waits again, keeping its place by arrival; its run starts over. False when it is not running.
   */
  evict(task: Task): boolean {
    if (!this.binding.evict(task)) return false;
    this.enqueue(task);
    this.queue.clusterChanged();
    return true;
  }

  /** The running tasks on `node`, in placement order. */
  tasksOn(node: number): Task[] {
    const table = this.binding.table;
    return table.idsOn(node).map((id) => table.tasks[id]!);
  }

  /** Every waiting task with the pod the scheduler sees of it, in the queue's internal order. */
  forEachWaiting(fn: (task: Task, pod: Pod) => void): void {
    for (const w of this.queue.remaining()) if (!this.withdrawn.has(w.task)) fn(w.task, w.pod);
    if (this.current && !this.withdrawn.has(this.current.task)) fn(this.current.task, this.current.pod);
  }

  /** When a running task's work begins (its start plus its sandbox's start delay); NaN when not running. */
  workStartS(task: Task): number {
    const table = this.binding.table;
    const id = table.idOf(task);
    return id === undefined ? Number.NaN : table.workFrom[id];
  }

  /** At the end: tasks still running (node, start), and tasks never started (waiting, rejected, given up). */
  leftovers(): { running: { task: Task; node: number; startS: number }[]; unplaced: Task[]; waiting: number } {
    const t = this.binding.table;
    const running: { task: Task; node: number; startS: number }[] = [];
    for (const id of t.running()) running.push({ task: t.tasks[id]!, node: t.nodeOf[id], startS: t.startOf[id] });
    running.sort((a, b) => a.task.arrivalS - b.task.arrivalS || a.task.id - b.task.id);
    const waiting = this.queue.remaining().filter((w) => !this.withdrawn.has(w.task));
    if (this.current && !this.withdrawn.has(this.current.task)) waiting.push(this.current);
    waiting.sort(byArrival);
    const unplaced = [...waiting.map((w) => w.task), ...this.rejected, ...this.givenUp].sort(
      (a, b) => a.arrivalS - b.arrivalS || a.id - b.id,
    );
    return { running, unplaced, waiting: waiting.length };
  }
}
