import { PREDICTION_SETTINGS, trendSettingsOnlyForTrend } from "@clustersim/schedulers";
import { z } from "zod";
import { Cluster, Hardware } from "./cluster-schema.js";
import { Autoscaler, ControllerSpec, Fault, Outputs, Scheduler } from "./control-schema.js";
import type { RateSpec } from "./rates.js";
import { Service, servicesProblems } from "./service-schema.js";
import { PositiveDuration } from "./units.js";
import { SafeName, type Transform, Workload } from "./workload-schema.js";

/** Trace formats whose requests are fractions of a machine (a workload's `machine` gives its size). */
const FRACTION_FORMATS: ReadonlySet<string> = new Set(["alibaba-v2017-jobs", "google-2011-task-events"]);

export { Cluster, Hardware, NodeGroup } from "./cluster-schema.js";
export { Autoscaler, ControllerSpec, Fault, Outputs, Scheduler } from "./control-schema.js";
export { RateSpec } from "./rates.js";
export { Dist, SafeName, TaskTemplate, Transform, Workload } from "./workload-schema.js";

/**
 * The scenario file: one zod schema, strict everywhere (an unknown field is an error, not silently
 * ignored). Plain data with `type` discriminants. `clustersim schema` prints it as JSON Schema. Its
 * parts: workloads (./workload-schema.ts), the cluster and its hardware (./cluster-schema.ts), the
 * scheduler, autoscalers, controllers, faults and outputs (./control-schema.ts), services
 * (./service-schema.ts).
 */

/**
 * What a run may cost, checked before it starts: every node is held in memory, every generated task
 * is simulated, every time-series row is written. Beyond these a run would take hours or fill a disk;
 * the message names the field and the figure.
 */
/**
 * What a run may be asked to do, checked before it starts (a run past these would take hours or run out
 * of memory): nodes held, tasks generated, time-series rows, service ticks (services × ticks), and
 * requests the per-request latency model simulates one by one.
 */
export const LIMITS = {
  nodes: 1_000_000,
  generatedTasks: 100_000_000,
  timeseriesRows: 10_000_000,
  serviceTicks: 1_000_000_000,
  perRequestRequests: 1_000_000_000,
  /** Functions of a `functions` workload: each keeps its rate, run time and memory. */
  functions: 10_000_000,
  /** Service replicas at their largest (each is a task the run holds). */
  replicas: 10_000_000,
};

/**
 * A function's mean invocation rate under the Azure 2019 fit (workloads' AZURE_2019_FIT: log10 of the
 * per-minute rate normal with mean −1.555 and σ 1.772): E[10^X] / 60 = 10^μ · e^((σ ln 10)² / 2) / 60,
 * about 1.9/s. Heavy-tailed, so one draw of many functions may differ: an estimate of the cost, not a
 * bound of the run.
 */
const AZURE_MEAN_RATE_PER_FUNCTION = (10 ** -1.555 * Math.exp((1.772 * Math.LN10) ** 2 / 2)) / 60;

/**
 * An upper bound of a rate's peak: the product of its components' maxima (each component's own
 * maximum; a product of curves peaks no higher).
 */
/**
 * The most requests per second each service can receive: its own rate's peak (a rate with a trace in
 * it counted as none: its peak is known only once read) plus, for each caller, the caller's peak times
 * its calls per request times the attempts a call may take. Infinite around a cycle (refused apart).
 */
function peakRequestRates(services: z.output<typeof ScenarioFields>["services"]): number[] {
  const peak: (number | undefined)[] = services.map(() => undefined);
  const index = new Map(services.map((x, i) => [x.name, i]));
  const visiting = new Set<number>();
  const of = (i: number): number => {
    const known = peak[i];
    if (known !== undefined) return known;
    if (visiting.has(i)) return Number.POSITIVE_INFINITY;
    visiting.add(i);
    const x = services[i];
    // No rate: no traffic of its own; a rate with a trace in it: its peak is unknown until the trace is
    // read, so counted as none here.
    const curves = (x.rate ?? []).filter((q): q is z.output<typeof RateSpec> => q.type !== "trace");
    let r = x.rate && curves.length === x.rate.length ? peakOf(curves) : 0;
    services.forEach((caller, k) => {
      for (const c of caller.calls) if (index.get(c.service) === i) r += of(k) * c.perRequest * (1 + c.retries);
    });
    visiting.delete(i);
    peak[i] = r;
    return r;
  };
  return services.map((_, i) => of(i));
}

