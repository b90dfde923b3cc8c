import type { ReplicaSet } from "../replica-set.js";
import type { AutoscalerConfig, ServiceConfig } from "../service-config.js";
import { HorizontalAutoscaler } from "./horizontal-autoscaler.js";
import { PredictiveScaler } from "./predictive-scaler.js";
import { type CountedPods, countedReplicas, externalPerPodReplicas, MetricUnavailable } from "./replica-calculator.js";

/** The replicas the cron windows on at `nowS` ask for (0: none on). */
function scheduledReplicas(a: AutoscalerConfig, nowS: number): number {
  let most = 0;
  for (const w of a.schedules ?? []) {
    const t = w.everyS ? nowS - Math.floor(nowS / w.everyS) * w.everyS : nowS;
    if (t >= w.fromS && t < w.toS && w.replicas > most) most = w.replicas;
  }
  return most;
}

/** What an HPA samples each tick: per-pod CPU, per-pod requests served, or requests arriving. */
const SAMPLE_CPU = 1;
const SAMPLE_SERVED = 2;
const SAMPLE_OFFERED = 3;

/**
 * A metric sampled every tick, with the tick's start, over the metric window: what a pod's figure is
 * averaged from. A pod reports the mean of the samples since it became ready (its own rate, as a
 * metrics pipeline measures each pod), none before its first sample.
 */
class MetricRing {
  /** Sample i's value at 2i and its time at 2i + 1 (one array: a tick's sample touches one place). */
  private readonly data: Float64Array;
  private readonly window: number;
  private filled = 0;
  private at = 0;
  /** Σ of the newest k samples, k = 1..filled (rebuilt per sync). */
  private readonly newest: Float64Array;

  constructor(window: number) {
    this.window = window;
    this.data = new Float64Array(2 * window);
    this.newest = new Float64Array(window + 1);
  }

  add(atS: number, value: number): void {
    this.data[2 * this.at] = value;
    this.data[2 * this.at + 1] = atS;
    this.at = this.at + 1 === this.window ? 0 : this.at + 1;
    if (this.filled < this.window) this.filled++;
  }

  /** Index the newest samples' sums for `since` (call once before a sync's reads). */
  index(): void {
    const n = this.window;
    for (let k = 1; k <= this.filled; k++) this.newest[k] = this.newest[k - 1] + this.data[2 * ((this.at - k + n) % n)];
  }

  /** The mean of the samples taken at or after `sinceS`, or undefined without one. */
  since(sinceS: number): number | undefined {
    const n = this.window;
    let k = 0;
    while (k < this.filled && this.data[2 * ((this.at - k - 1 + n) % n) + 1] >= sinceS) k++;
    return k > 0 ? this.newest[k] / k : undefined;
  }

  /** When the oldest sample in the window was taken (+∞ without one). */
  oldestS(): number {
    const n = this.window;
    return this.filled > 0 ? this.data[2 * ((this.at - this.filled + n) % n) + 1] : Number.POSITIVE_INFINITY;
  }

  /** The mean of every sample in the window (0 without one). */
  mean(): number {
    let sum = 0;
    for (let k = 0; k < this.filled; k++) sum += this.data[2 * k];
    return this.filled > 0 ? sum / this.filled : 0;
  }
}

/**
 * One service's Horizontal Pod Autoscaler (./horizontal-autoscaler.ts, the replica calculator) with
 * what it reads over the metric window: per-pod CPU usage and requests served (pods metrics, each
 * ready pod averaging its own samples since it became ready), requests arriving (an object metric),
 * KEDA's activation and cool-down for a queue metric, and KEDA's cron windows.
 */
export class ServiceHpa {
  readonly config: AutoscalerConfig;
  private readonly hpa: HorizontalAutoscaler;
  /**
   * The samples the metric reads, one per tick: per ready pod, CPU cores used (cpu) or requests served
   * per second (servedRps: every ready pod serves an equal share); requests arriving at the service per
   * second (offeredRps). A queue metric reads the last tick's queue instead. Only the metric's own
   * series is kept.
   */
  private readonly samples: MetricRing;
  /** What each tick samples (SAMPLE_*), and a queue metric's activation threshold: read every tick. */
  private readonly sampled: number;
  private readonly activationThreshold: number;
  /** KEDA: when the trigger was last active. */
  private lastActiveS = 0;
  /** Predictive scaling, when configured (requests-per-second metrics). */
  readonly predictive: PredictiveScaler | undefined;
  /** Before any replica's lead was measured: the image pull and readiness delay. */
  private readonly priorLeadS: number;
  /** The pods of the service being synced, as counts (reused). */
  private readonly counted: CountedPods = { ready: 0, unready: 0, missing: 0, sumMilli: 0, requestMilli: 0 };

  constructor(service: ServiceConfig, tickS: number) {
    const a = service.autoscaler!;
    this.config = a;
    const window = Math.max(1, Math.round(a.metricWindowS / tickS));
    // With a queue metric and minReplicas 0, KEDA owns 0 ↔ 1 and the HPA runs from 1 up.
    const min = a.metric.type === "queue" ? Math.max(1, service.minReplicas) : service.minReplicas;
    this.hpa = new HorizontalAutoscaler({ minReplicas: min, maxReplicas: service.maxReplicas, behavior: a.behavior });
    this.samples = new MetricRing(window);
    const m = a.metric;
    this.sampled =
      m.type === "cpu"
        ? SAMPLE_CPU
        : m.type === "servedRps"
          ? SAMPLE_SERVED
          : m.type === "offeredRps"
            ? SAMPLE_OFFERED
            : 0;
    this.activationThreshold = m.type === "queue" ? m.activationThreshold : Number.POSITIVE_INFINITY;
    this.predictive =
      a.predictive && (m.type === "servedRps" || m.type === "offeredRps")
        ? new PredictiveScaler(a.predictive, tickS, m.targetPerReplica)
        : undefined;
    this.priorLeadS = service.imagePullS + service.readinessS;
  }

