import { FORECASTERS, MAX_RETRIES } from "@clustersim/engine";
import { TASK_FORMATS } from "@clustersim/workloads";
import { z } from "zod";
import { distOf } from "./distributions.js";
import { NodeSelector, Tolerations } from "./placement.js";
import { RateSpec } from "./rates.js";
import { Cpu, Duration, Memory, PositiveDuration } from "./units.js";

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

/**
 * The longest time a request's own figures may be given in: a service time's mean, a timeout, a
 * back-off. A request of 11.6 days is a job, not a request; past this the fluid model's arithmetic
 * loses its percentiles (a mean of 1e12 s gave p99 0) and a retry's back-off its requests.
 */
export const MAX_REQUEST_S = 1e6;
/** The most calls a request makes on one edge: each is a draw per request (per-request model). */
export const MAX_CALLS_PER_REQUEST = 1000;
const requestTime = <T extends z.ZodType<number, unknown>>(d: T) =>
  d.refine((x) => x <= MAX_REQUEST_S, {
    error: (i) => `expected at most ${MAX_REQUEST_S.toLocaleString("en")} s (11.6 days), found ${i.input} s`,
  });

/** autoscaling/v2 HPAScalingPolicy: at most `value` pods, or `value` percent, per `period`. */
const ScalingPolicy = z.strictObject({
  type: z.enum(["Pods", "Percent"]),
  value: z.number().int().positive(),
  period: PositiveDuration.refine((p) => p <= 1800, "expected a period of at most 1800 s (upstream's limit)"),
});

/** autoscaling/v2 HPAScalingRules: a field left out takes upstream's default for its direction. */
const ScalingRules = z.strictObject({
  stabilizationWindow: Duration.refine((w) => w <= 3600, "expected at most 3600 s (upstream's limit)").optional(),
  selectPolicy: z.enum(["Max", "Min", "Disabled"]).optional(),
  policies: z.array(ScalingPolicy).min(1).optional(),
});

/** A request rate read from a trace: its arrivals counted per bin (e.g. Azure's LLM requests or function invocations). */
const TraceRate = z.strictObject({
  type: z.literal("trace"),
  format: z.enum(TASK_FORMATS),
  path: z
    .string()
    .min(1)
    .meta({ description: "the trace (azure-functions: its directory), relative to the scenario file" }),
  bin: PositiveDuration.default(60).meta({
    description: "arrivals are counted per bin; the rate is steady within one",
  }),
  from: Duration.default(0).meta({ description: "trace time that becomes the run's 0" }),
  scale: positive.default(1).meta({ description: "requests per trace arrival" }),
});

/** A service's rate: curves that multiply, any of which may come from a trace. */
export const ServiceRate = z.union([RateSpec, TraceRate]);

export const HpaMetric = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("cpu"),
    targetUtilization: z.number().int().positive().meta({ description: "percent of the replicas' CPU requests" }),
  }),
  z.strictObject({
    type: z.enum(["servedRps", "rps"]).meta({ description: "rps is servedRps's older name" }),
    targetPerReplica: positive.meta({
      description:
        "requests each ready replica served per second (a pods metric; capped by what replicas can serve, so a backlog does not show)",
    }),
  }),
  z.strictObject({
    type: z.literal("offeredRps"),
    targetPerReplica: positive.meta({
      description:
        "requests arriving at the service per second, per replica (an object metric, as an ingress reports it)",
    }),
  }),
  z.strictObject({
    type: z.literal("queue"),
    targetPerReplica: positive.meta({ description: "waiting requests per replica (KEDA, external AverageValue)" }),
    activationThreshold: nonNegative.default(0),
    cooldown: Duration.default(300),
  }),
]);

/** An order of ARIMA's, a whole number within the fit's limits (engine forecast/arima-fit.ts). */
const order = (most: number, description: string) => z.number().int().min(0).max(most).meta({ description });

/** The most intervals a predictive HPA's season, and the most its refit window, may hold. */
const MAX_SEASON_INTERVALS = 100_000;
const MAX_WINDOW_INTERVALS = 200_000;

