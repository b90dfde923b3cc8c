/**
 * The Horizontal Pod Autoscaler's replica calculator, as Kubernetes v1.33 computes it
 * (pkg/controller/podautoscaler/replica_calculator.go): from per-pod metrics and a target to a proposed
 * replica count. Metric values are integers in milli-units, as upstream reads them from Quantities, and
 * the arithmetic follows upstream's order of operations and integer divisions, so that its own test
 * tables come out the same (engine/test/hpa-golden.test.ts).
 */

/** The per-direction tolerance: no change while 1 − scaleDown ≤ usage/target ≤ 1 + scaleUp (v1.33, inclusive). */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

/** kube-controller-manager's --horizontal-pod-autoscaler-tolerance default. */
export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_TOLERANCES: Tolerances = { scaleDown: DEFAULT_TOLERANCE, scaleUp: DEFAULT_TOLERANCE };

const isWithin = (t: Tolerances, ratio: number) => 1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;

/**
 * One pod as the calculator groups it (upstream's groupPods): `ignored` (being deleted, or failed),
 * `unready` (pending, or for CPU not yet ready by the initialisation rules), or counted; a counted pod
 * without `metricMilli` is missing its metric. `requestMilli` is the pod's request of the resource
 * (CPU utilisation targets only).
 */
export interface PodMetric {
  state: "ready" | "unready" | "ignored";
  metricMilli?: number;
  requestMilli?: number;
}

export interface Proposal {
  replicas: number;
  /** Utilisation in whole percent (resource targets) or the average per pod (milli-units), first pass. */
  usage: number;
}

/** Thrown where upstream returns an error (no pods, no metrics): the HPA does not scale on this metric. */
export class MetricUnavailable extends Error {
  override readonly name = "MetricUnavailable";
}

interface Grouped {
  metrics: Map<number, number>;
  ready: number;
  unready: number[];
  missing: number[];
}

function group(pods: readonly PodMetric[]): Grouped {
  if (pods.length === 0) throw new MetricUnavailable("no pods returned by selector while calculating replica count");
  const metrics = new Map<number, number>();
  let ready = 0;
  const unready: number[] = [];
  const missing: number[] = [];
  pods.forEach((p, i) => {
    if (p.state === "ignored") return;
    if (p.state === "unready") {
      unready.push(i);
      return;
    }
    if (p.metricMilli === undefined) {
      missing.push(i);
      return;
    }
    metrics.set(i, p.metricMilli);
    ready++;
  });
  return { metrics, ready, unready, missing };
}

/** Utilisation in whole percent of requests (integer division, as upstream's int64 arithmetic). */
function utilisation(metrics: Map<number, number>, pods: readonly PodMetric[]): number {
  let used = 0;
  let requested = 0;
  for (const [i, m] of metrics) {
    const r = pods[i].requestMilli;
    if (r === undefined) continue;
    used += m;
    requested += r;
  }
  if (requested === 0) throw new MetricUnavailable("no metrics returned matched known pods");
  return Math.trunc((used * 100) / requested);
}

/** The second pass shared by both pod-metric kinds: fill in missing and unready pods conservatively. */
function rebalance(
  g: Grouped,
  current: number,
  ratio: number,
  tol: Tolerances,
  missingDown: (i: number) => number,
  newRatio: (metrics: Map<number, number>) => number,
): number | undefined {
  const upWithUnready = g.unready.length > 0 && ratio > 1;
  if (!upWithUnready && g.missing.length === 0) {
    return isWithin(tol, ratio) ? current : Math.ceil(ratio * g.ready);
  }
  if (g.missing.length > 0) {
    // Scale-down: missing pods are taken at the target (or 100% of request); scale-up: at zero.
    if (ratio < 1) for (const i of g.missing) g.metrics.set(i, missingDown(i));
    else if (ratio > 1) for (const i of g.missing) g.metrics.set(i, 0);
  }
  if (upWithUnready) for (const i of g.unready) g.metrics.set(i, 0);
  const r = newRatio(g.metrics);
  if (isWithin(tol, r) || (ratio < 1 && r > 1) || (ratio > 1 && r < 1)) return current;
  const proposed = Math.ceil(r * g.metrics.size);
  if ((r < 1 && proposed > current) || (r > 1 && proposed < current)) return current;
  return proposed;
}

/** A resource metric with a utilisation target (CPU, % of requests): upstream's GetResourceReplicas. */
export function resourceReplicas(
  current: number,
  pods: readonly PodMetric[],
  targetPercent: number,
  tol: Tolerances = DEFAULT_TOLERANCES,
): Proposal {
  const g = group(pods);
  if (g.metrics.size === 0) {
    throw new MetricUnavailable("did not receive metrics for targeted pods (pods might be unready)");
  }
  const usage = utilisation(g.metrics, pods);
  const ratio = usage / targetPercent;
  const fallback = Math.max(100, targetPercent);
  const replicas = rebalance(
    g,
    current,
    ratio,
    tol,
    (i) => Math.trunc(((pods[i].requestMilli ?? 0) * fallback) / 100),
    (m) => utilisation(m, pods) / targetPercent,
  );
  return { replicas: replicas ?? current, usage };
}

