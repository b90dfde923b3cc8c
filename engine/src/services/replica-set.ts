import { task as makeTask, type Task } from "@clustersim/workloads";
import type { ControllerContext } from "../controllers/controller.js";
import type { ResizeOutcome } from "../runs/scheduling-loop.js";
import type { ServiceConfig, VirtualNode } from "./service-config.js";

/**
 * A resize the node has not applied (a pod's PodResizePending condition, Kubernetes v1.33): the request
 * asked for, why (Deferred: no room now, retried; Infeasible: more than the node's allocatable, never
 * retried), and when the VPA updater first saw it pending (NaN until it has).
 */
export interface PendingResize {
  cpuMilli: number;
  reason: "deferred" | "infeasible";
  seenS: number;
}

/**
 * A service's replicas, as a ReplicaSet keeps them: pods waiting for a node (pending), placed and
 * starting (pulling the image, starting the sandbox, passing the readiness delay), and ready (serving).
 * Scaling down deletes in upstream's order (pkg/controller/controller_utils.go, ActivePodsWithRanks):
 * unscheduled before scheduled, not ready before ready, then the most recently ready first; among
 * pending or starting pods, the newest first. A placed replica's CPU request may be resized in place;
 * a resize its node cannot apply stays pending with the replica until it is applied or the replica goes.
 */
export class ReplicaSet {
  /** Insertion-ordered: oldest first. */
  readonly pending = new Set<Task>();
  /** Starting replicas and when each will be ready. */
  readonly starting = new Map<Task, number>();
  /** Ready replicas and since when. */
  readonly ready = new Map<Task, number>();
  /** The node of each placed replica, and when it was placed. */
  readonly nodeOf = new Map<Task, number>();
  readonly startedAt = new Map<Task, number>();
  /** The request new replicas get (a VPA may change it), and the CPU the placed replicas request. */
  readonly template: ServiceConfig["replica"];
  placedCpuMilli = 0;
  /**
   * The sizes of ready, of starting + ready (placed) and of all three (replicas), kept as the sets
   * change (./services-controller.ts reads them every tick, for every service).
   */
  private readyTotal = 0;
  private placedCount = 0;
  private replicaCount = 0;
  /** The bounds an autoscaler keeps the count in (a controller may change them). */
  minReplicas: number;
  maxReplicas: number;
  /** Replicas restarted by a VPA. */
  restarts = 0;
  /** Placed replicas with a resize their node has not applied. */
  readonly resizePending = new Map<Task, PendingResize>();
  /** Replicas created so far (ids), scale events. */
  private created = 0;
  scaleUps = 0;
  /** Counts changes to the ready replicas (what a cache of their machines' figures keys on). */
  readyVersion = 0;
  /**
   * How long a new replica took from its creation to being ready, smoothed over the latest (weight 0.2
   * each); NaN before the first.
   */
  readyLeadS = Number.NaN;
  /** When a replica last became ready (−∞: none yet). */
  lastReadyS = Number.NEGATIVE_INFINITY;
  scaleDowns = 0;

  constructor(
    readonly config: ServiceConfig,
    private readonly ctx: ControllerContext,
    /** Tells the owner which tasks are this set's replicas. */
    private readonly own: (t: Task, set: ReplicaSet) => void,
    /** The virtual (serverless) node's start latency, for nodes that are virtual. */
    private readonly virtual?: (node: number) => VirtualNode | undefined,
    /** Task ids for new replicas, unique in the run (default: 0, 1, ...). */
    private readonly nextId: () => number = () => this.created,
  ) {
    this.template = { ...config.replica };
    this.minReplicas = config.minReplicas;
    this.maxReplicas = config.maxReplicas;
  }

  /** The desired count (spec.replicas): every replica, placed or not. */
  get replicas(): number {
    return this.replicaCount;
  }

  /** Placed replicas (starting or ready): the ones holding a node's resources. */
  get placed(): number {
    return this.placedCount;
  }

  /** Ready replicas (ready.size, kept as it changes). */
  get readyCount(): number {
    return this.readyTotal;
  }

