import type { Rng } from "@clustersim/sim-core";
import type { RateCurve, Task } from "@clustersim/workloads";
import type { ForecasterSpec } from "../forecast/create.js";
import type { Behavior } from "./autoscaling/behavior.js";
import type { Tolerances } from "./autoscaling/replica-calculator.js";
import type { ServiceTime } from "./latency/service-time.js";
import type { ServiceView } from "./service-api.js";

/** What a replica pod asks for and where it may go: a task template without times. */
export type ReplicaTemplate = Pick<
  Task,
  "cpuMilli" | "memoryMiB" | "gpus" | "gpuMilli" | "nicGbps" | "runtime" | "priority" | "tolerations" | "nodeSelector"
>;

/**
 * What an HPA scales on: CPU utilisation of requests; requests each ready pod served per second (a
 * pods metric, averaged per pod); requests arriving at the service per second (an object metric, as
 * an ingress reports it, with an average-value target); or a queue per replica (KEDA).
 */
export type AutoscalerMetric =
  | { type: "cpu"; targetUtilizationPercent: number }
  | { type: "servedRps"; targetPerReplica: number }
  | { type: "offeredRps"; targetPerReplica: number }
  | {
      type: "queue";
      targetPerReplica: number;
      /** KEDA: the trigger is active while the queue is above this; from zero replicas it wakes the service. */
      activationThreshold: number;
      /** KEDA: with minReplicas 0, back to zero after this long without activity. */
      cooldownS: number;
    };

export interface AutoscalerConfig {
  metric: AutoscalerMetric;
  /** autoscaling/v2 `behavior`, defaults filled in; absent: upstream's legacy path. */
  behavior?: Behavior;
  tolerance: Tolerances;
  /** --horizontal-pod-autoscaler-sync-period. */
  syncPeriodS: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period. */
  cpuInitializationPeriodS: number;
  /** The window a pod's metric averages over (metrics-server's resolution). */
  metricWindowS: number;
  /**
   * KEDA's cron trigger: while a window is on ([fromS, toS), recurring every `everyS` when given), at
   * least `replicas`. KEDA feeds each trigger to the HPA as a metric, and the HPA takes the largest
   * proposal of its metrics (keda.sh/docs/2.16/scalers/cron).
   */
  schedules?: readonly { fromS: number; toS: number; everyS?: number; replicas: number }[];
  /**
   * Predictive scaling (as Alibaba's AHPA and Tencent's Crane do it): forecast the offered rate per
   * interval and provision ahead by the time a new replica takes to become ready; the HPA takes the
   * larger of this and its metric's proposal. Requests-per-second metrics only.
   */
  predictive?: PredictiveConfig;
}

/** The forecaster and its parameters (forecast/create.ts), the season, the interval and the margin. */
export interface PredictiveConfig extends ForecasterSpec {
  /** The season (a day, say) and the interval the series is kept in, seconds. */
  seasonS: number;
  intervalS: number;
  /** Headroom over the forecast (0.1: 10% more replicas than it needs). */
  margin: number;
  /** The offered rate per interval before t = 0 (whole seasons, oldest first), learnt before the run. */
  history?: readonly number[];
}

/**
 * An autoscaler of the user's (a plug-in, beside the built-in HPA, KEDA and VPA): every `syncPeriodS`
 * it is asked for the service's desired replicas, which are then held within the service's bounds.
 */
export interface CustomAutoscaler {
  readonly name: string;
  readonly syncPeriodS: number;
  desired(service: ServiceView, nowS: number): number;
}

/**
 * How a VPA's updater applies its recommendation (its `updateMode`): by restarting replicas (Recreate);
 * by resizing running ones in place, restarting where that fails (InPlaceOrRecreate); or not at all
 * (Off: the recommendation is in the summary only). ./autoscaling/service-vpa.ts does it.
 */
export type VpaMode = "Recreate" | "InPlaceOrRecreate" | "Off";

/** A long-running service as a run sees it (the scenario schema writes it; scenarios/src/compose builds this). */
export interface ServiceConfig {
  name: string;
  replica: ReplicaTemplate;
  /** Replicas at the start; an autoscaler keeps the count within [minReplicas, maxReplicas]. */
  initialReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  /** Requests one replica serves at once. */
  concurrency: number;
  /** Time a request occupies a server: the per-request model draws it, the fluid model reads its shape. */
  serviceTime: ServiceTime;
  /** CPU a request costs, core-seconds: a replica's CPU usage is its share of the requests served times this. */
  cpuSecondsPerRequest: number;
  /** The latency objective: this quantile of response time at most `targetS`. */
  slo: { quantile: number; targetS: number };
  /** A request waiting longer than this leaves unserved (a client timeout), seconds. */
  timeoutS: number;
  /** External traffic (requests per second over time); absent: only calls from other services. */
  rate?: RateCurve;
  /**
   * Services this one calls, how many calls each request it serves makes, and whether they are made
   * at once (parallel: the request waits for the slowest) or one after another (the default). A
   * request holds its server while it waits for them; a call that fails (on every attempt) fails it.
   */
  calls: readonly CallConfig[];
  /**
   * The latency model: "fluid" (its queue on the mean rate, each tick's arrivals a Poisson draw from
   * the service's own stream), "fluid-mean" (the same queue, arrivals the mean: every seed alike) or
   * "per-request" (every request simulated).
   */
  latency: LatencyModelName;
  /** Seconds to pull the replica's image before its sandbox starts (0: cached, or not modelled). */
  imagePullS: number;
  /** Seconds from the container's start to its first successful readiness probe. */
  readinessS: number;
  /** Replicas that fit no regular node may go to a virtual (serverless) node. */
  burst: boolean;
  autoscaler?: AutoscalerConfig;
  /** A user's autoscaler instead of the HPA. */
  customAutoscaler?: CustomAutoscaler;
  /**
   * The Vertical Pod Autoscaler for CPU: its recommender every minute; in "Recreate" mode its updater
   * restarts replicas whose request is outside the recommended bounds with the target; in
   * "InPlaceOrRecreate" it resizes them in place, restarting those it cannot.
   */
  vpa?: { mode: VpaMode };
  /**
   * The replicas' memory in use, and OOM kills when it passes their limit (./replica-memory.ts);
   * absent: memory is not modelled (a replica's request only places it).
   */
  memory?: ReplicaMemoryConfig;
}

