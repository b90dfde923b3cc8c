/**
 * The HPA against upstream's own test tables (Kubernetes pkg/controller/podautoscaler, v1.32–v1.33):
 * replica_calculator_test.go and horizontal_test.go, case by case, with their inputs and expected
 * replica counts. Upstream's fixtures give every pod two containers, each with the listed request and
 * usage level, so a pod's request and usage are twice the listed values (milli-units).
 */
import {
  type Behavior,
  changeInPeriod,
  countedReplicas,
  DEFAULT_BEHAVIOR,
  externalPerPodReplicas,
  externalValueReplicas,
  HorizontalAutoscaler,
  limitByBehavior,
  limitLegacy,
  type PodMetric,
  podsMetricReplicas,
  type Recommendation,
  resourceReplicas,
  type ScaleEvent,
  type ScalingRules,
  scaleDownLimit,
  scaleUpLimit,
  stabilize,
  stabilizeLegacy,
  storeScaleEvent,
} from "@clustersim/engine";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

type Flag = "T" | "F" | "hot" | "pending" | "failed";

/** Pods of the calculator's fixtures: CPU request per container (cores), level per container (milli), readiness. */
function cpuPods(requests: number[], levels: (number | undefined)[], flags: Flag[] = []): PodMetric[] {
  return requests.map((req, i) => {
    const flag = flags[i] ?? "T";
    const level = levels[i];
    const state = flag === "failed" ? "ignored" : flag === "T" ? "ready" : "unready";
    return { state, requestMilli: 2 * req * 1000, metricMilli: level === undefined ? undefined : 2 * level };
  });
}

/** Pods for a pods metric (readiness is not checked for non-CPU metrics; only Pending counts as unready). */
function metricPods(levels: (number | undefined)[], count = levels.length, pending: number[] = []): PodMetric[] {
  return Array.from({ length: count }, (_, i) => ({
    state: pending.includes(i) ? "unready" : "ready",
    metricMilli: levels[i],
  }));
}

