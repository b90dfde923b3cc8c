import type { DecisionRecord } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";

/**
 * What happens in a run, as typed events: every observer (metrics, output files, the replay, progress,
 * controllers, an RL environment's observation) is a subscriber, and the run loops only publish.
 *
 * Events are method calls with positional arguments, not objects: nothing is allocated per event, and
 * an event nobody listens to costs one loop over an empty array. Arrays passed to a listener (`nodes`)
 * are valid during the call only.
 */
export interface RunEvents {
  /** A task entered the run (from the workload, or submitted by a controller). */
  arrive(task: Task, nowS: number): void;
  /** A task was tried and did not fit: it waits. */
  queue(task: Task, nowS: number): void;
  /** A task fits no node of the cluster even when empty (or cannot run at all): it never starts. */
  reject(task: Task, reason: RejectReason, nowS: number): void;
  /** A task started on `nodes` (one node; a batch gang's nodes, one per task of the gang). */
  start(task: Task, nodes: readonly number[], nowS: number): void;
  /** A task finished its work and left; `startS` is when it started. */
  finish(task: Task, nodes: readonly number[], startS: number, nowS: number): void;
  /** A running task was killed (its node failed, or a controller deleted it); it may be resubmitted. */
  kill(task: Task, nodes: readonly number[], nowS: number): void;
  /** A running task was evicted for a higher-priority one; it goes back to the queue. */
  preempt(task: Task, nodes: readonly number[], nowS: number): void;
  /**
   * A controller removed a task for good (a replica scaled down): from its node if it ran (`startS` its
   * start), or from the queue if it waited (`nodes` empty, `startS` NaN). It is not resubmitted.
   */
  remove(task: Task, nodes: readonly number[], startS: number, nowS: number): void;
  /** A long-running task (a service replica) became ready to serve on its node. */
  ready(task: Task, node: number, nowS: number): void;
  /**
   * A running task's CPU request changed in place on its node (a pod resized, KEP-1287): `task.cpuMilli`
   * is the new request, `fromCpuMilli` the one it replaced. The task keeps running.
   */
  resize(task: Task, node: number, fromCpuMilli: number, nowS: number): void;
  /** A task was killed more often than the run retries: it counts as failed. */
  fail(task: Task, nowS: number): void;
  /** A node went down (failure) or came back. */
  nodeDown(node: number, nowS: number): void;
  nodeUp(node: number, nowS: number): void;
  /** A node joined the cluster (a node group scaled up) or left it. */
  nodeAdded(node: number, nowS: number): void;
  nodeRemoved(node: number, nowS: number): void;
  /** A placement decision with its record (only when the strategy records decisions). */
  decision(task: Task, record: DecisionRecord, nowS: number): void;
  /** A periodic observation point (every `sampleEveryS`, from 0). */
  sample(nowS: number): void;
  /** The run ended at `nowS`; listeners write what they kept for the end. */
  end(nowS: number): void;
}

export type RejectReason = "too-large" | "no-run-time";

export type RunListener = Partial<RunEvents>;

type Handlers<K extends keyof RunEvents> = RunEvents[K][];

/** Publishes run events to the subscribed listeners, in subscription order. */
export class RunBus implements RunEvents {
  private readonly arriveL: Handlers<"arrive"> = [];
  private readonly queueL: Handlers<"queue"> = [];
  private readonly rejectL: Handlers<"reject"> = [];
  private readonly startL: Handlers<"start"> = [];
  private readonly finishL: Handlers<"finish"> = [];
  private readonly killL: Handlers<"kill"> = [];
  private readonly preemptL: Handlers<"preempt"> = [];
  private readonly removeL: Handlers<"remove"> = [];
  private readonly readyL: Handlers<"ready"> = [];
  private readonly resizeL: Handlers<"resize"> = [];
  private readonly failL: Handlers<"fail"> = [];
  private readonly nodeDownL: Handlers<"nodeDown"> = [];
  private readonly nodeUpL: Handlers<"nodeUp"> = [];
  private readonly nodeAddedL: Handlers<"nodeAdded"> = [];
  private readonly nodeRemovedL: Handlers<"nodeRemoved"> = [];
  private readonly decisionL: Handlers<"decision"> = [];
  private readonly sampleL: Handlers<"sample"> = [];
  private readonly endL: Handlers<"end"> = [];

