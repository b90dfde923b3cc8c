import type { EventKind, Simulation } from "@clustersim/sim-core";
import { Heap } from "./heap.js";
import { Aside, type QuietFailures } from "./hopeless-aside.js";
import { prioritySort } from "./priority-sort.js";
import { byArrival, type Waiting, type WaitingQueue } from "./waiting-queue.js";

/**
 * kube-scheduler's scheduling queue as Kubernetes v1.31 runs it by default (pkg/scheduler/internal/queue/
 * scheduling_queue.go and plugins/queuesort/priority_sort.go; SchedulerQueueingHints off, its v1.31
 * default), with zero scheduling latency:
 * - activeQ, ordered by the default QueueSort (PrioritySort: higher priority first, then the earlier
 *   queue timestamp); the scheduling pass pops one pod at a time, each pop one scheduling cycle;
 * - a pod that does not fit goes to the unschedulable pods, or to the back-off queue when a cluster
 *   event happened since its cycle began (a move request: it might fit now);
 * - cluster events that may make pods fit (a pod leaving, a node added or back up) move every
 *   unschedulable pod to activeQ, or to the back-off queue while its back-off lasts;
 * - back-off is 1 s doubling per attempt up to 10 s (the defaults), counted from the last failure,
 *   whose time is also the pod's new queue timestamp; the back-off queue is flushed on every whole
 *   second, and pods unschedulable for over 5 minutes are moved back by the leftover flush every 30 s,
 *   as upstream's timers do.
 * So no pod blocks another (no head-of-line blocking), and a waiting pod may retry late: upstream
 * trades that against retrying every pod on every event.
 *
 * Cluster events move every unschedulable pod, as upstream does with QueueingHints off (the v1.31
 * default). With hints on (the v1.32 default) a deleted assigned pod also moves every pod, but a node
 * added moves only the pods that would fit it empty: here it moves them all. Not modelled: scheduling
 * gates, nominated nodes, pods failing with no rejecting plugin (no nodes at all).
 * v1.33, whose scores and filters the rest of the default scheduler follows, also pops the head of the
 * back-off queue when activeQ is empty (SchedulerPopFromBackoffQ, beta and on) and aligns back-off expiry
 * to whole seconds: neither is modelled.
 *
 * Under overload most pods in activeQ fit nowhere, and each is popped, tried and failed again every
 * time its back-off ends: a heap pop and a filter pass for nothing. With the run's rule for such pods
 * (`QuietFailures`), a pod entering activeQ between passes that the rule calls hopeless is kept aside,
 * still in activeQ, outside the heap; when the heap runs dry at the end of a pass, the pods aside fail
 * together as their tries would have (attempt counted, queue timestamp, back-off, unschedulable).
 * Binding pods only takes room, so a pod hopeless when the pass began stays hopeless until its turn
 * unless room grows within the pass (a preemption's victims leave, a warm instance is handed over):
 * then, and whenever room may have grown, the pods aside are judged again, and during a pass those
 * that activeQ would already have popped fail first, as they did then. One thing a failure does
 * depends on its moment: the first failure after the leftover flush was cancelled sets it again (its
 * place among events at the same time, and whether it is set at all, as it is not while nothing else
 * is pending). So while the flush is not set, the first pod aside comes out in its turn, as activeQ
 * would pop it. The events are the same as trying every pod (engine/test/quiet-failures.test.ts).
 */
export const INITIAL_BACKOFF_S = 1;
export const MAX_BACKOFF_S = 10;
const BACKOFF_FLUSH_S = 1;
const LEFTOVER_FLUSH_S = 30;
const MAX_UNSCHEDULABLE_S = 300;

/** Back-off after `attempts` failed attempts: 1 s, 2 s, 4 s, 8 s, then 10 s. */
export function backoffS(attempts: number): number {
  let d = INITIAL_BACKOFF_S;
  for (let i = 1; i < attempts; i++) {
    if (d > MAX_BACKOFF_S - d) return MAX_BACKOFF_S;
    d += d;
  }
  return d;
}

/** Upstream's flush timers tick every period from the scheduler's start (time 0 here). */
const nextTick = (nowS: number, periodS: number) => (Math.floor(nowS / periodS) + 1) * periodS;

export type { QuietFailures } from "./hopeless-aside.js";