describe("replica_calculator_test.go", () => {
  const cases: [string, number, PodMetric[], number, number, number][] = [
    // name, current, pods, target %, expected replicas, expected utilisation %
    ["TestReplicaCalcResourceScale/scale up", 3, cpuPods([1, 1, 1], [300, 500, 700]), 30, 5, 50],
    [
      "TestReplicaCalcResourceScale/scale up: unready pod scales less",
      3,
      cpuPods([1, 1, 1], [300, 500, 700], ["F", "T", "T"]),
      30,
      4,
      60,
    ],
    [
      "TestReplicaCalcResourceScale/scale up: hot-CPU pod scales less",
      3,
      cpuPods([1, 1, 1], [300, 500, 700], ["hot", "T", "T"]),
      30,
      4,
      60,
    ],
    [
      "TestReplicaCalcResourceScale/no scale: unready pods ignored",
      3,
      cpuPods([1, 1, 1], [400, 500, 700], ["T", "F", "F"]),
      30,
      3,
      40,
    ],
    [
      "TestReplicaCalcResourceScale/scale up: failed pods ignored",
      2,
      cpuPods([1, 1, 1, 1], [500, 700], ["T", "T", "failed", "failed"]),
      30,
      4,
      60,
    ],
    ["TestReplicaCalcResourceScale/scale down", 5, cpuPods([1, 1, 1, 1, 1], [100, 300, 500, 250, 250]), 50, 3, 28],
    [
      "TestReplicaCalcResourceScale/scale down: exclude unready pods",
      5,
      cpuPods([1, 1, 1, 1, 1], [100, 300, 500, 250, 250], ["T", "T", "T", "F", "F"]),
      50,
      2,
      30,
    ],
    [
      "TestReplicaCalcResourceScale/scale down: exclude unscheduled pods",
      5,
      cpuPods([1, 1, 1, 1, 1], [100], ["T", "pending", "pending", "pending", "pending"]),
      50,
      1,
      10,
    ],
    [
      "TestReplicaCalcResourceScale/scale down: ignore hot-CPU pods",
      5,
      cpuPods([1, 1, 1, 1, 1], [100, 300, 500, 250, 250], ["T", "T", "T", "hot", "hot"]),
      50,
      2,
      30,
    ],
    [
      "TestReplicaCalcResourceScale/scale down: failed pods ignored",
      5,
      cpuPods([1, 1, 1, 1, 1, 1, 1], [100, 300, 500, 250, 250], ["T", "T", "T", "T", "T", "failed", "failed"]),
      50,
      3,
      28,
    ],
    ["TestReplicaCalcTolerance", 3, cpuPods([0.9, 1.0, 1.1], [1010, 1030, 1020]), 100, 3, 102],
    ["TestReplicaCalcMissingMetrics", 4, cpuPods([1, 1, 1, 1], [400, 95]), 100, 3, 24],
    ["TestReplicaCalcMissingMetricsNoChangeEq", 2, cpuPods([1, 1], [1000]), 100, 2, 100],
    ["TestReplicaCalcMissingMetricsNoChangeGt", 2, cpuPods([1, 1], [1900]), 100, 2, 190],
    ["TestReplicaCalcMissingMetricsNoChangeLt", 2, cpuPods([1, 1], [600]), 100, 2, 60],
    ["TestReplicaCalcMissingMetricsUnreadyChange", 3, cpuPods([1, 1, 1], [100, 450], ["F", "T", "T"]), 50, 3, 45],
    ["TestReplicaCalcMissingMetricsUnreadyScaleUp", 3, cpuPods([1, 1, 1], [100, 2000], ["F", "T", "T"]), 50, 4, 200],
    [
      "TestReplicaCalcMissingMetricsUnreadyScaleDown",
      4,
      cpuPods([1, 1, 1, 1], [100, 100, 100], ["F", "T", "T", "T"]),
      50,
      3,
      10,
    ],
    [
      "TestReplicaCalcMissingMetricsScaleDownTargetOver100",
      4,
      cpuPods([1, 1, 2, 2], [200, 100, 100], ["F", "T", "T", "T"]),
      300,
      2,
      6,
    ],
    ["TestReplicaCalcDuringRollingUpdateWithMaxSurge", 2, cpuPods([1, 1, 1], [100, 100]), 50, 2, 10],
  ];
  for (const [name, current, pods, target, replicas, util] of cases) {
    it(name, () => {
      expect(resourceReplicas(current, pods, target)).toEqual({ replicas, usage: util });
    });
  }

  it("TestReplicaCalcConfigurableTolerance: per-direction tolerances (v1.33)", () => {
    const req = [0.9, 1.0, 1.1];
    expect(resourceReplicas(3, cpuPods(req, [909, 1010, 1111]), 100, { scaleDown: 0, scaleUp: 0 })).toEqual({
      replicas: 4,
      usage: 101,
    });
    expect(resourceReplicas(3, cpuPods(req, [1890, 1910, 1900]), 100, { scaleDown: 0.1, scaleUp: 2 }).replicas).toBe(3);
    expect(resourceReplicas(3, cpuPods(req, [1100, 1080, 1090]), 100, { scaleDown: 2, scaleUp: 0.08 }).replicas).toBe(
      4,
    );
    expect(resourceReplicas(3, cpuPods(req, [660, 640, 650]), 100, { scaleDown: 0.36, scaleUp: 0.1 }).replicas).toBe(3);
    expect(resourceReplicas(3, cpuPods(req, [660, 640, 650]), 100, { scaleDown: 0.34, scaleUp: 0.1 }).replicas).toBe(2);
  });

  it("pods metrics (calcPlainMetricReplicas): TestReplicaCalcScaleUpCM, ScaleDownCM, ToleranceCM, MissingMetrics, MaxSurge", () => {
    expect(podsMetricReplicas(3, metricPods([20000, 10000, 30000]), 15000)).toEqual({ replicas: 4, usage: 20000 });
    // TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown: readiness does not matter for non-CPU metrics.
    expect(podsMetricReplicas(3, metricPods([50000, 15000, 30000]), 15000)).toEqual({ replicas: 7, usage: 31666 });
    expect(podsMetricReplicas(5, metricPods([12000, 12000, 12000, 12000, 12000]), 20000)).toEqual({
      replicas: 3,
      usage: 12000,
    });
    expect(podsMetricReplicas(3, metricPods([20000, 21000, 21000]), 20000).replicas).toBe(3);
    expect(podsMetricReplicas(3, metricPods([20000, 21000, 21000]), 20000, { scaleDown: 0.1, scaleUp: 0.01 })).toEqual({
      replicas: 4,
      usage: 20666,
    });
    // TestPlainMetricReplicaCalcMissingMetricsNoChangeEq: pods 3 and 4 have no metric.
    expect(podsMetricReplicas(5, metricPods([20000, 19000, 21000], 5), 20000)).toEqual({ replicas: 5, usage: 20000 });
    // TestReplicaCalcDuringRollingUpdateWithMaxSurgeCM: a surge pod without metrics.
    expect(podsMetricReplicas(2, metricPods([10000, 10000], 3), 17000)).toEqual({ replicas: 2, usage: 10000 });
  });

  it("external and object metrics: value and per-pod targets (TestReplicaCalc*CMExternal, *PerPodCMObject)", () => {
    expect(externalValueReplicas(3, 3, 20000, 15000).replicas).toBe(4); // ScaleUpCMObject
    expect(externalValueReplicas(3, 1, 50000, 10000).replicas).toBe(5); // ...IgnoresUnreadyPods
    expect(externalValueReplicas(3, 1, 8600, 4400).replicas).toBe(2); // ScaleUpCMExternalIgnoresUnreadyPods
    expect(externalValueReplicas(5, 5, 8600, 14334).replicas).toBe(3); // ScaleDownCMExternal
    expect(externalValueReplicas(3, 3, 8600, 8888).replicas).toBe(3); // ToleranceCMExternal
    expect(externalValueReplicas(3, 3, 8900, 8800, { scaleDown: 0.1, scaleUp: 0.01 }).replicas).toBe(4);
    expect(externalPerPodReplicas(3, 8600, 2150)).toEqual({ replicas: 4, usage: 2867 });
    expect(externalPerPodReplicas(5, 8600, 2867)).toEqual({ replicas: 3, usage: 1720 });
    expect(externalPerPodReplicas(3, 8600, 2900)).toEqual({ replicas: 3, usage: 2867 });
    expect(externalPerPodReplicas(3, 8600, 2800, { scaleDown: 0.1, scaleUp: 0.01 }).replicas).toBe(4);
    expect(externalPerPodReplicas(3, 20000, 5000)).toEqual({ replicas: 4, usage: 6667 });
    expect(externalPerPodReplicas(5, 6000, 2000)).toEqual({ replicas: 3, usage: 1200 });
    expect(externalPerPodReplicas(4, 20166, 5000)).toEqual({ replicas: 4, usage: 5042 });
    expect(externalPerPodReplicas(4, 20208, 5000, { scaleDown: 0.1, scaleUp: 0.01 })).toEqual({
      replicas: 5,
      usage: 5052,
    });
    // From zero replicas: ceil(usage / target per pod).
    expect(externalPerPodReplicas(0, 8600, 2150).replicas).toBe(4);
  });
});