/**
 * A replica's memory in use: `baseMiB` resident at idle, plus `perRequestMiB` for each request it
 * holds (in service or waiting in it). Past `limitMiB` (absent: the replica's memory request, as in a
 * Guaranteed pod) the kernel's OOM killer kills its container and the kubelet restarts it.
 */
export interface ReplicaMemoryConfig {
  perRequestMiB: number;
  baseMiB: number;
  limitMiB?: number;
}

export type LatencyModelName = "fluid" | "fluid-mean" | "per-request";

/** One call edge: the callee, how many calls a request makes to it, and what the caller does when one fails. */
export interface CallConfig {
  service: string;
  /** Calls per request served (a fraction: that share of requests makes the last one). */
  perRequest: number;
  /** Made at once with the other parallel calls (the request waits for the slowest). */
  parallel?: boolean;
  /**
   * An attempt whose response would take longer fails at this time, seconds (as Envoy's per-try
   * timeout, x-envoy-upstream-rq-per-try-timeout-ms): the caller's slot is held until then. Absent: no
   * timeout. The callee is not told (it serves the request anyway: no cancellation).
   */
  timeoutS?: number;
  /** Attempts after a failed one (a timeout, or the callee's drop or failure), at most MAX_RETRIES; default 0. */
  retries?: number;
  /**
   * Wait before each retry, seconds: default 0, an assumption. Envoy's default is a jittered exponential
   * back-off from a 25 ms base, retry N waiting a uniform time below (2^N − 1) × 25 ms, at most 250 ms
   * (envoyproxy.io, router filter, x-envoy-max-retries); here one fixed wait.
   */
  backoffS?: number;
}

/** Services in an order where every caller comes before the services it calls; throws on a cycle. */
export function callOrder(services: readonly ServiceConfig[]): number[] {
  const index = new Map(services.map((s, i) => [s.name, i]));
  const state = new Uint8Array(services.length); // 0 unvisited, 1 on the path, 2 done
  const order: number[] = [];
  const visit = (i: number, path: string[]) => {
    if (state[i] === 2) return;
    if (state[i] === 1)
      throw new RangeError(`services call each other in a cycle: ${[...path, services[i].name].join(" → ")}`);
    state[i] = 1;
    for (const c of services[i].calls) {
      const j = index.get(c.service);
      if (j === undefined)
        throw new RangeError(`service ${services[i].name} calls "${c.service}", which is not a service`);
      visit(j, [...path, services[i].name]);
    }
    state[i] = 2;
    order.push(i);
  };
  services.forEach((_, i) => visit(i, []));
  // Post-order puts callees first: reverse it so that callers come first.
  return order.reverse();
}

/**
 * The connected call graphs (two or more services joined by calls, either way) all of whose services
 * have the per-request model, each as its services' indices in order: what is simulated exactly, on
 * one event loop (./latency/request-graph.ts). A graph with a fluid service in it is not among them.
 */
export function perRequestGraphs(
  services: readonly { name: string; latency: string; calls: readonly { service: string }[] }[],
): number[][] {
  const index = new Map(services.map((s, i) => [s.name, i]));
  // Union-find over the call edges: each service's root names its graph.
  const root = services.map((_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i])));
  services.forEach((s, i) => {
    for (const c of s.calls) {
      const j = index.get(c.service);
      if (j !== undefined) root[find(i)] = find(j);
    }
  });
  const graphs = new Map<number, number[]>();
  services.forEach((_, i) => {
    const r = find(i);
    graphs.set(r, [...(graphs.get(r) ?? []), i]);
  });
  return [...graphs.values()].filter((g) => g.length > 1 && g.every((i) => services[i].latency === "per-request"));
}

/** A virtual (serverless) node: its per-pod start latency and per-second prices. */
export interface VirtualNode {
  /** From binding to a running sandbox (the provider's instance start), seconds. */
  startS(rng: Rng): number;
  /** Replicas' images are cached there (no pull); otherwise they pull as on a node. */
  imageCache?: boolean;
  pricePerVcpuS: number;
  pricePerGiBS: number;
}
