import type { Task } from "@clustersim/workloads";
import type { ReplicaSet } from "../replica-set.js";
import { type VpaRecommendation, VpaRecommender } from "./vpa-recommender.js";

/** The VPA updater's defaults (pkg/updater): at least 2 replicas, half of them evicted per loop, 12 h, 10%. */
const VPA_MIN_REPLICAS = 2;
const VPA_EVICTION_TOLERANCE = 0.5;
const VPA_LIFETIME_S = 12 * 3600;
const VPA_UPDATE_THRESHOLD = 0.1;
/** --recommender-interval and --updater-interval (1 min). */
export const VPA_INTERVAL_S = 60;

/**
 * How many running replicas the VPA updater may evict in one loop (pkg/updater/eviction,
 * PodsEvictionRestriction.CanEvict, VPA 1.5.0): those running beyond configured − tolerance, the
 * tolerance floor(configured × 0.5); and one when every configured replica runs and the tolerance is 0.
 * Replicas not running (pending) do not count as alive: 10 configured with 4 pending allow 1 eviction.
 */
export function vpaEvictionBudget(configured: number, running: number): number {
  const tolerance = Math.floor(configured * VPA_EVICTION_TOLERANCE);
  const budget = Math.max(0, running - (configured - tolerance));
  return budget === 0 && tolerance === 0 && running === configured ? 1 : budget;
}

/**
 * One service's Vertical Pod Autoscaler for CPU: its recommender, fed each ready replica's CPU over
 * the minute, and in "Recreate" mode its updater.
 */
export class ServiceVpa {
  private readonly recommender = new VpaRecommender();
  private sum = 0;
  private ticks = 0;
  /** The last recommendation, for the summary. */
  last: VpaRecommendation | undefined;

  constructor(private readonly mode: "Recreate" | "Off") {}

  /** A tick's CPU usage per ready replica, cores. */
  record(perReplicaCores: number): void {
    this.sum += perReplicaCores;
    this.ticks++;
  }

  /**
   * Every minute: the recommender takes the minute's mean as a sample; in Recreate mode the updater then
   * restarts, with the target as request, replicas whose request is outside the recommended bounds (or,
   * after 12 h, 10% off the target): never below 2 replicas, and at most half of them per minute (at
   * least one), scale-ups first.
   */
  loop(set: ReplicaSet, nowS: number): void {
    if (this.ticks > 0) this.recommender.addSample(this.sum / this.ticks, nowS, set.ready.size);
    this.sum = 0;
    this.ticks = 0;
    const rec = this.recommender.recommend();
    this.last = rec;
    if (!rec || this.mode !== "Recreate") return;
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
    for (const t of candidates) {
      // A pending pod is always evictable; a placed one takes from the budget.
      if (!set.pending.has(t)) {
        if (budget <= 0) continue;
        budget--;
      }
      set.restart(t);
    }
  }
}