  /**
   * Told of every change to where the replicas are, which are ready, or their requests: a reader that
   * keeps what it derived from them (the load-aware forecast's node shares) knows when to derive it again.
   */
  onChange?: () => void;
  /** Counts the same changes as `onChange` is told of (what a cache of the placed replicas keys on). */
  changes = 0;

  /** The counts after a change to pending, starting or ready. */
  private recount(): void {
    this.changes++;
    this.onChange?.();
    this.readyTotal = this.ready.size;
    this.placedCount = this.starting.size + this.readyTotal;
    this.replicaCount = this.pending.size + this.placedCount;
  }

  scaleTo(n: number): void {
    const now = this.replicas;
    if (n > now) {
      this.scaleUps++;
      for (let i = now; i < n; i++) this.create();
    } else if (n < now) {
      this.scaleDowns++;
      for (const t of this.toDelete(now - n)) this.delete(t);
    }
  }

  private create(): void {
    const c = this.config;
    // The template's fields, then the replica's own set one by one: on Node 20 an object literal that
    // adds fields after a spread gets a hidden class of its own every time (12 µs a replica against
    // 1.2 µs so; bench:services' set-up of 215,262 replicas went from 14-17 s to 11.7 s). The fields
    // end in the same order as the literal's.
    const made = makeTask(this.template as Task);
    made.id = this.nextId();
    made.arrivalS = this.ctx.nowS;
    made.app = c.name;
    made.workload = `service:${c.name}`;
    made.service = c.name;
    // The run's own copy of it: the task the replica is from here on.
    const t = this.ctx.submit(made);
    this.created++;
    this.own(t, this);
    this.pending.add(t);
    this.recount();
  }

  private toDelete(k: number): Task[] {
    const out = [...this.pending].reverse().slice(0, k);
    if (out.length < k) out.push(...[...this.starting.keys()].reverse().slice(0, k - out.length));
    if (out.length < k) {
      const byReadyDesc = [...this.ready].sort((a, b) => b[1] - a[1] || b[0].id - a[0].id).map(([t]) => t);
      out.push(...byReadyDesc.slice(0, k - out.length));
    }
    return out;
  }

  /** Replace a replica by a new one of the current template (a VPA's eviction; the ReplicaSet recreates it). */
  restart(t: Task): void {
    this.delete(t);
    this.create();
    this.restarts++;
  }

  /**
   * Resize a placed replica's CPU request in place (through the run: ControllerContext.resize). One the
   * node cannot apply now, or ever, stays pending (`resizePending`); applied, the run's `resize` event
   * moves the set's CPU (`resized`). Undefined when the replica is not running.
   */
  resize(t: Task, cpuMilli: number): ResizeOutcome | undefined {
    const outcome = this.ctx.resize(t, cpuMilli);
    if (outcome === "deferred" || outcome === "infeasible") {
      const was = this.resizePending.get(t);
      this.resizePending.set(t, { cpuMilli, reason: outcome, seenS: was?.seenS ?? Number.NaN });
    } else this.resizePending.delete(t);
    return outcome;
  }

  /**
   * The kubelet tries deferred resizes again at each sync of their pod (an infeasible one never):
   * returns how many it applied.
   */
  retryResizes(): number {
    let applied = 0;
    for (const [t, r] of this.resizePending) {
      if (r.reason === "deferred" && this.resize(t, r.cpuMilli) === "resized") applied++;
    }
    return applied;
  }

  /** A placed replica's request changed in place (the run's `resize` event). */
  resized(t: Task, fromCpuMilli: number): void {
    if (this.nodeOf.has(t)) this.placedCpuMilli += t.cpuMilli - fromCpuMilli;
    this.changes++;
    this.onChange?.();
  }

  /**
   * Whether a placed replica's container runs: its pod's phase is Running (past the image pull and the
   * sandbox's start; it may not be ready yet). Before that the pod is Pending.
   */
  isRunning(t: Task): boolean {
    if (this.ready.has(t)) return true;
    const readyAt = this.starting.get(t);
    return readyAt !== undefined && this.ctx.nowS >= readyAt - this.config.readinessS;
  }