/** Predictive scaling on a forecast of the offered rate (engine services/autoscaling/predictive-scaler.ts). */
const Predictive = z
  .strictObject({
    forecaster: z.enum(FORECASTERS).default("holt-winters").meta({
      description:
        "seasonal naive, Holt–Winters fitted online (additive or multiplicative season), seasonal ARIMA refitted on a sliding window, or a small MLP trained online",
    }),
    season: PositiveDuration.meta({ description: "the season the traffic repeats with (24h, say)" }),
    interval: PositiveDuration.default(60).meta({ description: "the interval the offered rate is kept in" }),
    margin: z.number().min(0).default(0.1).meta({ description: "headroom over the forecast (0.1: 10%)" }),
    order: z
      .strictObject({
        p: order(5, "autoregressive order"),
        d: order(2, "differences"),
        q: order(5, "moving-average order"),
        P: order(2, "seasonal autoregressive order").default(0),
        D: order(1, "seasonal differences").default(0),
        Q: order(2, "seasonal moving-average order").default(0),
      })
      .optional()
      .meta({ description: "arima: (p, d, q)(P, D, Q) over the season; default (1, 0, 1)(0, 1, 1), an assumption" }),
    lags: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: "mlp: the intervals its inputs reach back (default 24, an assumption)" }),
    refit: PositiveDuration.optional().meta({
      description: "arima, mlp: how often to refit (default a 24th of the season, an assumption)",
    }),
    window: PositiveDuration.optional().meta({
      description: "arima, mlp: the sliding window a refit sees (default 7 seasons, mlp 3: assumptions)",
    }),
    history: z
      .strictObject({
        path: z.string().min(1).meta({
          description:
            "an earlier run's services.csv, relative to the scenario file: its arrivalsPerS are the seasons just before t = 0",
        }),
        service: z
          .string()
          .min(1)
          .optional()
          .meta({ description: "the service whose rows to read (default: this one's name)" }),
        scale: positive.default(1).meta({
          description: "multiplies the history's rates (0.9: a past 10% smaller than the night it was run for)",
        }),
      })
      .optional()
      .meta({ description: "what the forecaster learns from before the run starts, as AHPA reads weeks of metrics" }),
  })
  .superRefine((p, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const intervals = (s: number) => s / p.interval;
    if (!(Number.isInteger(intervals(p.season)) && intervals(p.season) >= 2)) {
      problem("season", "expected a season of two intervals or more, a whole number of them");
    }
    if (p.refit !== undefined && !Number.isInteger(intervals(p.refit))) {
      problem("refit", "expected a whole number of intervals");
    }
    if (p.window !== undefined && !(Number.isInteger(intervals(p.window)) && intervals(p.window) >= 2)) {
      problem("window", "expected a whole number of intervals, two or more");
    }
    // What a forecaster keeps and refits grows with these: a season is a ring of intervals, and a refit
    // of ARIMA or the MLP reads its whole window (default 7 seasons and 3; arima.ts, mlp-forecaster.ts).
    const period = intervals(p.season);
    if (period > MAX_SEASON_INTERVALS) {
      problem(
        "season",
        `expected at most ${MAX_SEASON_INTERVALS.toLocaleString("en")} intervals in a season (a week of 10-second intervals is 60,480), found ${period.toLocaleString("en")}`,
      );
    }
    const windowIntervals =
      p.window !== undefined
        ? intervals(p.window)
        : p.forecaster === "arima"
          ? 7 * period
          : p.forecaster === "mlp"
            ? 3 * period
            : 0;
    if (windowIntervals > MAX_WINDOW_INTERVALS) {
      problem(
        p.window !== undefined ? "window" : "season",
        `expected a refit window of at most ${MAX_WINDOW_INTERVALS.toLocaleString("en")} intervals (each refit reads all of it), found ${windowIntervals.toLocaleString("en")}${p.window === undefined ? ` (the default: ${p.forecaster === "arima" ? 7 : 3} seasons)` : ""}`,
      );
    }
    if (p.order !== undefined && p.forecaster !== "arima") {
      problem("order", "order is ARIMA's: expected forecaster: arima");
    }
    if (p.lags !== undefined && p.forecaster !== "mlp") problem("lags", "lags are the MLP's: expected forecaster: mlp");
  });