  /**
   * The tick starting at `nowS`: CPU used (cores) and requests served per second over `ready`
   * replicas, requests arriving per second, and the queue.
   */
  record(nowS: number, ready: number, usageCores: number, servedPerS: number, offeredPerS: number, queued: number) {
    const sampled = this.sampled;
    if (sampled === SAMPLE_CPU) this.samples.add(nowS, ready > 0 ? usageCores / ready : 0);
    else if (sampled === SAMPLE_SERVED) this.samples.add(nowS, ready > 0 ? servedPerS / ready : 0);
    else if (sampled === SAMPLE_OFFERED) this.samples.add(nowS, offeredPerS);
    else if (queued > this.activationThreshold) this.lastActiveS = nowS;
    this.predictive?.record(offeredPerS);
  }

  /** One sync: resize `set`, the last tick's queue `queued`. */
  sync(set: ReplicaSet, nowS: number, queued: number): void {
    const m = this.config.metric;
    // The bounds as they are now (a controller may have changed them).
    this.hpa.setBounds(m.type === "queue" ? Math.max(1, set.minReplicas) : set.minReplicas, set.maxReplicas);
    const current = set.replicas;
    const scheduled = scheduledReplicas(this.config, nowS);
    if (m.type === "queue") {
      // A cron window on is activity too (KEDA's cron scaler is active while it runs).
      const active = queued > m.activationThreshold || scheduled > 0;
      // KEDA's activation: from zero on activity, and back to zero after the cool-down without it.
      if (current === 0) {
        if (active) set.scaleTo(Math.max(1, set.minReplicas));
        return;
      }
      if (set.minReplicas === 0 && !active && nowS - this.lastActiveS >= m.cooldownS) {
        set.scaleTo(0);
        return;
      }
    }
    // What the forecast asks for over the time a replica asked for now takes to serve.
    const lead = (Number.isNaN(set.readyLeadS) ? this.priorLeadS : set.readyLeadS) + this.config.syncPeriodS;
    const predicted = this.predictive?.replicas(lead, current, set.maxReplicas, this.config.syncPeriodS) ?? 0;
    const floor = Math.max(scheduled, predicted);
    const desired = this.hpa.reconcile(nowS, current, () => {
      // The largest proposal of the metrics (a cron window's replicas and the forecast's among them,
      // as KEDA feeds a trigger and AHPA its prediction).
      try {
        return Math.max(this.propose(set, nowS, current, queued), floor);
      } catch (err) {
        if (err instanceof MetricUnavailable) return floor > 0 ? floor : undefined;
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
    if (m.type === "offeredRps") {
      const total = Math.round(this.samples.mean() * 1000);
      return externalPerPodReplicas(current, total, Math.round(m.targetPerReplica * 1000), tol).replicas;
    }
    const pods = this.counted;
    // Replicas of a service share one request (a VPA changes it by restarting them): the placed ones' mean.
    pods.requestMilli = set.placed > 0 ? Math.round(set.placedCpuMilli / set.placed) : set.template.cpuMilli;
    const cpu = m.type === "cpu";
    const ring = this.samples;
    ring.index();
    // Pending pods are unready; a starting pod exports no metric yet (missing), nor does a ready pod
    // before its first sample. For CPU a ready pod within the initialisation period whose metric
    // window began before it became ready is unready too (upstream's groupPods).
    pods.unready = set.pending.size + (cpu ? set.starting.size : 0);
    pods.missing = cpu ? 0 : set.starting.size;
    pods.ready = 0;
    pods.sumMilli = 0;
    // A pod ready since before the window's oldest sample (and, for CPU, before the window) reports the
    // whole window's mean: when every pod is, no pod need be looked at.
    const oldest = Math.min(ring.oldestS(), cpu ? nowS - this.config.metricWindowS : Number.POSITIVE_INFINITY);
    const wholeMilli = Math.round((ring.since(Number.NEGATIVE_INFINITY) ?? 0) * 1000);
    if (set.lastReadyS <= oldest) {
      pods.ready = set.ready.size;
      pods.sumMilli = set.ready.size * wholeMilli;
    } else {
      for (const [t, readySince] of set.ready) {
        if (readySince <= oldest) {
          pods.ready++;
          pods.sumMilli += wholeMilli;
          continue;
        }
        if (cpu) {
          const started = set.startedAt.get(t) ?? 0;
          const initialising = started + this.config.cpuInitializationPeriodS > nowS;
          if (initialising && nowS - this.config.metricWindowS < readySince) {
            pods.unready++;
            continue;
          }
        }
        const value = ring.since(readySince);
        if (value === undefined) {
          pods.missing++;
          continue;
        }
        pods.ready++;
        pods.sumMilli += Math.round(value * 1000);
      }
    }
    const target = cpu ? m.targetUtilizationPercent : Math.round(m.targetPerReplica * 1000);
    return countedReplicas(current, pods, target, !cpu, tol).replicas;
  }
}