const NOW = 10_000;
/** generateEventsUniformDistribution: n events spread over `periodS`, event i at now − (P − seg(i + 1) + seg/2). */
function events(changes: number[], periodS: number): ScaleEvent[] {
  const seg = periodS / changes.length;
  return changes.map((change, i) => ({ change, timeS: NOW - (periodS - seg * (i + 1) + seg / 2), outdated: false }));
}
/** generateScalingRules: a Pods policy if pods ≠ 0, a Percent policy if percent ≠ 0, select Max. */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, stab = 0): ScalingRules {
  const policies = [];
  if (pods !== 0) policies.push({ type: "Pods" as const, value: pods, periodS: podsPeriod });
  if (percent !== 0) policies.push({ type: "Percent" as const, value: percent, periodS: percentPeriod });
  return { stabilizationWindowS: stab, selectPolicy: "Max", policies };
}
const withUp = (up: ScalingRules): Behavior => ({ ...DEFAULT_BEHAVIOR, scaleUp: up });
const withDown = (down: ScalingRules): Behavior => ({ ...DEFAULT_BEHAVIOR, scaleDown: down });

describe("horizontal_test.go: TestScalingWithRules (convertDesiredReplicasWithBehaviorRate)", () => {
  const cases: [string, number, number, number, number, Behavior, ScaleEvent[], ScaleEvent[], number, string][] = [
    // name, current, desired, min, max, behaviour, up events, down events, expected, reason
    ["scaleUp with default behavior", 10, 50, 1, 1000, DEFAULT_BEHAVIOR, [], [], 20, "ScaleUpLimit"],
    [
      "scaleUp with pods policy larger than percent policy",
      10,
      500,
      1,
      1000,
      withUp(rules(100, 60, 100, 60)),
      [],
      [],
      110,
      "ScaleUpLimit",
    ],
    [
      "scaleUp with percent policy larger than pods policy",
      10,
      500,
      1,
      1000,
      withUp(rules(2, 60, 100, 60)),
      [],
      [],
      20,
      "ScaleUpLimit",
    ],
    [
      "scaleUp with percent policy limitation",
      10,
      50,
      1,
      1000,
      withUp(rules(0, 0, 200, 60)),
      [],
      [],
      30,
      "ScaleUpLimit",
    ],
    ["scaleUpLimit with user policies", 3, 1000, 1, 2000, withUp(rules(0, 0, 1, 60)), [], [], 4, "ScaleUpLimit"],
    ["desired more than the maximum", 100, 1000, 100, 150, DEFAULT_BEHAVIOR, [], [], 150, "TooManyReplicas"],
    [
      "scaleUp with pod policy and previous scale up events",
      100,
      500,
      1,
      1000,
      withUp(rules(150, 120, 0, 0)),
      events([1, 5, 9], 120),
      [],
      235,
      "ScaleUpLimit",
    ],
    [
      "scaleUp with percent policy and previous scale up events",
      100,
      500,
      1,
      1000,
      withUp(rules(0, 0, 200, 120)),
      events([1, 5, 9], 120),
      [],
      255,
      "ScaleUpLimit",
    ],
    [
      "scaleUp with currentReplicas limitation (a lot of recent scale up events)",
      100,
      500,
      1,
      1000,
      withUp(rules(5, 120, 0, 0)),
      events([1, 5, 9], 120),
      [],
      100,
      "ScaleUpLimit",
    ],
    [
      "scaleUp with percent policy and previous scale up and down events",
      6,
      24,
      1,
      1000,
      withUp(rules(0, 0, 300, 300)),
      events([4], 120),
      events([2], 120),
      16,
      "ScaleUpLimit",
    ],
    [
      "scaleDown with percent policy larger than pod policy",
      100,
      2,
      1,
      1000,
      withDown(rules(20, 60, 1, 60)),
      [],
      [],
      80,
      "ScaleDownLimit",
    ],
    [
      "scaleDown with pod policy larger than percent policy",
      100,
      2,
      1,
      1000,
      withDown(rules(2, 60, 1, 60)),
      [],
      [],
      98,
      "ScaleDownLimit",
    ],
    [
      "scaleDown with spec MinReplicas limitation with large percent policy",
      10,
      2,
      5,
      1000,
      withDown(rules(0, 0, 100, 60)),
      [],
      [],
      5,
      "TooFewReplicas",
    ],
    ["scaleDown with pod policy limitation", 10, 2, 1, 1000, withDown(rules(5, 60, 0, 0)), [], [], 5, "ScaleDownLimit"],
    [
      "scaleDown with percent policy limitation and previous events",
      100,
      0,
      1,
      1000,
      withDown(rules(0, 0, 50, 120)),
      [],
      events([2, 4, 6], 120),
      56,
      "ScaleDownLimit",
    ],
    [
      "scaleDown with percent policy and previous scale up and down events",
      10,
      1,
      1,
      1000,
      withDown(rules(0, 0, 50, 180)),
      events([2], 120),
      events([4], 120),
      6,
      "ScaleDownLimit",
    ],
    [
      "scaleDown with previous events preventing further scale down",
      100,
      0,
      1,
      1000,
      withDown(rules(0, 0, 10, 120)),
      [],
      events([10, 10, 10], 120),
      100,
      "ScaleDownLimit",
    ],
    [
      "scaleDown with pod policy limitation and previous events",
      100,
      2,
      1,
      1000,
      withDown(rules(5, 120, 0, 0)),
      [],
      events([1, 5, 9], 120),
      100,
      "ScaleDownLimit",
    ],
    [
      "check that events were marked 'outdated' for up",
      100,
      200,
      1,
      1000,
      withUp(rules(1000, 30, 100, 60)),
      events([8, 12, 9, 11], 120),
      [],
      200,
      "DesiredWithinRange",
    ],
    [
      "prenormalized desired replicas within range when minReplicas is 0",
      1,
      0,
      0,
      10,
      DEFAULT_BEHAVIOR,
      [],
      [],
      0,
      "DesiredWithinRange",
    ],
  ];
  for (const [name, current, desired, min, max, behavior, up, down, expected, reason] of cases) {
    it(name, () => {
      expect(limitByBehavior(current, desired, min, max, up, down, behavior, NOW)).toEqual({
        replicas: expected,
        reason,
      });
    });
  }

  it("TestCalculateScaleUpLimitWithScalingRules and TestCalculateScaleDownLimitWithBehaviors: select Min", () => {
    const min: ScalingRules = {
      stabilizationWindowS: 0,
      selectPolicy: "Min",
      policies: [
        { type: "Pods", value: 2, periodS: 60 },
        { type: "Percent", value: 50, periodS: 60 },
      ],
    };
    expect(scaleUpLimit(1, [], [], min, NOW)).toBe(2);
    expect(scaleDownLimit(5, [], [], min, NOW)).toBe(3);
    expect(scaleUpLimit(7, [], [], { ...min, selectPolicy: "Disabled" }, NOW)).toBe(7);
  });
});

