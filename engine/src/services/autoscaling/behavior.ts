/**
 * The HPA's scaling behaviour (autoscaling/v2 `behavior`), as Kubernetes v1.33's horizontal controller
 * applies it (pkg/controller/podautoscaler/horizontal.go: stabilizeRecommendationWithBehaviors,
 * convertDesiredReplicasWithBehaviorRate, storeScaleEvent) with the API's defaults
 * (pkg/apis/autoscaling/v2/defaults.go); and the legacy path upstream takes when an HPA has no
 * `behavior` at all (stabilizeRecommendation, convertDesiredReplicasWithRules). Pure functions over
 * the autoscaler's history, so that upstream's test tables can be checked one by one.
 */

export interface ScalingPolicy {
  type: "Pods" | "Percent";
  value: number;
  periodS: number;
}

export interface ScalingRules {
  stabilizationWindowS: number;
  selectPolicy: "Max" | "Min" | "Disabled";
  policies: readonly ScalingPolicy[];
}

export interface Behavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** --horizontal-pod-autoscaler-downscale-stabilization default (5 min). */
export const DOWNSCALE_STABILIZATION_S = 300;

/** defaults.go: scale up by max(4 pods, 100%) per 15 s, no stabilisation; down 100% per 15 s after 300 s. */
export const DEFAULT_BEHAVIOR: Behavior = {
  scaleUp: {
    stabilizationWindowS: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Pods", value: 4, periodS: 15 },
      { type: "Percent", value: 100, periodS: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowS: DOWNSCALE_STABILIZATION_S,
    selectPolicy: "Max",
    policies: [{ type: "Percent", value: 100, periodS: 15 }],
  },
};

/** A past recommendation (unstabilised desired replicas) and when it was made. */
export interface Recommendation {
  replicas: number;
  timeS: number;
}

/** A past scale event: how many replicas it added or removed (positive), when, and whether it aged out. */
export interface ScaleEvent {
  change: number;
  timeS: number;
  outdated: boolean;
}

/**
 * Bound `desired` by the recommendations in the windows: a scale-up to the least recommended in the
 * up window, a scale-down to the most recommended in the down window (a record exactly at the cutoff
 * is outside: upstream's strict After). Records `desired` in the list, reusing the last slot older
 * than both windows.
 */
export function stabilize(
  recs: Recommendation[],
  current: number,
  desired: number,
  nowS: number,
  upWindowS: number,
  downWindowS: number,
): number {
  const upCutoff = nowS - upWindowS;
  const downCutoff = nowS - downWindowS;
  let up = desired;
  let down = desired;
  let old = -1;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i];
    if (r.timeS > upCutoff) up = Math.min(up, r.replicas);
    if (r.timeS > downCutoff) down = Math.max(down, r.replicas);
    if (r.timeS < upCutoff && r.timeS < downCutoff) old = i;
  }
  let result = current;
  if (result < up) result = up;
  if (result > down) result = down;
  // The slot is rewritten in place (upstream assigns a new value to it): the records stay where
  // they were made, side by side, rather than scattered over the run's heap.
  if (old >= 0) {
    recs[old].replicas = desired;
    recs[old].timeS = nowS;
  } else recs.push({ replicas: desired, timeS: nowS });
  return result;
}

/** Replicas changed by the events of the last `periodS` seconds (strictly after the cutoff). */
export function changeInPeriod(events: readonly ScaleEvent[], periodS: number, nowS: number): number {
  const cutoff = nowS - periodS;
  let sum = 0;
  for (const e of events) if (e.timeS > cutoff) sum += e.change;
  return sum;
}

/** The count a policy's period started from: `current` less what its scale events added, plus what they removed. */
function periodStart(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  p: ScalingPolicy,
  nowS: number,
): number {
  return current - changeInPeriod(upEvents, p.periodS, nowS) + changeInPeriod(downEvents, p.periodS, nowS);
}

/** How far up the policies allow from `current`, given the recent scale events (calculateScaleUpLimitWithScalingRules). */
export function scaleUpLimit(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: ScalingRules,
  nowS: number,
): number {
  if (rules.selectPolicy === "Disabled") return current;
  const min = rules.selectPolicy === "Min";
  let result = min ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const p of rules.policies) {
    const start = periodStart(current, upEvents, downEvents, p, nowS);
    const limit = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = min ? Math.min(result, limit) : Math.max(result, limit);
  }
  return result;
}