export class KubernetesQueue implements WaitingQueue {
  private readonly active = new Heap<Waiting>(prioritySort);
  /**
   * Pods in back-off by the whole second whose flush releases them: flushes fall on every whole second
   * while any pod waits out its back-off, and move every pod whose back-off has ended, in whatever
   * order (activeQ orders them), so a bucket per second replaces upstream's heap at O(1) a pod.
   */
  private readonly backoff = new Map<number, Waiting[]>();
  private backoffSize = 0;
  /** The bucket toBackoff used last, and its second (NaN once a flush changed the buckets). */
  private lastSecond = Number.NaN;
  private lastBucket: Waiting[] | undefined;
  private unschedulable: Waiting[] = [];
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private readonly backoffFlush: EventKind;
  private readonly leftoverFlush: EventKind;
  private backoffTimer = false;
  /** The pending leftover flush, cancelled when no pod is left unschedulable (so it never outlasts the run). */
  private leftoverTimer = -1;
  private quiet: QuietFailures | null = null;
  /** Pods in activeQ outside the heap, hopeless by the rule (see the class). */
  private readonly aside = new Aside();
  /** The rule's room growth when the pods aside were last judged. */
  private asideJudgedAt = 0;
  /** The pod popped last in the pass under way; null between passes. */
  private lastPopped: Waiting | null = null;

  constructor(
    private readonly sim: Simulation,
    /** Called when pods became active outside a pass (a timer moved them): the run schedules a pass. */
    private readonly wake: () => void,
  ) {
    this.backoffFlush = sim.on("k8s-backoff-flush", () => this.flushBackoff());
    this.leftoverFlush = sim.on("k8s-unschedulable-flush", () => this.flushLeftover());
  }

  /** Keep pods that can only fail aside (see the class); without a rule every pod is tried. */
  setQuietFailures(rule: QuietFailures): void {
    this.quiet = rule;
    this.asideJudgedAt = rule.roomGrowth();
  }

  add(w: Waiting): void {
    w.timestampS = this.sim.now;
    this.active.push(w);
  }

  pop(): Waiting | undefined {
    this.judgeAside();
    let w: Waiting | undefined;
    if (this.aside.size > 0 && this.leftoverTimer < 0) {
      // No failure has set the leftover flush since it was cancelled: the next failure's moment
      // matters, so the first pod aside comes out in its turn (see the class).
      const first = this.aside.first();
      const top = this.active.peek();
      if (top === undefined || prioritySort(first, top)) w = this.aside.take(first);
    }
    if (w === undefined) w = this.active.pop();
    if (w === undefined && this.aside.size > 0) {
      // The heap ran dry with the flush set (else the branch above took the pod): the rest fail together.
      const aside = this.aside.drain();
      if (this.quiet!.mayFailAll(aside)) {
        for (const h of aside) this.failUntried(h);
        this.quiet!.failedQuietly(aside.length);
      } else {
        this.active.pushAll(aside);
        w = this.active.pop();
      }
    }
    if (w) {
      w.attempts++;
      w.cycle = ++this.schedulingCycle;
    }
    this.lastPopped = w ?? null;
    return w;
  }

  failed(w: Waiting): void {
    const now = this.sim.now;
    w.timestampS = now;
    w.backoffUntilS = now + backoffS(w.attempts);
    if (this.moveRequestCycle >= w.cycle) this.toBackoff(w);
    else {
      w.unschedulableSinceS = now;
      this.unschedulable.push(w);
      this.armLeftover();
    }
  }

