import {
  type AutoscalerConfig,
  type Behavior,
  type CustomAutoscaler,
  DEFAULT_BEHAVIOR,
  DOWNSCALE_STABILIZATION_S,
  type PredictiveConfig,
  type ScalingRules,
  type ServiceConfig,
  type ServiceTime,
  ServiceTimeShape,
} from "@clustersim/engine";
import { gammaFunction as gamma } from "@clustersim/hardware-models";
import {
  type DistSpec,
  inverseCdf,
  loadServiceHistory,
  RateCurve,
  type RateSpec,
  rateFromArrivals,
  sampler,
  TraceError,
  traceTasks,
} from "@clustersim/workloads";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalPdf from "@stdlib/stats-base-dists-normal-pdf";
import type { z } from "zod";
import { SpecError } from "../schema/load-spec.js";
import {
  type Hpa,
  MAX_REQUEST_S,
  type PluginAutoscaler,
  predictiveHistory,
  type ServiceSpec,
} from "../schema/service-schema.js";
import { rateSpec, resolveTracePath } from "./workload.js";

/** Loads a service's autoscaler plug-in (spec, the field for messages). */
export type LoadAutoscaler = (a: z.output<typeof PluginAutoscaler>, where: string) => Promise<CustomAutoscaler>;

/** The scenario's services as the engine runs them; `file` names the scenario in messages. */
export async function composeServices(
  specs: readonly ServiceSpec[],
  file: string,
  baseDir: string,
  horizonS: number,
  loadAutoscaler?: LoadAutoscaler,
): Promise<ServiceConfig[]> {
  const out: ServiceConfig[] = [];
  for (const [i, s] of specs.entries()) {
    const dist = s.serviceTime as DistSpec;
    const meanS = distMean(dist, `${file}: services[${i}].serviceTime`);
    const r = s.replica;
    out.push({
      name: s.name,
      replica: {
        cpuMilli: r.cpu,
        memoryMiB: r.memory,
        gpus: r.gpus ?? 0,
        gpuMilli: r.gpuMilli ?? (r.gpus ? 1000 : 0),
        nicGbps: r.nicGbps ?? 0,
        runtime: r.runtime ?? "",
        priority: r.priority ?? 0,
        tolerations: r.tolerations,
        nodeSelector: r.nodeSelector,
      },
      initialReplicas: s.replicas,
      minReplicas: s.minReplicas ?? 1,
      maxReplicas: s.maxReplicas ?? s.replicas,
      concurrency: s.concurrency,
      serviceTime: serviceTimeOf(dist, meanS, `${file}: services[${i}].serviceTime`),
      cpuSecondsPerRequest: s.cpuPerRequest,
      slo: { quantile: s.slo.percentile / 100, targetS: s.slo.target },
      timeoutS: s.timeout,
      rate: s.rate ? new RateCurve(await Promise.all(s.rate.map((r) => serviceRate(r, baseDir, horizonS)))) : undefined,
      calls: s.calls.map((c) => ({
        service: c.service,
        perRequest: c.perRequest,
        parallel: c.parallel,
        timeoutS: c.timeout,
        retries: c.retries,
        backoffS: c.backoff,
      })),
      latency: s.latency,
      imagePullS: s.image ? s.image.size / s.image.pullBandwidth : 0,
      readinessS: s.readinessDelay,
      burst: r.burst,
      autoscaler:
        s.autoscaler?.type === "hpa"
          ? await withHistory(
              autoscaler(s.autoscaler),
              s,
              baseDir,
              `${file}: services[${i}].autoscaler.predictive.history`,
            )
          : undefined,
      customAutoscaler:
        s.autoscaler?.type === "plugin"
          ? await loadAutoscaler!(s.autoscaler, `${file}: services[${i}].autoscaler`)
          : undefined,
      vpa: s.vpa,
      memory:
        s.memoryPerRequest === undefined
          ? undefined
          : { perRequestMiB: s.memoryPerRequest, baseMiB: s.memoryBase ?? 0, limitMiB: r.memoryLimit },
    });
  }
  return out;
}