function peakOf(rate: readonly z.output<typeof RateSpec>[]): number {
  let peak = 1;
  for (const r of rate) {
    if (r.type === "constant") peak *= r.ratePerS;
    else if (r.type === "diurnal") peak *= r.meanRatePerS * (1 + r.amplitude);
    else if (r.type === "piecewise") peak *= Math.max(0, ...r.points.map((p) => p[1]));
    else if (r.type === "surge") peak *= r.multiplier;
  }
  return peak;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en");

function checkCost(s: z.output<typeof ScenarioFields>, ctx: z.RefinementCtx): void {
  const groups = s.cluster.nodeGroups ?? [];
  const nodes = groups.reduce((n, g) => n + (g.maxCount ?? g.count), 0);
  if (nodes > LIMITS.nodes) {
    ctx.addIssue({
      code: "custom",
      path: ["cluster", "nodeGroups"],
      message: `expected at most ${fmt(LIMITS.nodes)} nodes in all (a run holds every node in memory), found ${fmt(nodes)}`,
    });
  }
  s.workloads.forEach((w, i) => {
    // These traces give requests as fractions of a machine: without its size, a request is no amount.
    if (w.type === "trace" && FRACTION_FORMATS.has(w.format) && !w.machine) {
      ctx.addIssue({
        code: "custom",
        path: ["workloads", i, "machine"],
        message: `expected the machine size (e.g. machine: { cpu: "64", memory: 256Gi }) for a ${w.format} trace, whose requests are fractions of a machine; found none`,
      });
    }
  });
  s.workloads.forEach((w, i) => {
    if (w.type === "functions" && w.functions > LIMITS.functions) {
      ctx.addIssue({
        code: "custom",
        path: ["workloads", i, "functions"],
        message: `expected at most ${fmt(LIMITS.functions)} functions (each keeps its rate, run time and memory), found ${fmt(w.functions)}`,
      });
      return;
    }
    // A sample drawn until a count of tasks is that many tasks, whatever the workload.
    for (const [k, t] of w.transforms.entries()) {
      if (t.type === "sample" && t.until.field === "count" && t.until.total > LIMITS.generatedTasks) {
        ctx.addIssue({
          code: "custom",
          path: ["workloads", i, "transforms", k, "until", "total"],
          message: `expected at most ${fmt(LIMITS.generatedTasks)} tasks drawn, found a count of ${fmt(t.until.total)}`,
        });
      }
    }
    const peak =
      w.type === "poisson"
        ? w.ratePerS
        : w.type === "mmpp"
          ? Math.max(...w.states.map((x) => x.ratePerS))
          : w.type === "rate-curve"
            ? peakOf(w.rate)
            : w.type === "functions"
              ? (w.scaleToInvocationsPerS ?? w.functions * AZURE_MEAN_RATE_PER_FUNCTION) * peakOf(w.rate ?? [])
              : 0;
    const tasks = peak * s.duration;
    if (tasks > LIMITS.generatedTasks) {
      const field =
        w.type === "poisson"
          ? "ratePerS"
          : w.type === "mmpp"
            ? "states"
            : w.type === "functions"
              ? w.scaleToInvocationsPerS !== undefined
                ? "scaleToInvocationsPerS"
                : "functions"
              : "rate";
      ctx.addIssue({
        code: "custom",
        path: ["workloads", i, field],
        message: `expected at most ${fmt(LIMITS.generatedTasks)} tasks over the ${fmt(s.duration)} s run, found a rate of up to ${peak}/s (about ${fmt(tasks)} tasks)`,
      });
    }
  });
  const replicas = s.services.reduce((n, x) => n + Math.max(x.replicas, x.maxReplicas ?? 0), 0);
  if (replicas > LIMITS.replicas) {
    // Named at the largest service's bound, so that a message (and a --set's blame) points at it.
    const most = (x: (typeof s.services)[number]) => Math.max(x.replicas, x.maxReplicas ?? 0);
    const i = s.services.reduce((best, x, k) => (most(x) > most(s.services[best]) ? k : best), 0);
    const field = (s.services[i].maxReplicas ?? 0) > s.services[i].replicas ? "maxReplicas" : "replicas";
    ctx.addIssue({
      code: "custom",
      path: ["services", i, field],
      message: `expected at most ${fmt(LIMITS.replicas)} replicas over all services at their largest (each is a task the run holds), found ${fmt(replicas)}`,
    });
  }
  const ticks = (s.duration / s.serviceTick) * s.services.length;
  if (ticks > LIMITS.serviceTicks) {
    ctx.addIssue({
      code: "custom",
      path: ["serviceTick"],
      message: `expected at most ${fmt(LIMITS.serviceTicks)} service ticks (services × ticks of the run), found ${fmt(ticks)} with a tick of ${s.serviceTick} s`,
    });
  }
  s.services.forEach((x, i) => {
    // The offered rate is kept per interval from whole ticks: an interval shorter than a tick holds
    // none, and one of a part tick would be kept as a longer one than its season and history assume.
    const predictive = x.autoscaler?.type === "hpa" ? x.autoscaler.predictive : undefined;
    const ticks = predictive ? predictive.interval / s.serviceTick : 1;
    if (predictive && !(ticks >= 1 && Math.abs(ticks - Math.round(ticks)) < 1e-9)) {
      ctx.addIssue({
        code: "custom",
        path: ["services", i, "autoscaler", "predictive", "interval"],
        message: `expected an interval of a whole number of service ticks (${s.serviceTick} s each), found ${predictive.interval} s`,
      });
    }
  });
  // Each service's peak request rate: its own traffic and its callers' calls, every attempt counted
  // (an attempt that fails is retried up to `retries` times), down the call graph.
  const peaks = peakRequestRates(s.services);
  s.services.forEach((x, i) => {
    if (x.latency !== "per-request") return;
    const requests = peaks[i] * s.duration;
    if (requests > LIMITS.perRequestRequests) {
      ctx.addIssue({
        code: "custom",
        path: ["services", i, x.rate ? "rate" : "latency"],
        message: `expected at most ${fmt(LIMITS.perRequestRequests)} requests for the per-request latency model (each is simulated; latency: fluid has no such bound), found a rate of up to ${fmt(peaks[i])}/s with its callers' calls and retries (about ${fmt(requests)} requests)`,
      });
    }
  });
  const rows = (s.duration / s.outputs.timeseriesInterval) * (groups.length + 1);
  if (rows > LIMITS.timeseriesRows) {
    ctx.addIssue({
      code: "custom",
      path: ["outputs", "timeseriesInterval"],
      message: `expected at most ${fmt(LIMITS.timeseriesRows)} time-series rows, found an interval of ${s.outputs.timeseriesInterval} s (${fmt(rows)} rows over the run)`,
    });
  }
  measureProblems(s, ctx);
}

/** A warm-up that leaves nothing to measure, and windows that are empty, outside the run, or named twice. */
function measureProblems(s: z.output<typeof ScenarioFields>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path: ["outputs", ...path], message });
  if (s.outputs.warmup >= s.duration) {
    issue(["warmup"], `expected a warm-up shorter than the run (${s.duration} s), found ${s.outputs.warmup} s`);
  }
  // Objectives are judged per minute and windows begin at a tick: both in whole ticks.
  const tick = s.serviceTick;
  const whole = (x: number) => Math.abs(x / tick - Math.round(x / tick)) < 1e-9;
  if (s.services.length > 0 && !whole(60)) {
    ctx.addIssue({
      code: "custom",
      path: ["serviceTick"],
      message: `expected a tick that divides a minute (objectives are judged per minute), found ${tick} s`,
    });
  }
  if (!whole(s.outputs.warmup))
    issue(["warmup"], `expected whole service ticks (${tick} s), found ${s.outputs.warmup} s`);
  const names = new Set<string>();
  s.outputs.windows.forEach((w, i) => {
    if (names.has(w.name)) issue(["windows", i, "name"], `expected a unique window name, found "${w.name}" twice`);
    names.add(w.name);
    for (const edge of ["from", "to"] as const) {
      if (!whole(w[edge])) issue(["windows", i, edge], `expected whole service ticks (${tick} s), found ${w[edge]} s`);
    }
    if (!(w.from < w.to))
      issue(["windows", i, "to"], `expected a window ending after it starts (${w.from} s), found ${w.to} s`);
    else if (w.to > s.duration)
      issue(["windows", i, "to"], `expected a window within the run (${s.duration} s), found ${w.to} s`);
  });
}