describe("horizontal_test.go: stabilisation and the event log", () => {
  const rec = (replicas: number, agoS: number): Recommendation => ({ replicas, timeS: NOW - agoS });
  const cases: [string, Recommendation[], number, number, number, number, number, number[]][] = [
    // name, history, current, desired, up window, down window, expected, stored replicas
    ["simple scale up stabilization", [rec(4, 120), rec(5, 60)], 1, 7, 300, 0, 4, [4, 5, 7]],
    ["simple scale down stabilization", [rec(4, 120), rec(5, 60)], 100, 3, 0, 180, 5, [4, 5, 3]],
    [
      "no scale down stabilization, reuse recommendation element",
      [rec(10, 600), rec(9, 540)],
      100,
      3,
      0,
      0,
      3,
      [10, 3],
    ],
    [
      "scale up stabilization, reuse one of obsolete recommendation element",
      [rec(10, 6000), rec(6, 60), rec(5, 120), rec(9, 180)],
      1,
      100,
      300,
      0,
      5,
      [100, 6, 5, 9],
    ],
    ["do not scale up when prenormalized rec goes down", [rec(2, 6000), rec(3, 180)], 2, 1, 300, 300, 2, [1, 3]],
    ["do not scale down when prenormalized rec goes up", [rec(2, 6000), rec(1, 180)], 2, 3, 300, 300, 2, [3, 1]],
  ];
  for (const [name, history, current, desired, upW, downW, expected, stored] of cases) {
    it(`TestNormalizeDesiredReplicasWithBehavior: ${name}`, () => {
      expect(stabilize(history, current, desired, NOW, upW, downW)).toBe(expected);
      expect(history.map((r) => r.replicas)).toEqual(stored);
    });
  }

  it("TestNormalizeDesiredReplicas (legacy, 5-minute window): stabilize, and with old recommendations", () => {
    const a = [rec(4, 120), rec(5, 60)];
    expect(stabilizeLegacy(a, 3, NOW, 300)).toBe(5);
    expect(a).toHaveLength(3);
    const b = [rec(10, 600), rec(4, 60), rec(5, 120), rec(9, 540)];
    expect(stabilizeLegacy(b, 3, NOW, 300)).toBe(5);
    expect(b).toHaveLength(4);
  });

  it("TestConvertDesiredReplicasWithRules (legacy): max(2 × current, 4), or upstream's test factor 8", () => {
    expect(limitLegacy(5, 7, 3, 8)).toEqual({ replicas: 7, reason: "DesiredWithinRange" });
    expect(limitLegacy(3, 1, 2, 8)).toEqual({ replicas: 2, reason: "TooFewReplicas" });
    expect(limitLegacy(20, 1000, 1, 10)).toEqual({ replicas: 10, reason: "TooManyReplicas" });
    expect(limitLegacy(3, 1000, 1, 2000)).toEqual({ replicas: 6, reason: "ScaleUpLimit" });
    expect(limitLegacy(3, 1000, 1, 2000, 8).replicas).toBe(24);
  });

  it("TestStoreScaleEvents: replace one entry, policies with different periods", () => {
    const ev = (change: number, agoS: number): ScaleEvent => ({ change, timeS: NOW - agoS, outdated: false });
    const up = [ev(8, 29), ev(6, 59), ev(7, 61), ev(9, 61)];
    const behavior = withUp(rules(10, 60, 100, 30));
    expect(changeInPeriod(up, 60, NOW)).toBe(14);
    storeScaleEvent(up, [], behavior, 10, 15, NOW);
    expect(up.map((e) => [e.change, e.outdated])).toEqual([
      [8, false],
      [6, false],
      [7, true],
      [5, false],
    ]);
  });
});

