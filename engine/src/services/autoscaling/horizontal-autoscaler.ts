import {
  type Behavior,
  DOWNSCALE_STABILIZATION_S,
  type LimitReason,
  limitByBehavior,
  limitLegacy,
  type Recommendation,
  type ScaleEvent,
  stabilize,
  stabilizeLegacy,
  storeScaleEvent,
} from "./behavior.js";

export interface HorizontalAutoscalerOptions {
  minReplicas: number;
  maxReplicas: number;
  /** autoscaling/v2 `behavior` with defaults filled in; absent: upstream's legacy path. */
  behavior?: Behavior;
  /** The legacy path's downscale stabilisation window (--horizontal-pod-autoscaler-downscale-stabilization). */
  downscaleStabilizationS?: number;
  /**
   * Recommendations already recorded. Upstream starts an HPA with its current count recorded, which
   * holds off scale-down for one stabilisation window (recordInitialRecommendation); its tests pass
   * an empty history instead.
   */
  history?: Recommendation[];
}

/**
 * One HPA's reconcile step (horizontal.go reconcileAutoscaler, Kubernetes v1.33): outside min/max the
 * count goes to the nearest bound without reading metrics; from zero with a minimum above zero nothing
 * happens (scaling disabled); otherwise the largest proposal of the metrics (the replica calculator,
 * ./replica-calculator.ts) is stabilised and rate-limited by the behaviour, and a scale event is
 * recorded. The caller applies the returned count and calls this every sync period (15 s).
 */
export class HorizontalAutoscaler {
  private recs: Recommendation[] | undefined;
  private readonly up: ScaleEvent[] = [];
  private readonly down: ScaleEvent[] = [];
  /** Why the last count was limited (or DesiredWithinRange). */
  lastReason: LimitReason | "ScalingDisabled" | "NoMetrics" = "DesiredWithinRange";

  constructor(private readonly o: HorizontalAutoscalerOptions) {
    this.recs = o.history;
  }

  /** New minReplicas and maxReplicas (an edit of the HPA object), read from the next reconcile on. */
  setBounds(minReplicas: number, maxReplicas: number): void {
    this.o.minReplicas = minReplicas;
    this.o.maxReplicas = maxReplicas;
  }

  /**
   * The desired count now, from `current` (the workload's spec.replicas) and the metrics' largest
   * proposal (`proposal()` returns undefined when every metric is unavailable: no change).
   */
  reconcile(nowS: number, current: number, proposal: () => number | undefined): number {
    this.recs ??= [{ replicas: current, timeS: nowS }];
    const { minReplicas: min, maxReplicas: max, behavior } = this.o;
    let desired: number;
    if (current === 0 && min !== 0) {
      this.lastReason = "ScalingDisabled";
      return current;
    }
    if (current > max) desired = max;
    else if (current < min) desired = min;
    else {
      const proposed = proposal();
      if (proposed === undefined) {
        this.lastReason = "NoMetrics";
        return current;
      }
      if (behavior) {
        const stable = stabilize(
          this.recs,
          current,
          proposed,
          nowS,
          behavior.scaleUp.stabilizationWindowS,
          behavior.scaleDown.stabilizationWindowS,
        );
        const limited = limitByBehavior(current, stable, min, max, this.up, this.down, behavior, nowS);
        desired = limited.replicas;
        this.lastReason = limited.reason;
      } else {
        const window = this.o.downscaleStabilizationS ?? DOWNSCALE_STABILIZATION_S;
        const stable = stabilizeLegacy(this.recs, proposed, nowS, window);
        const limited = limitLegacy(current, stable, min, max);
        desired = limited.replicas;
        this.lastReason = limited.reason;
      }
    }
    if (desired !== current && behavior) storeScaleEvent(this.up, this.down, behavior, current, desired, nowS);
    return desired;
  }
}