  /** Add a listener: each of its methods is called for its event, bound to the listener. */
  subscribe(l: RunListener): void {
    const add = <K extends keyof RunEvents>(list: Handlers<K>, f: RunEvents[K] | undefined) => {
      if (f) list.push(f.bind(l) as RunEvents[K]);
    };
    add(this.arriveL, l.arrive);
    add(this.queueL, l.queue);
    add(this.rejectL, l.reject);
    add(this.startL, l.start);
    add(this.finishL, l.finish);
    add(this.killL, l.kill);
    add(this.preemptL, l.preempt);
    add(this.removeL, l.remove);
    add(this.readyL, l.ready);
    add(this.resizeL, l.resize);
    add(this.failL, l.fail);
    add(this.nodeDownL, l.nodeDown);
    add(this.nodeUpL, l.nodeUp);
    add(this.nodeAddedL, l.nodeAdded);
    add(this.nodeRemovedL, l.nodeRemoved);
    add(this.decisionL, l.decision);
    add(this.sampleL, l.sample);
    add(this.endL, l.end);
  }

  /** Whether anyone listens to decisions (records are only worth building then). */
  get wantsDecisions(): boolean {
    return this.decisionL.length > 0;
  }

  arrive(task: Task, nowS: number): void {
    for (const f of this.arriveL) f(task, nowS);
  }
  queue(task: Task, nowS: number): void {
    for (const f of this.queueL) f(task, nowS);
  }
  reject(task: Task, reason: RejectReason, nowS: number): void {
    for (const f of this.rejectL) f(task, reason, nowS);
  }
  start(task: Task, nodes: readonly number[], nowS: number): void {
    for (const f of this.startL) f(task, nodes, nowS);
  }
  finish(task: Task, nodes: readonly number[], startS: number, nowS: number): void {
    for (const f of this.finishL) f(task, nodes, startS, nowS);
  }
  kill(task: Task, nodes: readonly number[], nowS: number): void {
    for (const f of this.killL) f(task, nodes, nowS);
  }
  preempt(task: Task, nodes: readonly number[], nowS: number): void {
    for (const f of this.preemptL) f(task, nodes, nowS);
  }
  remove(task: Task, nodes: readonly number[], startS: number, nowS: number): void {
    for (const f of this.removeL) f(task, nodes, startS, nowS);
  }
  ready(task: Task, node: number, nowS: number): void {
    for (const f of this.readyL) f(task, node, nowS);
  }
  resize(task: Task, node: number, fromCpuMilli: number, nowS: number): void {
    for (const f of this.resizeL) f(task, node, fromCpuMilli, nowS);
  }
  fail(task: Task, nowS: number): void {
    for (const f of this.failL) f(task, nowS);
  }
  nodeDown(node: number, nowS: number): void {
    for (const f of this.nodeDownL) f(node, nowS);
  }
  nodeUp(node: number, nowS: number): void {
    for (const f of this.nodeUpL) f(node, nowS);
  }
  nodeAdded(node: number, nowS: number): void {
    for (const f of this.nodeAddedL) f(node, nowS);
  }
  nodeRemoved(node: number, nowS: number): void {
    for (const f of this.nodeRemovedL) f(node, nowS);
  }
  decision(task: Task, record: DecisionRecord, nowS: number): void {
    for (const f of this.decisionL) f(task, record, nowS);
  }
  sample(nowS: number): void {
    for (const f of this.sampleL) f(nowS);
  }
  end(nowS: number): void {
    for (const f of this.endL) f(nowS);
  }
}