describe("horizontal_test.go: whole reconcile steps", () => {
  it("TestScaleUpRCImmediately and TestScaleDownRCImmediately: outside min/max, no metrics read", () => {
    const none = () => {
      throw new Error("metrics must not be read");
    };
    expect(new HorizontalAutoscaler({ minReplicas: 2, maxReplicas: 6 }).reconcile(NOW, 1, none)).toBe(2);
    expect(new HorizontalAutoscaler({ minReplicas: 2, maxReplicas: 5 }).reconcile(NOW, 6, none)).toBe(5);
  });

  it("TestUpscaleCap: 200% of a 10% target proposes 60, a 700% per minute policy caps at 24", () => {
    const pods = cpuPods([0.1, 0.1, 0.1], [100, 200, 300]);
    const hpa = new HorizontalAutoscaler({
      minReplicas: 1,
      maxReplicas: 100,
      behavior: withUp(rules(0, 0, 700, 60)),
      history: [],
    });
    expect(hpa.reconcile(NOW, 3, () => resourceReplicas(3, pods, 10).replicas)).toBe(24);
    expect(hpa.lastReason).toBe("ScaleUpLimit");
    // TestUpscaleCapGreaterThanMaxReplicas: the maximum binds first.
    const capped = new HorizontalAutoscaler({
      minReplicas: 1,
      maxReplicas: 20,
      behavior: withUp(rules(0, 0, 700, 60)),
      history: [],
    });
    expect(capped.reconcile(NOW, 3, () => resourceReplicas(3, pods, 10).replicas)).toBe(20);
    expect(capped.lastReason).toBe("TooManyReplicas");
  });

  it("TestScaleDownWithScalingRules: 28% of a 50% target scales 5 → 3", () => {
    const pods = cpuPods([1, 1, 1, 1, 1], [100, 300, 500, 250, 250]);
    const hpa = new HorizontalAutoscaler({
      minReplicas: 2,
      maxReplicas: 6,
      behavior: withUp(rules(0, 0, 100, 15, 30)),
      history: [],
    });
    expect(hpa.reconcile(NOW, 5, () => resourceReplicas(5, pods, 50).replicas)).toBe(3);
  });

  it("an HPA starting fresh records its current count first: no scale-down within the window", () => {
    const hpa = new HorizontalAutoscaler({ minReplicas: 1, maxReplicas: 10, behavior: DEFAULT_BEHAVIOR });
    expect(hpa.reconcile(0, 5, () => 2)).toBe(5);
    expect(hpa.reconcile(299, 5, () => 2)).toBe(5);
    // 300 s after the first record it has left the window (strictly after the cutoff).
    expect(hpa.reconcile(301, 5, () => 2)).toBe(2);
  });
});