export const Hpa = z.strictObject({
  type: z.literal("hpa"),
  metric: HpaMetric,
  behavior: z
    .strictObject({ scaleUp: ScalingRules.optional(), scaleDown: ScalingRules.optional() })
    .optional()
    .meta({ description: "autoscaling/v2 behavior; without it the HPA takes upstream's legacy path" }),
  tolerance: z.number().min(0).max(1).default(0.1),
  syncPeriod: PositiveDuration.default(15),
  cpuInitializationPeriod: Duration.default(300),
  metricWindow: PositiveDuration.default(15).meta({
    description: "the window a pod's metric averages over (an assumption: metrics-server's resolution)",
  }),
  predictive: Predictive.optional().meta({
    description:
      "scale ahead of a forecast of the offered rate, by the time replicas take to become ready (as AHPA, Crane); requests-per-second metrics",
  }),
  schedules: z
    .array(
      z
        .strictObject({
          from: Duration,
          to: PositiveDuration,
          every: PositiveDuration.optional().meta({ description: "the window recurs with this period (e.g. 24h)" }),
          replicas: z.number().int().positive(),
        })
        .refine((w) => w.from < w.to, { message: "expected a window ending after it starts", path: ["to"] })
        .refine((w) => w.every === undefined || w.to <= w.every, {
          message: "expected a window within its period",
          path: ["to"],
        }),
    )
    .default([])
    .meta({
      description:
        "KEDA's cron trigger: at least `replicas` while the window is on (from..to, recurring `every`); the HPA takes the larger of it and the metric's",
    }),
});

/** A user's autoscaler (a plug-in file exporting `autoscaler`), beside the built-in HPA. */
export const PluginAutoscaler = z.strictObject({
  type: z.literal("plugin"),
  plugin: z.string().min(1).meta({ description: "TypeScript or JavaScript file exporting `autoscaler`" }),
  params: z.record(z.string(), z.unknown()).default({}),
  syncPeriod: PositiveDuration.default(15).meta({
    description: "how often it is asked for the desired replicas (default: the HPA's 15 s)",
  }),
});

/** `{ plugin: ... }` without a type is a plug-in. */
const ServiceAutoscaler = z.preprocess(
  (a) => (a && typeof a === "object" && !("type" in a) && "plugin" in a ? { type: "plugin", ...a } : a),
  z.discriminatedUnion("type", [Hpa, PluginAutoscaler]),
);