  clusterChanged(): void {
    this.spillAside();
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.length === 0) return;
    const moved = this.unschedulable;
    this.unschedulable = [];
    if (this.leftoverTimer >= 0) this.sim.cancel(this.leftoverTimer);
    this.leftoverTimer = -1;
    const now = this.sim.now;
    let active = 0;
    for (const w of moved) {
      if (w.backoffUntilS > now) this.toBackoff(w);
      else moved[active++] = w;
    }
    moved.length = active;
    this.activate(moved);
  }

  get size(): number {
    return this.active.size + this.aside.size + this.backoffSize + this.unschedulable.length;
  }

  remaining(): Waiting[] {
    return [
      ...this.active.toArray(),
      ...this.aside.pods(),
      ...[...this.backoff.values()].flat(),
      ...this.unschedulable,
    ].sort(byArrival);
  }

  private activeOrBackoff(w: Waiting): void {
    if (w.backoffUntilS > this.sim.now) this.toBackoff(w);
    else this.activate([w]);
  }

  /** Pods into activeQ: aside those the rule calls hopeless, between passes; the rest into the heap. */
  private activate(ws: Waiting[]): void {
    const rule = this.quiet;
    if (rule !== null && this.lastPopped === null) {
      this.judgeAside();
      let k = 0;
      for (const w of ws) {
        if (rule.hopeless(w)) this.aside.add(w);
        else ws[k++] = w;
      }
      ws.length = k;
    }
    this.active.pushAll(ws);
  }

  /** The rule may judge pods differently now: the pods aside are judged again. */
  judgeAgain(): void {
    this.spillAside();
  }

  /** Judge the pods aside again if room may have grown since they were. */
  private judgeAside(): void {
    if (this.quiet !== null && this.quiet.roomGrowth() !== this.asideJudgedAt) this.spillAside();
  }

  /**
   * Room may have grown: in a pass, each pod aside that activeQ would have popped before the last pop
   * (all of them were in activeQ when the pass began) fails as it did then, and the rest go to the heap;
   * between passes, those still hopeless stay aside.
   */
  private spillAside(): void {
    const rule = this.quiet;
    if (rule === null) return;
    this.asideJudgedAt = rule.roomGrowth();
    if (this.aside.size === 0) return;
    const aside = this.aside.drain();
    const last = this.lastPopped;
    const back: Waiting[] = [];
    let failed = 0;
    for (const w of aside) {
      if (last !== null && prioritySort(w, last)) {
        this.failUntried(w);
        failed++;
      } else if (last === null && rule.hopeless(w)) this.aside.add(w);
      else back.push(w);
    }
    if (failed > 0) rule.failedQuietly(failed);
    this.active.pushAll(back);
  }

  /** A pod aside fails as its try would have: popped (an attempt, a cycle) and handed back. */
  private failUntried(w: Waiting): void {
    w.attempts++;
    w.cycle = ++this.schedulingCycle;
    this.failed(w);
  }

  private toBackoff(w: Waiting): void {
    const second = Math.ceil(w.backoffUntilS);
    // Pods handed over together mostly share their second: the last bucket first.
    let bucket = second === this.lastSecond ? this.lastBucket : this.backoff.get(second);
    if (bucket === undefined) {
      bucket = [];
      this.backoff.set(second, bucket);
    }
    this.lastSecond = second;
    this.lastBucket = bucket;
    bucket.push(w);
    this.backoffSize++;
    if (!this.backoffTimer) {
      this.backoffTimer = true;
      this.sim.at(nextTick(this.sim.now, BACKOFF_FLUSH_S), this.backoffFlush);
    }
  }

  private armLeftover(): void {
    // With nothing else pending the cluster can never change again, so retrying could only fail: no
    // timer, and a run without an end time ends (upstream's flush guards against missed events; a
    // simulation misses none).
    if (this.leftoverTimer >= 0 || this.sim.pending === 0) return;
    this.leftoverTimer = this.sim.at(nextTick(this.sim.now, LEFTOVER_FLUSH_S), this.leftoverFlush);
  }

  private flushBackoff(): void {
    const now = this.sim.now;
    this.lastSecond = Number.NaN;
    let moved = false;
    // Every bucket of a second up to now is due whole (at a whole-second flush, the only kind, the one
    // bucket that is); a bucket of the second after a fractional now, only in part.
    for (const [second, bucket] of this.backoff) {
      if (second > Math.ceil(now)) continue;
      const due = second <= now ? bucket : bucket.filter((w) => w.backoffUntilS <= now);
      if (due.length === 0) continue;
      if (due === bucket) this.backoff.delete(second);
      else
        this.backoff.set(
          second,
          bucket.filter((w) => w.backoffUntilS > now),
        );
      this.backoffSize -= due.length;
      this.activate(due);
      moved = true;
    }
    this.backoffTimer = this.backoffSize > 0;
    if (this.backoffTimer) this.sim.at(nextTick(now, BACKOFF_FLUSH_S), this.backoffFlush);
    if (moved) this.wake();
  }

  private flushLeftover(): void {
    const now = this.sim.now;
    const keep: Waiting[] = [];
    let moved = false;
    for (const w of this.unschedulable) {
      if (now - w.unschedulableSinceS > MAX_UNSCHEDULABLE_S) {
        this.activeOrBackoff(w);
        moved = true;
      } else keep.push(w);
    }
    this.unschedulable = keep;
    this.leftoverTimer =
      keep.length > 0 && this.sim.pending > 0 ? this.sim.at(nextTick(now, LEFTOVER_FLUSH_S), this.leftoverFlush) : -1;
    if (moved) this.wake();
  }
}
