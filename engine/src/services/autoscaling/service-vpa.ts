import type { Task } from "@clustersim/workloads";
import type { ReplicaSet } from "../replica-set.js";
import type { VpaMode } from "../service-config.js";
import { type VpaRecommendation, VpaRecommender } from "./vpa-recommender.js";

/** The VPA updater's defaults (pkg/updater): at least 2 replicas, half of them evicted per loop, 12 h, 10%. */
const VPA_MIN_REPLICAS = 2;
const VPA_EVICTION_TOLERANCE = 0.5;
const VPA_LIFETIME_S = 12 * 3600;
const VPA_UPDATE_THRESHOLD = 0.1;
/** --recommender-interval and --updater-interval (1 min). */
export const VPA_INTERVAL_S = 60;
/**
 * How long an in-place resize may stay Deferred before the updater evicts the pod instead
 * (pkg/updater/restriction/pods_inplace_restriction.go, DeferredResizeUpdateTimeout, VPA 1.5.0).
 */
export const VPA_DEFERRED_RESIZE_TIMEOUT_S = 5 * 60;

/**
 * How many running replicas the VPA updater may evict in one loop (pkg/updater/eviction,
 * PodsEvictionRestriction.CanEvict, VPA 1.5.0): those running beyond configured − tolerance, the
 * tolerance floor(configured × 0.5); and one when every configured replica runs and the tolerance is 0.
 * Replicas not running (pending) do not count as alive: 10 configured with 4 pending allow 1 eviction.
 * In-place resizes the updater starts take from the same budget (singleGroupStats.isPodDisruptable).
 */
export function vpaEvictionBudget(configured: number, running: number): number {
  const tolerance = Math.floor(configured * VPA_EVICTION_TOLERANCE);
  const budget = Math.max(0, running - (configured - tolerance));
  return budget === 0 && tolerance === 0 && running === configured ? 1 : budget;
}

/**
 * One service's Vertical Pod Autoscaler for CPU: its recommender, fed each ready replica's CPU over
 * the minute, and in "Recreate" or "InPlaceOrRecreate" mode its updater.
 */
export class ServiceVpa {
  private readonly recommender = new VpaRecommender();
  private sum = 0;
  private ticks = 0;
  /** The last recommendation, for the summary. */
  last: VpaRecommendation | undefined;
  /** Resizes applied in place, and replicas evicted because theirs was infeasible or deferred too long. */
  inPlaceResizes = 0;
  inPlaceFallbacks = 0;

  constructor(private readonly mode: VpaMode) {}

  /** A tick's CPU usage per ready replica, cores. */
  record(perReplicaCores: number): void {
    this.sum += perReplicaCores;
    this.ticks++;
  }

  /**
   * Every minute: the recommender takes the minute's mean as a sample; the updater then acts on
   * replicas whose request is outside the recommended bounds (or, after 12 h, 10% off the target):
   * never below 2 replicas, and at most half of them per minute (at least one), scale-ups first.
   * Recreate restarts them with the target as request; InPlaceOrRecreate resizes running ones in place
   * (`inPlace` below). Pending replicas (no node yet) are restarted in both, outside the budget, so
   * that they take the target.
   */
  loop(set: ReplicaSet, nowS: number): void {
    if (this.ticks > 0) this.recommender.addSample(this.sum / this.ticks, nowS, set.ready.size);
    this.sum = 0;
    this.ticks = 0;
    const rec = this.recommender.recommend();
    this.last = rec;
    if (this.mode === "InPlaceOrRecreate") this.seePendingResizes(set, nowS);
    if (!rec || this.mode === "Off") return;
    const stale = (t: Task) => {
      const r = t.cpuMilli;
      if (r < rec.lowerMilli || r > rec.upperMilli) return true;
      const since = set.startedAt.get(t);
      return (
        since !== undefined &&
        nowS - since >= VPA_LIFETIME_S &&
        Math.abs(r - rec.targetMilli) / r >= VPA_UPDATE_THRESHOLD
      );
    };
    const candidates = [...set.pending, ...set.starting.keys(), ...set.ready.keys()].filter(stale);
    if (candidates.length === 0) return;
    set.template.cpuMilli = rec.targetMilli;
    const configured = set.replicas;
    if (configured < VPA_MIN_REPLICAS) return;
    let budget = vpaEvictionBudget(configured, set.placed);
    candidates.sort((a, b) => {
      const up = (t: Task) => (rec.targetMilli > t.cpuMilli ? 1 : 0);
      const diff = (t: Task) => Math.abs(t.cpuMilli - rec.targetMilli) / t.cpuMilli;
      return up(b) - up(a) || diff(b) - diff(a) || a.id - b.id;
    });
    if (this.mode === "InPlaceOrRecreate") {
      this.inPlace(set, candidates, rec.targetMilli, budget, nowS);
      return;
    }
    for (const t of candidates) {
      // A pending pod is always evictable; a placed one takes from the budget.
      if (!set.pending.has(t)) {
        if (budget <= 0) continue;
        budget--;
      }
      set.restart(t);
    }
  }

  /**
   * Before the updater looks: the kubelet has retried each deferred resize (at every sync of its pod,
   * about once a minute: modelled here, once per loop), and the updater starts the clock of each resize
   * still pending the first time it sees it (CanEvictInPlacingPod records the time then, not at the
   * request: a loop after it).
   */
  private seePendingResizes(set: ReplicaSet, nowS: number): void {
    this.inPlaceResizes += set.retryResizes();
    for (const r of set.resizePending.values()) if (Number.isNaN(r.seenS)) r.seenS = nowS;
  }

  /**
   * InPlaceOrRecreate (pkg/updater/logic/updater.go and restriction/pods_inplace_restriction.go, VPA
   * 1.5.0, against Kubernetes v1.33's in-place pod resize), in priority order:
   * - a pending replica (no node yet) restarts, as in Recreate;
   * - a placed replica whose container has not started (phase Pending) is left for a later loop;
   * - one whose last resize is still pending is evicted when that resize was Infeasible or has been
   *   Deferred more than 5 minutes since the updater first saw it; otherwise it waits;
   * - any other is resized in place to the target, at once where its node has room (CPU resize with
   *   the default resize policy restarts nothing: it keeps serving), else its resize stays pending.
   * Each resize started takes one from the loop's budget, as would an eviction; the evictions come
   * after every resize, within what budget is left.
   */
  private inPlace(set: ReplicaSet, candidates: readonly Task[], targetMilli: number, budget: number, nowS: number) {
    const evict: Task[] = [];
    for (const t of candidates) {
      if (set.pending.has(t)) {
        set.restart(t);
        continue;
      }
      const pending = set.resizePending.get(t);
      if (pending) {
        const waited = nowS - pending.seenS;
        if (pending.reason === "infeasible" || waited > VPA_DEFERRED_RESIZE_TIMEOUT_S) evict.push(t);
        continue;
      }
      if (!set.isRunning(t) || budget <= 0) continue;
      budget--;
      if (set.resize(t, targetMilli) === "resized") this.inPlaceResizes++;
    }
    for (const t of evict) {
      if (budget <= 0) break;
      budget--;
      set.restart(t);
      this.inPlaceFallbacks++;
    }
  }
}