/** A rate component; one read from a trace counts its arrivals per bin over the run's horizon. */
async function serviceRate(
  r: ServiceSpec["rate"] extends (infer R)[] | undefined ? R : never,
  baseDir: string,
  horizonS: number,
): Promise<RateSpec> {
  if (r.type !== "trace") return rateSpec(r);
  const tasks = traceTasks(r.format, resolveTracePath(r.path, baseDir), { streamName: "service-rate" });
  const shifted = (async function* () {
    for await (const t of tasks) yield { arrivalS: t.arrivalS - r.from };
  })();
  return rateFromArrivals(shifted, r.bin, { startS: 0, endS: horizonS, scale: r.scale });
}

function metric(m: z.output<typeof Hpa>["metric"]): AutoscalerConfig["metric"] {
  if (m.type === "cpu") return { type: "cpu", targetUtilizationPercent: m.targetUtilization };
  if (m.type === "queue") {
    return {
      type: "queue",
      targetPerReplica: m.targetPerReplica,
      activationThreshold: m.activationThreshold,
      cooldownS: m.cooldown,
    };
  }
  return { type: m.type === "offeredRps" ? "offeredRps" : "servedRps", targetPerReplica: m.targetPerReplica };
}

function predictive(p: NonNullable<z.output<typeof Hpa>["predictive"]>): PredictiveConfig {
  const intervals = (s: number | undefined) => (s === undefined ? undefined : Math.round(s / p.interval));
  return {
    forecaster: p.forecaster,
    seasonS: p.season,
    intervalS: p.interval,
    margin: p.margin,
    ...(p.order && { order: p.order }),
    ...(p.lags !== undefined && { lags: p.lags }),
    ...(p.refit !== undefined && { refitEvery: intervals(p.refit) }),
    ...(p.window !== undefined && { window: intervals(p.window) }),
  };
}

/**
 * The predictive HPA's past, read from an earlier run's services.csv: whole seasons, so that the run's
 * t = 0 falls where a season begins (a part season would shift every seasonal lag by its length).
 */
async function withHistory(a: AutoscalerConfig, s: ServiceSpec, baseDir: string, where: string) {
  const h = predictiveHistory(s);
  if (!h || !a.predictive) return a;
  const p = a.predictive;
  const path = resolveTracePath(h.path, baseDir);
  let ratePerS: number[];
  try {
    ({ ratePerS } = await loadServiceHistory(path, h.service ?? s.name, p.intervalS));
  } catch (err) {
    if (err instanceof TraceError) throw new SpecError([`${where}: ${err.message}`]);
    throw err;
  }
  const season = Math.round(p.seasonS / p.intervalS);
  if (ratePerS.length % season !== 0) {
    throw new SpecError([
      `${where}: expected whole seasons of ${season} intervals (${p.seasonS} s), found ${ratePerS.length} intervals in ${path}`,
    ]);
  }
  return { ...a, predictive: { ...p, history: ratePerS.map((x) => x * h.scale) } };
}

function autoscaler(a: z.output<typeof Hpa>): AutoscalerConfig {
  return {
    metric: metric(a.metric),
    predictive: a.predictive && predictive(a.predictive),
    behavior: a.behavior && {
      scaleUp: rules(a.behavior.scaleUp, DEFAULT_BEHAVIOR.scaleUp),
      // An unset scale-down window is the controller's --horizontal-pod-autoscaler-downscale-stabilization.
      scaleDown: rules(a.behavior.scaleDown, {
        ...DEFAULT_BEHAVIOR.scaleDown,
        stabilizationWindowS: DOWNSCALE_STABILIZATION_S,
      }),
    },
    tolerance: { scaleDown: a.tolerance, scaleUp: a.tolerance },
    syncPeriodS: a.syncPeriod,
    cpuInitializationPeriodS: a.cpuInitializationPeriod,
    metricWindowS: a.metricWindow,
    schedules: a.schedules.map((w) => ({ fromS: w.from, toS: w.to, everyS: w.every, replicas: w.replicas })),
  };
}

type RulesSpec = NonNullable<NonNullable<z.output<typeof Hpa>["behavior"]>["scaleUp"]>;

/** upstream's copyHPAScalingRules: each field left out takes the direction's default. */
function rules(r: RulesSpec | undefined, d: ScalingRules): Behavior["scaleUp"] {
  return {
    stabilizationWindowS: r?.stabilizationWindow ?? d.stabilizationWindowS,
    selectPolicy: r?.selectPolicy ?? d.selectPolicy,
    policies: r?.policies?.map((p) => ({ type: p.type, value: p.value, periodS: p.period })) ?? d.policies,
  };
}