export const Service = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/, "letters, digits, '.', '_' or '-'"),
  replica: z.strictObject({
    cpu: Cpu,
    memory: Memory,
    memoryLimit: Memory.optional().meta({
      description:
        "the container's memory limit, at least `memory` (default: `memory`, a Guaranteed pod); with memoryPerRequest, a replica past it is OOM-killed",
    }),
    gpus: count.optional(),
    gpuMilli: z.number().int().min(0).max(1000).optional(),
    nicGbps: nonNegative.optional(),
    runtime: z.string().optional(),
    priority: z.number().int().optional(),
    tolerations: Tolerations.optional(),
    nodeSelector: NodeSelector.optional(),
    burst: z.boolean().default(false).meta({
      description:
        "replicas that fit no regular node go to a virtual (serverless) node group, as ACK's ResourcePolicy orders them",
    }),
  }),
  replicas: count.default(1).meta({ description: "replicas at the start" }),
  minReplicas: count.optional().meta({ description: "the autoscaler's lower bound (default: 1)" }),
  maxReplicas: count.optional().meta({ description: "the autoscaler's upper bound (default: replicas)" }),
  concurrency: z.number().int().positive().default(1).meta({ description: "requests a replica serves at once" }),
  serviceTime: z.union([Duration, distOf(Duration)]).meta({
    description: "time a request holds a server (seconds, or a distribution); the fluid model uses its mean",
  }),
  cpuPerRequest: nonNegative.meta({ description: "CPU a request costs, core-seconds" }),
  memoryPerRequest: Memory.optional().meta({
    description:
      "memory a request holds in its replica, in service or waiting there; with it a replica whose memory passes its limit is OOM-killed and restarted in place after the kubelet's back-off (absent: memory not modelled)",
  }),
  memoryBase: Memory.optional().meta({
    description: "a replica's memory at idle, with memoryPerRequest (default 0: an assumption)",
  }),
  slo: z.strictObject({
    percentile: z.number().gt(0).lt(100).default(99),
    target: PositiveDuration,
  }),
  timeout: requestTime(PositiveDuration).default(30).meta({
    description: "a request waiting this long leaves unserved (default 30 s: an assumption)",
  }),
  rate: z
    .array(ServiceRate)
    .min(1)
    .optional()
    .meta({ description: "external requests per second over time (components multiply; `type: trace` reads one)" }),
  calls: z
    .array(
      z.strictObject({
        service: z.string(),
        perRequest: positive
          .max(MAX_CALLS_PER_REQUEST, `expected at most ${MAX_CALLS_PER_REQUEST} calls per request`)
          .meta({ description: "calls per request served (a fraction: that share of requests)" }),
        parallel: z.boolean().default(false).meta({
          description:
            "made at once with the other parallel calls (the request waits for the slowest); else one after another",
        }),
        timeout: requestTime(PositiveDuration).optional().meta({
          description:
            "an attempt taking longer fails at this time (a per-try timeout): the slot is freed then and the request fails unless a retry succeeds (absent: none)",
        }),
        retries: z
          .number()
          .refine((r) => Number.isInteger(r) && r >= 0 && r <= MAX_RETRIES, {
            error: (i) =>
              `expected a whole number of retries from 0 to ${MAX_RETRIES} (each is a further call to the callee), found ${JSON.stringify(i.input)}`,
          })
          .default(0)
          .meta({
            description:
              "attempts made again after a failed one (a timeout, or the callee's drop or failure); each is a further call to the callee",
          }),
        backoff: requestTime(Duration).default(0).meta({
          description:
            "wait before each retry (default 0: an assumption; Envoy's default is jittered exponential from a 25 ms base)",
        }),
      }),
    )
    .default([])
    .meta({
      description:
        "services called for each request served: it holds its server while it waits for them, and fails when one fails (on every attempt)",
    }),
  latency: z.enum(["fluid", "fluid-mean", "per-request"]).default("fluid").meta({
    description:
      "fluid: queue on the mean rate, arrivals per tick a Poisson draw; fluid-mean: arrivals the mean (alike on every seed); per-request: every request simulated",
  }),
  image: z
    .strictObject({ size: Memory, pullBandwidth: positive.meta({ description: "MiB/s" }) })
    .optional()
    .meta({ description: "pulled before a replica starts (absent: no pull time)" }),
  readinessDelay: Duration.default(0).meta({ description: "from the container's start to its first ready probe" }),
  autoscaler: ServiceAutoscaler.optional(),
  vpa: z
    .strictObject({ mode: z.enum(["Recreate", "InPlaceOrRecreate", "Off"]).default("Recreate") })
    .optional()
    .meta({
      description:
        "the Vertical Pod Autoscaler for CPU (recommender and updater, VPA 1.5.0 defaults); Recreate: restarts replicas with the target; InPlaceOrRecreate: resizes running replicas in place (Kubernetes v1.33), restarting those whose resize is infeasible or deferred over 5 minutes; Off: recommendations only, in the summary",
    }),
});

export type ServiceSpec = z.output<typeof Service>;

/** A service's predictive HPA's history file, if it names one. */
export function predictiveHistory(s: ServiceSpec) {
  return s.autoscaler?.type === "hpa" ? s.autoscaler.predictive?.history : undefined;
}

