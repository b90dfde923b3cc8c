import type { ReplicaSet } from "../replica-set.js";
import type { AutoscalerConfig, ServiceConfig } from "../service-config.js";
import { HorizontalAutoscaler } from "./horizontal-autoscaler.js";
import { externalPerPodReplicas, MetricUnavailable, type UniformPods, uniformReplicas } from "./replica-calculator.js";

/** The replicas the cron windows on at `nowS` ask for (0: none on). */
function scheduledReplicas(a: AutoscalerConfig, nowS: number): number {
  let most = 0;
  for (const w of a.schedules ?? []) {
    const t = w.everyS ? nowS - Math.floor(nowS / w.everyS) * w.everyS : nowS;
    if (t >= w.fromS && t < w.toS && w.replicas > most) most = w.replicas;
  }
  return most;
}

/**
 * One service's Horizontal Pod Autoscaler (./horizontal-autoscaler.ts, the replica calculator) with
 * what it reads: per-tick CPU usage and requests served per ready replica over the metric window
 * (rings), KEDA's activation and cool-down for a queue metric, and KEDA's cron windows.
 */
export class ServiceHpa {
  readonly config: AutoscalerConfig;
  private readonly hpa: HorizontalAutoscaler;
  private readonly cpuPerPod: Float64Array;
  private readonly rpsPerPod: Float64Array;
  private filled = 0;
  private at = 0;
  /** KEDA: when the trigger was last active. */
  private lastActiveS = 0;
  /** The pods of the service being synced, as counts (reused). */
  private readonly uniform: UniformPods = { ready: 0, unready: 0, missing: 0, metricMilli: 0, requestMilli: 0 };

  constructor(
    private readonly service: ServiceConfig,
    tickS: number,
  ) {
    const a = service.autoscaler!;
    this.config = a;
    const window = Math.max(1, Math.round(a.metricWindowS / tickS));
    // With a queue metric and minReplicas 0, KEDA owns 0 ↔ 1 and the HPA runs from 1 up.
    const min = a.metric.type === "queue" ? Math.max(1, service.minReplicas) : service.minReplicas;
    this.hpa = new HorizontalAutoscaler({ minReplicas: min, maxReplicas: service.maxReplicas, behavior: a.behavior });
    this.cpuPerPod = new Float64Array(window);
    this.rpsPerPod = new Float64Array(window);
  }

  /** A tick's figures: CPU used (cores) and requests served per second, over `ready` replicas; the queue. */
  record(nowS: number, ready: number, usageCores: number, servedPerS: number, queued: number): void {
    this.cpuPerPod[this.at] = ready > 0 ? usageCores / ready : 0;
    this.rpsPerPod[this.at] = ready > 0 ? servedPerS / ready : 0;
    this.at = (this.at + 1) % this.cpuPerPod.length;
    if (this.filled < this.cpuPerPod.length) this.filled++;
    const m = this.config.metric;
    if (m.type === "queue" && queued > m.activationThreshold) this.lastActiveS = nowS;
  }

  /** One sync: resize `set`, the last tick's queue `queued`. */
  sync(set: ReplicaSet, nowS: number, queued: number): void {
    const m = this.config.metric;
    const current = set.replicas;
    const scheduled = scheduledReplicas(this.config, nowS);
    if (m.type === "queue") {
      // A cron window on is activity too (KEDA's cron scaler is active while it runs).
      const active = queued > m.activationThreshold || scheduled > 0;
      // KEDA's activation: from zero on activity, and back to zero after the cool-down without it.
      if (current === 0) {
        if (active) set.scaleTo(Math.max(1, this.service.minReplicas));
        return;
      }
      if (this.service.minReplicas === 0 && !active && nowS - this.lastActiveS >= m.cooldownS) {
        set.scaleTo(0);
        return;
      }
    }
    const desired = this.hpa.reconcile(nowS, current, () => {
      // The largest proposal of the metrics (a cron window's replicas among them, as KEDA feeds it).
      try {
        return Math.max(this.propose(set, nowS, current, queued), scheduled);
      } catch (err) {
        if (err instanceof MetricUnavailable) return scheduled > 0 ? scheduled : undefined;
        throw err;
      }
    });
    if (desired !== current) set.scaleTo(desired);
  }

  private propose(set: ReplicaSet, nowS: number, current: number, queued: number): number {
    const m = this.config.metric;
    const tol = this.config.tolerance;
    if (m.type === "queue") {
      return externalPerPodReplicas(current, Math.round(queued * 1000), Math.round(m.targetPerReplica * 1000), tol)
        .replicas;
    }
    // Every ready replica serves an equal share, so pods differ only in readiness: counts suffice.
    const pods = this.uniform;
    // Replicas of a service share one request (a VPA changes it by restarting them): the placed ones' mean.
    pods.requestMilli = set.placed > 0 ? Math.round(set.placedCpuMilli / set.placed) : set.template.cpuMilli;
    if (m.type === "cpu") {
      // Pending and starting pods are unready; so is a ready pod within the CPU initialisation period
      // whose metric window began before it became ready (upstream's groupPods).
      let unready = set.pending.size + set.starting.size;
      for (const [t, readySince] of set.ready) {
        const started = set.startedAt.get(t) ?? 0;
        const initialising = started + this.config.cpuInitializationPeriodS > nowS;
        if (initialising && nowS - this.config.metricWindowS < readySince) unready++;
      }
      pods.ready = set.replicas - unready;
      pods.unready = unready;
      pods.missing = 0;
      pods.metricMilli = Math.round(this.windowMean(this.cpuPerPod) * 1000);
      return uniformReplicas(current, pods, m.targetUtilizationPercent, false, tol).replicas;
    }
    // Requests per second per pod: pending pods are unready; a starting pod exports no metric yet (missing).
    pods.ready = set.ready.size;
    pods.unready = set.pending.size;
    pods.missing = set.starting.size;
    pods.metricMilli = Math.round(this.windowMean(this.rpsPerPod) * 1000);
    return uniformReplicas(current, pods, Math.round(m.targetPerReplica * 1000), true, tol).replicas;
  }

  private windowMean(ring: Float64Array): number {
    let sum = 0;
    for (let k = 0; k < this.filled; k++) sum += ring[k];
    return this.filled > 0 ? sum / this.filled : 0;
  }
}