/**
 * A service time as both latency models read it; one whose shape the fluid model cannot read (a
 * quantile that is not a finite number of seconds) is refused at its field. A draw below zero (a
 * normal's tail) is no time at all.
 */
function serviceTimeOf(dist: DistSpec, meanS: number, where: string): ServiceTime {
  const draw = sampler(dist);
  const quantile = inverseCdf(dist);
  const time: ServiceTime = {
    meanS,
    family: serviceFamily(dist),
    sample: (rng) => Math.max(0, draw(rng)),
    quantile: (u) => Math.max(0, quantile(u)),
  };
  try {
    new ServiceTimeShape(time);
  } catch (err) {
    throw new SpecError([
      `${where}: expected a distribution the fluid model can read, found one whose ${(err as Error).message.replace(/^service time: its /, "")}`,
    ]);
  }
  return time;
}

/** The shapes the fluid model solves in closed form; any other it reads through the inverse CDF. */
function serviceFamily(d: DistSpec): ServiceTime["family"] {
  if (typeof d === "number" || d.dist === "constant") return "constant";
  return d.dist === "exponential" ? "exponential" : "general";
}

/** The mean of a service-time distribution (the fluid model's 1/μ); an infinite mean is refused. */
export function distMean(d: DistSpec, where: string): number {
  const finite = (x: number, why: string) => {
    if (!(Number.isFinite(x) && x > 0))
      throw new SpecError([`${where}: expected a distribution with a finite mean above 0, found ${why}`]);
    if (x > MAX_REQUEST_S)
      throw new SpecError([
        `${where}: expected a mean of at most ${MAX_REQUEST_S.toLocaleString("en")} s (11.6 days: a request, not a job), found ${why}, a mean of ${x.toPrecision(3)} s`,
      ]);
    return x;
  };
  if (typeof d === "number") return finite(d, `${d}`);
  switch (d.dist) {
    case "constant":
      return finite(d.value, `${d.value}`);
    case "uniform":
      return finite((d.min + d.max) / 2, `uniform(${d.min}, ${d.max})`);
    case "exponential":
      return finite(d.mean, `mean ${d.mean}`);
    case "normal": {
      // Draws below zero are no time at all: the mean of max(0, X) is μΦ(μ/σ) + σφ(μ/σ).
      const z = d.sd > 0 ? d.mean / d.sd : Number.POSITIVE_INFINITY;
      const clamped = Number.isFinite(z)
        ? d.mean * normalCdf(z, 0, 1) + d.sd * normalPdf(z, 0, 1)
        : Math.max(0, d.mean);
      return finite(clamped, `normal(mean ${d.mean}, sd ${d.sd})`);
    }
    case "lognormal":
      return finite(Math.exp(d.mu + (d.sigma * d.sigma) / 2), `lognormal(mu ${d.mu}, sigma ${d.sigma})`);
    case "pareto":
      return finite(d.alpha > 1 ? (d.alpha * d.xm) / (d.alpha - 1) : Number.POSITIVE_INFINITY, `alpha ${d.alpha} ≤ 1`);
    case "weibull":
      return finite(d.scale * gamma(1 + 1 / d.shape), `weibull(shape ${d.shape})`);
    case "burr": {
      // Burr XII: mean = scale · k · B(k − 1/c, 1 + 1/c), finite when c·k > 1.
      if (d.c * d.k <= 1) return finite(Number.POSITIVE_INFINITY, `c·k = ${d.c * d.k} ≤ 1`);
      const a = d.k - 1 / d.c;
      const b = 1 + 1 / d.c;
      return finite((d.scale ?? 1) * d.k * ((gamma(a) * gamma(b)) / gamma(a + b)), "burr");
    }
    case "empirical": {
      const v = [...d.values].sort((a, b) => a - b);
      if (d.mode !== "interpolate" || v.length === 1) return finite(v.reduce((s, x) => s + x, 0) / v.length, "values");
      // Linear between order statistics, each segment equally likely: the mean of segment midpoints.
      let sum = 0;
      for (let i = 1; i < v.length; i++) sum += (v[i - 1] + v[i]) / 2;
      return finite(sum / (v.length - 1), "values");
    }
  }
}
