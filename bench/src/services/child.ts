/**
 * One bench/services case in its own process (so that its peak RSS is its own): services with
 * replicas on a cluster, traffic every 1-second tick, an HPA on requests per second per service.
 * Prints one JSON object.
 */
import { parseArgs } from "node:util";
import {
  DEFAULT_BEHAVIOR,
  DEFAULT_TOLERANCES,
  exponentialServiceTime,
  OnlineLoop,
  Run,
  type ServiceConfig,
  ServicesController,
} from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams, wallSeconds } from "@clustersim/sim-core";
import { RateCurve } from "@clustersim/workloads";

const { values } = parseArgs({
  options: {
    case: { type: "string", default: "scale" },
    services: { type: "string", default: "1000" },
    minReplicas: { type: "string", default: "10" },
    maxReplicas: { type: "string", default: "1000" },
    nodes: { type: "string", default: "10000" },
    hours: { type: "string", default: "24" },
    ratePerS: { type: "string", default: "" },
    latency: { type: "string", default: "fluid" },
  },
});
const count = Number(values.services);
const lo = Number(values.minReplicas);
const hi = Number(values.maxReplicas);
const untilS = Number(values.hours) * 3600;

// Each replica serves 4 requests at once for 50 ms on average (80 requests/s at most) and costs
// 10 ms of CPU per request; replicas of 1 core. Service i has a log-uniform share of [lo, hi]
// replicas, traffic at 60% of that capacity on a daily cycle (±50%; or a constant `--ratePerS`), and an
// HPA on requests per second (48 per replica) between half and twice its count. Illustrative sizes.
const CONCURRENCY = 4;
const MEAN_S = 0.05;
const services: ServiceConfig[] = Array.from({ length: count }, (_, i) => {
  const replicas = Math.round(lo * (hi / lo) ** (count > 1 ? i / (count - 1) : 0));
  const perReplica = CONCURRENCY / MEAN_S;
  const mean = values.ratePerS ? Number(values.ratePerS) : 0.6 * replicas * perReplica;
  return {
    name: `s${i}`,
    replica: { cpuMilli: 1000, memoryMiB: 1024, gpus: 0, gpuMilli: 0, nicGbps: 0, runtime: "", priority: 0 },
    initialReplicas: replicas,
    minReplicas: Math.max(1, Math.floor(replicas / 2)),
    maxReplicas: replicas * 2,
    concurrency: CONCURRENCY,
    serviceTime: exponentialServiceTime(MEAN_S),
    cpuSecondsPerRequest: 0.01,
    slo: { quantile: 0.99, targetS: 0.25 },
    timeoutS: 30,
    // A given rate is constant (the small case); otherwise a daily cycle, each service's peak a minute apart.
    rate: new RateCurve([
      values.ratePerS
        ? { type: "constant", ratePerS: mean }
        : { type: "diurnal", meanRatePerS: mean, amplitude: 0.5, periodS: 86400, peakAtS: 14 * 3600 + 60 * i },
    ]),
    calls: [],
    latency: values.latency === "per-request" ? "per-request" : "fluid",
    imagePullS: 0,
    readinessS: 10,
    burst: false,
    autoscaler: {
      metric: { type: "servedRps", targetPerReplica: 0.6 * perReplica },
      behavior: DEFAULT_BEHAVIOR,
      tolerance: DEFAULT_TOLERANCES,
      syncPeriodS: 15,
      cpuInitializationPeriodS: 300,
      metricWindowS: 15,
    },
  };
});

const nodes = Number(values.nodes);
const cluster = new ClusterState(Array.from({ length: nodes }, () => ({ cpuMilli: 64_000, memoryMiB: 256 * 1024 })));
const controller = new ServicesController(services);
const t0 = wallSeconds();
const cpu0 = process.cpuUsage();
const run = new Run({
  cluster,
  tasks: [],
  loop: new OnlineLoop({
    strategy: createPlacement("kubernetes-default", {}, { rng: new RandomStreams(1).get("scheduler") }),
  }),
  untilS,
  seed: 1,
  controllers: [controller],
});
run.runToEndSync();
const wallS = wallSeconds() - t0;
const used = process.cpuUsage(cpu0);
const summary = Object.values(controller.summary());
const served = summary.reduce((s, x) => s + x.requestsServed, 0);
// The services' run-level p99s, weighted by the requests each served.
const p99 = summary.reduce((s, x) => s + x.latencyP99S * x.requestsServed, 0) / served;
process.stdout.write(
  `${JSON.stringify({
    case: values.case,
    services: count,
    replicas: services.reduce((s, x) => s + x.initialReplicas, 0),
    simHours: untilS / 3600,
    wallS,
    cpuS: (used.user + used.system) / 1e6,
    ticksPerS: (count * untilS) / wallS,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    requests: summary.reduce((s, x) => s + x.requests, 0),
    p99S: p99,
    latency: values.latency,
  })}\n`,
);