const ScenarioFields = z.strictObject({
  name: SafeName.optional(),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().default(1),
  duration: PositiveDuration.meta({ description: "simulated horizon" }),
  cluster: Cluster,
  hardware: Hardware.optional(),
  workloads: z.array(Workload).default([]),
  colocation: z
    .strictObject({
      enabled: z.boolean().default(true),
      cpuReclaimPercent: z.number().gt(0).max(100).default(60),
      memoryReclaimPercent: z.number().gt(0).max(100).default(65),
      cpuSuppressPercent: z.number().gt(0).max(100).default(65),
      interference: z.number().nonnegative().default(0.1).meta({
        description:
          "online requests slow by 1 + this × their node's CPU usage share (default 0.1: an assumption, under 5% from 10% to 40% usage)",
      }),
      reclaim: z
        .strictObject({
          ...PREDICTION_SETTINGS,
          predictor: PREDICTION_SETTINGS.predictor.meta({
            description:
              "average: batch room from each node's online usage over the last 5 minutes (Koordinator's); trend: from the upper bound of the services' usage trend over a batch pod's expected lifetime",
          }),
        })
        .refine(...trendSettingsOnlyForTrend)
        .default({ predictor: "average" })
        .meta({ description: "how the batch tier predicts the online usage its room is what is left of" }),
    })
    .refine((c) => c.enabled || c.reclaim.predictor === "average", {
      message: "reclaim applies only with enabled: true (no batch tier, no room to reclaim)",
      path: ["reclaim"],
    })
    .optional()
    .meta({
      description:
        "Koordinator-style co-location: batch workloads (qos: batch) on reclaimed room, suppressed when online usage rises (defaults: Koordinator's)",
    }),
  serviceTick: PositiveDuration.default(1).meta({
    description: "the services' traffic tick: latency, usage and objectives are computed per tick",
  }),
  services: z
    .array(Service)
    .default([])
    .meta({ description: "long-running services: replicas, traffic, latency, autoscaling" }),
  scheduler: Scheduler,
  autoscalers: z.array(Autoscaler).default([]),
  faults: z.array(Fault).default([]),
  controllers: z.array(ControllerSpec).default([]),
  outputs: Outputs.default({
    tasks: true,
    timeseriesInterval: 60,
    replay: false,
    decisions: false,
    warmup: 0,
    windows: [],
    arrivedGpuLoads: [1, 1.3],
  }),
});

/** Whether a value is absent or an empty list (a scenario's workloads or services, parsed or not). */
const emptyList = (x: unknown) => x === undefined || (Array.isArray(x) && x.length === 0);

export const Scenario = ScenarioFields.refine((s) => !(emptyList(s.workloads) && emptyList(s.services)), {
  path: ["workloads"],
  message: "expected at least one workload or service, found none",
  // Checked even when other fields are wrong, so that every problem is reported at once.
  when: (p) => {
    const v = p.value as { workloads?: unknown; services?: unknown } | undefined;
    return typeof v === "object" && v !== null && emptyList(v.workloads) && emptyList(v.services);
  },
}).superRefine((s, ctx) => {
  servicesProblems(s.services, ctx);
  checkCost(s, ctx);
});

export type ScenarioSpec = z.output<typeof Scenario>;
export type WorkloadSpec = z.output<typeof Workload>;
export type TransformSpec = z.output<typeof Transform>;
export type RateSpecInput = z.output<typeof RateSpec>;

/** The scenario's JSON Schema, for editors (input side: what a file may contain). */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(Scenario, { io: "input", unrepresentable: "any" });
}