/** How far down the policies allow from `current` (calculateScaleDownLimitWithBehaviors); Percent truncates. */
export function scaleDownLimit(
  current: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: ScalingRules,
  nowS: number,
): number {
  if (rules.selectPolicy === "Disabled") return current;
  const min = rules.selectPolicy === "Min";
  let result = min ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of rules.policies) {
    const start = periodStart(current, upEvents, downEvents, p, nowS);
    const limit = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = min ? Math.max(result, limit) : Math.min(result, limit);
  }
  return result;
}

export type LimitReason =
  | "DesiredWithinRange"
  | "ScaleUpLimit"
  | "TooManyReplicas"
  | "ScaleDownLimit"
  | "TooFewReplicas";

/** Clamp a stabilised recommendation by the rate policies and min/max (convertDesiredReplicasWithBehaviorRate). */
export function limitByBehavior(
  current: number,
  desired: number,
  minReplicas: number,
  maxReplicas: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  behavior: Behavior,
  nowS: number,
): { replicas: number; reason: LimitReason } {
  if (desired > current) {
    const limit = Math.max(current, scaleUpLimit(current, upEvents, downEvents, behavior.scaleUp, nowS));
    const maxAllowed = Math.min(maxReplicas, limit);
    if (desired > maxAllowed) {
      return { replicas: maxAllowed, reason: limit < maxReplicas ? "ScaleUpLimit" : "TooManyReplicas" };
    }
  } else if (desired < current) {
    const limit = Math.min(current, scaleDownLimit(current, upEvents, downEvents, behavior.scaleDown, nowS));
    const minAllowed = Math.max(minReplicas, limit);
    if (desired < minAllowed) {
      return { replicas: minAllowed, reason: limit > minReplicas ? "ScaleDownLimit" : "TooFewReplicas" };
    }
  }
  return { replicas: desired, reason: "DesiredWithinRange" };
}

/**
 * Record a scale from `prev` to `next` among the events of its direction (storeScaleEvent): events
 * older than the direction's longest policy period are marked outdated, and the new one takes the last
 * outdated slot, or is appended.
 */
export function storeScaleEvent(
  upEvents: ScaleEvent[],
  downEvents: ScaleEvent[],
  behavior: Behavior,
  prev: number,
  next: number,
  nowS: number,
): void {
  const up = next > prev;
  const events = up ? upEvents : downEvents;
  const rules = up ? behavior.scaleUp : behavior.scaleDown;
  let longest = 0;
  for (const p of rules.policies) longest = Math.max(longest, p.periodS);
  const cutoff = nowS - longest;
  let slot = -1;
  events.forEach((e, i) => {
    if (e.timeS < cutoff) e.outdated = true;
    if (e.outdated) slot = i;
  });
  const event = { change: up ? next - prev : prev - next, timeS: nowS, outdated: false };
  if (slot >= 0) events[slot] = event;
  else events.push(event);
}

/** Upstream's scale-up cap on the legacy path: max(2 × current, 4) per sync. */
export const LEGACY_SCALE_UP_FACTOR = 2;
export const LEGACY_SCALE_UP_MINIMUM = 4;

/**
 * The legacy path (no `behavior`): scale-down bounded by the most recommended within the downscale
 * stabilisation window (no up-stabilisation), then scale-up capped at max(factor × current, 4).
 */
export function stabilizeLegacy(recs: Recommendation[], desired: number, nowS: number, windowS: number): number {
  const cutoff = nowS - windowS;
  let max = desired;
  let old = -1;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i];
    if (r.timeS < cutoff) old = i;
    else if (r.replicas > max) max = r.replicas;
  }
  // In place, as in stabilize.
  if (old >= 0) {
    recs[old].replicas = desired;
    recs[old].timeS = nowS;
  } else recs.push({ replicas: desired, timeS: nowS });
  return max;
}

export function limitLegacy(
  current: number,
  desired: number,
  minReplicas: number,
  maxReplicas: number,
  factor = LEGACY_SCALE_UP_FACTOR,
): { replicas: number; reason: LimitReason } {
  const upLimit = Math.trunc(Math.max(factor * current, LEGACY_SCALE_UP_MINIMUM));
  const maxAllowed = Math.min(maxReplicas, upLimit);
  if (desired < minReplicas) return { replicas: minReplicas, reason: "TooFewReplicas" };
  if (desired > maxAllowed) {
    return { replicas: maxAllowed, reason: upLimit < maxReplicas ? "ScaleUpLimit" : "TooManyReplicas" };
  }
  return { replicas: desired, reason: "DesiredWithinRange" };
}