  private delete(t: Task): void {
    this.resizePending.delete(t);
    this.pending.delete(t);
    this.starting.delete(t);
    if (this.ready.delete(t)) this.readyVersion++;
    if (this.nodeOf.delete(t)) this.placedCpuMilli -= t.cpuMilli;
    this.startedAt.delete(t);
    this.recount();
    this.ctx.remove(t);
  }

  /**
   * A replica was placed: it becomes ready after its image pull, its sandbox's start and the readiness
   * delay; on a virtual (serverless) node, after the provider's start latency (its sandbox's start),
   * its image pull (none from an image cache) and the readiness delay.
   */
  placedOn(t: Task, node: number): void {
    if (!this.pending.delete(t)) return;
    const c = this.config;
    const virtual = this.virtual?.(node);
    const readyAt = virtual
      ? this.ctx.nowS +
        virtual.startS(this.ctx.rng(`${c.name}/virtual-start`)) +
        (virtual.imageCache ? 0 : c.imagePullS) +
        c.readinessS
      : this.ctx.workStartS(t) + c.imagePullS + c.readinessS;
    this.starting.set(t, readyAt);
    this.nodeOf.set(t, node);
    this.placedCpuMilli += t.cpuMilli;
    this.startedAt.set(t, this.ctx.nowS);
    this.recount();
    this.ctx.at(readyAt, () => this.becomeReady(t, node, readyAt, true));
  }

  /**
   * A starting replica passes its readiness delay at `readyAt`, unless it went (or was placed or
   * started again) meanwhile. Only a new replica's time from creation feeds `readyLeadS`: a restarted
   * container's is its back-off's.
   */
  private becomeReady(t: Task, node: number, readyAt: number, created: boolean): void {
    if (this.starting.get(t) !== readyAt) return;
    this.starting.delete(t);
    this.ready.set(t, this.ctx.nowS);
    this.recount();
    this.lastReadyS = this.ctx.nowS;
    if (created) {
      const lead = this.ctx.nowS - t.arrivalS;
      this.readyLeadS = Number.isNaN(this.readyLeadS) ? lead : 0.8 * this.readyLeadS + 0.2 * lead;
    }
    this.readyVersion++;
    this.ctx.markReady(t, node);
  }

  /**
   * A ready replica's container was killed (over its memory limit: ./replica-memory.ts). It is not
   * ready, and counts as starting; the kubelet starts the container again in the same pod on the same
   * node at `startS` (its back-off over), ready after the readiness delay. The pod keeps its sandbox
   * and the node its image, so neither the sandbox's start nor the pull is paid again. `onStart` is
   * called when the container starts, unless the replica went (deleted, or its node lost) first.
   */
  containerKilled(t: Task, startS: number, onStart: () => void): void {
    if (!this.ready.delete(t)) return;
    this.readyVersion++;
    const node = this.nodeOf.get(t)!;
    const readyAt = startS + this.config.readinessS;
    this.starting.set(t, readyAt);
    this.recount();
    const started = () => {
      if (this.starting.get(t) === readyAt) onStart();
    };
    if (startS <= this.ctx.nowS) started();
    else this.ctx.at(startS, started);
    this.ctx.at(readyAt, () => this.becomeReady(t, node, readyAt, false));
  }

  /** A replica's node failed: the run resubmits it, and it is pending again. */
  lost(t: Task): void {
    this.resizePending.delete(t);
    if (!this.starting.delete(t)) {
      if (!this.ready.delete(t)) return;
      this.readyVersion++;
    }
    if (this.nodeOf.delete(t)) this.placedCpuMilli -= t.cpuMilli;
    this.startedAt.delete(t);
    this.pending.add(t);
    this.recount();
  }

  /** A replica the run gave up on (retried out): the ReplicaSet makes a new one. */
  failed(t: Task): void {
    if (!this.pending.delete(t)) return;
    this.recount();
    this.create();
  }
}