/** The average of counted pods' values (integer division, as upstream). */
function average(metrics: Map<number, number>): number {
  let sum = 0;
  for (const m of metrics.values()) sum += m;
  return Math.trunc(sum / metrics.size);
}

/** A pods metric with an average-value target (requests per second per pod): calcPlainMetricReplicas. */
export function podsMetricReplicas(
  current: number,
  pods: readonly PodMetric[],
  targetPerPodMilli: number,
  tol: Tolerances = DEFAULT_TOLERANCES,
): Proposal {
  const g = group(pods);
  if (g.metrics.size === 0) {
    throw new MetricUnavailable("did not receive metrics for targeted pods (pods might be unready)");
  }
  const usage = average(g.metrics);
  const ratio = usage / targetPerPodMilli;
  const replicas = rebalance(
    g,
    current,
    ratio,
    tol,
    () => targetPerPodMilli,
    (m) => average(m) / targetPerPodMilli,
  );
  return { replicas: replicas ?? current, usage };
}

/**
 * An external or object metric with an average-value target (a queue's length per pod, as KEDA feeds
 * it; requests arriving at an ingress): GetExternalPerPodMetricReplicas and
 * GetObjectPerPodMetricReplicas, which share this arithmetic. `statusReplicas` counts every pod of
 * the workload, ready or not.
 */
export function externalPerPodReplicas(
  statusReplicas: number,
  totalMilli: number,
  targetPerPodMilli: number,
  tol: Tolerances = DEFAULT_TOLERANCES,
): Proposal {
  const ratio = totalMilli / (targetPerPodMilli * statusReplicas);
  const replicas = isWithin(tol, ratio) ? statusReplicas : Math.ceil(totalMilli / targetPerPodMilli);
  return { replicas, usage: Math.ceil(totalMilli / statusReplicas) };
}

/**
 * An external or object metric with a value target: getUsageRatioReplicaCount. From zero replicas
 * the count is ceil(usage/target) without tolerance; otherwise it scales the ready pods.
 */
export function externalValueReplicas(
  current: number,
  readyPods: number,
  usageMilli: number,
  targetMilli: number,
  tol: Tolerances = DEFAULT_TOLERANCES,
): Proposal {
  const ratio = usageMilli / targetMilli;
  if (current === 0) return { replicas: Math.ceil(ratio), usage: usageMilli };
  if (isWithin(tol, ratio)) return { replicas: current, usage: usageMilli };
  if (readyPods === 0) throw new MetricUnavailable("no ready pods while calculating replica count");
  return { replicas: Math.ceil(ratio * readyPods), usage: usageMilli };
}

/**
 * Pods that share one request, as a service's replicas do, counted instead of listed: how many are
 * ready with a metric and the sum of those metrics, how many are unready, and how many miss it.
 */
export interface CountedPods {
  ready: number;
  unready: number;
  missing: number;
  /** Σ of the ready pods' metrics, each in milli-units as upstream reads it. */
  sumMilli: number;
  /** Each pod's request (resource targets only). */
  requestMilli: number;
}

/**
 * The replica calculator on counts instead of a pod list: the same arithmetic as `resourceReplicas`
 * (`perPodTarget` false: utilisation of requests) or `podsMetricReplicas` (true: average per pod), in
 * O(1). A property test holds it to the pod-list versions on random inputs.
 */
export function countedReplicas(
  current: number,
  p: CountedPods,
  target: number,
  perPodTarget: boolean,
  tol: Tolerances = DEFAULT_TOLERANCES,
): Proposal {
  if (p.ready + p.unready + p.missing === 0) {
    throw new MetricUnavailable("no pods returned by selector while calculating replica count");
  }
  if (p.ready === 0) throw new MetricUnavailable("did not receive metrics for targeted pods (pods might be unready)");
  // Σ metric and the count (or Σ request) over the pods counted, as the pod-list versions sum them.
  const measure = (sum: number, pods: number) =>
    perPodTarget ? Math.trunc(sum / pods) : Math.trunc((sum * 100) / (pods * p.requestMilli));
  const usage = measure(p.sumMilli, p.ready);
  const ratio = usage / target;
  const upWithUnready = p.unready > 0 && ratio > 1;
  if (!upWithUnready && p.missing === 0) {
    return { replicas: isWithin(tol, ratio) ? current : Math.ceil(ratio * p.ready), usage };
  }
  let sum = p.sumMilli;
  let pods = p.ready;
  if (p.missing > 0 && ratio !== 1) {
    const fill = ratio < 1 ? (perPodTarget ? target : Math.trunc((p.requestMilli * Math.max(100, target)) / 100)) : 0;
    sum += p.missing * fill;
    pods += p.missing;
  }
  if (upWithUnready) pods += p.unready;
  const r = measure(sum, pods) / target;
  if (isWithin(tol, r) || (ratio < 1 && r > 1) || (ratio > 1 && r < 1)) return { replicas: current, usage };
  const proposed = Math.ceil(r * pods);
  if ((r < 1 && proposed > current) || (r > 1 && proposed < current)) return { replicas: current, usage };
  return { replicas: proposed, usage };
}