describe("the replica calculator on counts", () => {
  it("equals the pod-list calculator on every mix of ready pods' metrics, unready and missing pods (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          metrics: fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 40 }),
          unready: fc.integer({ min: 0, max: 40 }),
          missing: fc.integer({ min: 0, max: 40 }),
          requestMilli: fc.integer({ min: 1, max: 4000 }),
        }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (p, current, target, perPod) => {
          const list: PodMetric[] = [
            ...p.metrics.map((metricMilli) => ({ state: "ready" as const, metricMilli, requestMilli: p.requestMilli })),
            ...Array.from({ length: p.unready }, () => ({ state: "unready" as const, requestMilli: p.requestMilli })),
            ...Array.from({ length: p.missing }, () => ({ state: "ready" as const, requestMilli: p.requestMilli })),
          ];
          const t = perPod ? target * 100 : target;
          const viaList = () => (perPod ? podsMetricReplicas(current, list, t) : resourceReplicas(current, list, t));
          let expected: unknown;
          try {
            expected = viaList();
          } catch (err) {
            expected = (err as Error).message;
          }
          let got: unknown;
          try {
            const counted = {
              ready: p.metrics.length,
              unready: p.unready,
              missing: p.missing,
              sumMilli: p.metrics.reduce((a, b) => a + b, 0),
              requestMilli: p.requestMilli,
            };
            got = countedReplicas(current, counted, t, perPod);
          } catch (err) {
            got = (err as Error).message;
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