/** Problems across services: bounds, names, calls to unknown services and cycles, each at its field. */
export function servicesProblems(services: readonly ServiceSpec[], ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path: ["services", ...path], message });
  const index = new Map<string, number>();
  services.forEach((s, i) => {
    if (index.has(s.name)) issue([i, "name"], `expected a unique service name, found "${s.name}" twice`);
    else index.set(s.name, i);
    const min = s.minReplicas ?? 1;
    const max = s.maxReplicas ?? s.replicas;
    // Bounds are the autoscaler's: without one (and unwritten) they do not apply, whatever `replicas` is.
    const bounded = s.autoscaler !== undefined || s.minReplicas !== undefined || s.maxReplicas !== undefined;
    if (bounded && min > max) issue([i, "minReplicas"], `expected minReplicas ≤ maxReplicas (${max}), found ${min}`);
    if (s.autoscaler && (s.replicas < min || s.replicas > max)) {
      issue(
        [i, "replicas"],
        `expected replicas within [minReplicas, maxReplicas] = [${min}, ${max}], found ${s.replicas}`,
      );
    }
    if (s.autoscaler && max < 1) {
      issue([i, "maxReplicas"], `expected maxReplicas ≥ 1 for a service an autoscaler scales, found ${max}`);
    }
    const a = s.autoscaler;
    if (a?.type === "hpa" && a.predictive && (a.metric.type === "cpu" || a.metric.type === "queue")) {
      issue(
        [i, "autoscaler", "predictive"],
        `expected a requests-per-second metric (servedRps or offeredRps) to scale ahead of, found ${a.metric.type}`,
      );
    }
    if (min === 0 && s.autoscaler?.type === "hpa" && s.autoscaler.metric.type !== "queue") {
      issue([i, "minReplicas"], "expected minReplicas ≥ 1: only a queue metric (KEDA) scales to zero");
    }
    memoryProblems(s, (path, message) => issue([i, ...path], message));
  });
  services.forEach((s, i) =>
    s.calls.forEach((c, k) => {
      if (!index.has(c.service)) {
        issue([i, "calls", k, "service"], `expected a service of this scenario, found "${c.service}"`);
      }
    }),
  );
  // A cycle in the call graph: traffic would call itself forever.
  const state = new Uint8Array(services.length);
  const visit = (i: number, path: string[]): boolean => {
    if (state[i] === 2) return false;
    if (state[i] === 1) {
      issue([i, "calls"], `expected calls without a cycle, found ${[...path, services[i].name].join(" → ")}`);
      return true;
    }
    state[i] = 1;
    for (const c of services[i].calls) {
      const j = index.get(c.service);
      if (j !== undefined && visit(j, [...path, services[i].name])) return true;
    }
    state[i] = 2;
    return false;
  };
  for (let i = 0; i < services.length; i++) if (visit(i, [])) break;
}

/** A service's memory fields: a limit at least the request, room for requests above the idle memory. */
function memoryProblems(s: ServiceSpec, issue: (path: string[], message: string) => void): void {
  const limit = s.replica.memoryLimit ?? s.replica.memory;
  const mib = (x: number) => `${Number(x.toPrecision(6))} MiB`;
  if (s.replica.memoryLimit !== undefined && s.replica.memoryLimit < s.replica.memory) {
    issue(
      ["replica", "memoryLimit"],
      `expected a limit ≥ the replica's memory request (${mib(s.replica.memory)}), found ${mib(s.replica.memoryLimit)}`,
    );
  }
  if (s.memoryPerRequest === undefined) {
    // Without it memory is not modelled: the other two would be ignored.
    if (s.memoryBase !== undefined)
      issue(["memoryBase"], "expected memoryPerRequest beside it (memory is modelled per request)");
    if (s.replica.memoryLimit !== undefined)
      issue(["replica", "memoryLimit"], "expected memoryPerRequest beside it (memory is modelled per request)");
    return;
  }
  if (s.memoryBase !== undefined && s.memoryBase >= limit) {
    issue(
      ["memoryBase"],
      `expected less than the memory limit (${mib(limit)}), leaving room for requests, found ${mib(s.memoryBase)}`,
    );
  }
}
