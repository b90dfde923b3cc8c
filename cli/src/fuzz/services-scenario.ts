import type { Rng } from "@clustersim/sim-core";

/**
 * A services scenario drawn at random: a few services with call graphs (sequential and parallel
 * edges, timeouts, retries), every latency model, service-time shapes with extreme but legal
 * parameters, rates from idle to floods, HPA, KEDA and predictive autoscalers, VPA, memory limits,
 * serverless burst, warm-up and windows. Mutated text reaches the validator; these reach the run:
 * most are valid, so the fuzzer sees what a run makes of values at the edges of what it accepts. One in
 * twenty calls back up the graph (a cycle, which must be refused).
 */
export function servicesScenario(rng: Rng): string {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];
  /** A positive number spread over many orders of magnitude: 10^lo .. 10^hi. */
  const spread = (lo: number, hi: number) => Number((10 ** rng.uniform(lo, hi)).toPrecision(3));
  const n = rng.int(1, 5);
  const cyclic = rng.bernoulli(0.05);
  const names = Array.from({ length: n }, (_, i) => pick(["api", "svc", "a.b", "x_y", "back-end"]) + i);
  const services = names.map((name, i) => {
    const lines = [`  - name: ${name}`];
    const cpu = pick(["100m", "500m", "1", "4", "16"]);
    const memory = pick(["64Mi", "512Mi", "2Gi"]);
    // A memory limit goes with memory per request, and is at least the request.
    const perRequest = rng.bernoulli(0.25) ? pick(["1Mi", "16Mi", "256Mi"]) : undefined;
    const limit = perRequest && rng.bernoulli(0.6) ? `, memoryLimit: ${pick(["2Gi", "8Gi"])}` : "";
    lines.push(`    replica: { cpu: "${cpu}", memory: ${memory}${limit}, burst: ${rng.bernoulli(0.3)} }`);
    const min = rng.int(rng.bernoulli(0.1) ? 0 : 1, 3);
    const max = Math.max(min, 1) + rng.int(0, 40);
    const autoscaled = rng.bernoulli(0.6);
    lines.push(`    replicas: ${autoscaled ? rng.int(Math.max(min, 1), Math.max(max, 1)) : rng.int(0, 6)}`);
    if (autoscaled) lines.push(`    minReplicas: ${min}`, `    maxReplicas: ${max}`);
    lines.push(`    concurrency: ${pick([1, 2, 8, 64, 1000])}`);
    lines.push(`    serviceTime: ${serviceTime(rng, pick, spread)}`);
    lines.push(`    cpuPerRequest: ${pick([0, 0.001, spread(-3, 0), 2])}`);
    if (perRequest) lines.push(`    memoryPerRequest: ${perRequest}`);
    lines.push(`    slo: { percentile: ${pick([50, 99, 99.9, 99.999])}, target: ${spread(-3, 1)} }`);
    if (rng.bernoulli(0.3)) lines.push(`    timeout: ${spread(-2, 2)}`);
    lines.push(`    latency: ${pick(["fluid", "fluid-mean", "per-request"])}`);
    if (i === 0 || rng.bernoulli(0.3)) lines.push(`    rate:\n${rates(rng, pick, spread)}`);
    const calls = callsOf(i, names, cyclic && i === n - 1, rng, pick, spread);
    if (calls) lines.push(`    calls:\n${calls}`);
    if (rng.bernoulli(0.4)) lines.push(`    readinessDelay: ${pick([0, 1, 10, 120])}`);
    if (autoscaled) lines.push(`    autoscaler: ${autoscaler(rng, pick, spread, min)}`);
    if (rng.bernoulli(0.15)) lines.push(`    vpa: { mode: ${pick(["Recreate", "InPlaceOrRecreate", "Off"])} }`);
    return lines.join("\n");
  });
  const virtual = rng.bernoulli(0.4)
    ? `\n    - { name: eci, count: 1, cpu: "1000", memory: 4000Gi, maxPods: 10000, virtual: { pricePerVcpuHour: 0.05, pricePerGiBHour: 0.005 } }`
    : "";
  const duration = pick([30, 120, 300]);
  const warmup = rng.bernoulli(0.5) ? `\n  warmup: ${rng.int(0, duration - 1)}` : "";
  const from = rng.int(0, duration - 1);
  const window = rng.bernoulli(0.3)
    ? `\n  windows: [{ name: peak, from: ${from}, to: ${rng.int(from + 1, duration)} }]`
    : "";
  return `name: fuzz-services
seed: ${rng.int(1, 1000)}
duration: ${duration}s
cluster:
  nodeGroups:
    - { name: workers, count: ${rng.int(1, 8)}, cpu: "${pick([1, 8, 64])}", memory: ${pick(["4Gi", "64Gi"])} }${virtual}
services:
${services.join("\n")}
scheduler: { name: ${pick(["kubernetes-default", "best-fit", "load-aware"])} }
outputs:
  timeseriesInterval: ${pick([1, 10, 60])}${warmup}${window}
`;
}

type Pick = <T>(xs: readonly T[]) => T;
type Spread = (lo: number, hi: number) => number;

function serviceTime(rng: Rng, pick: Pick, spread: Spread): string {
  const mean = spread(-4, 1);
  switch (rng.int(0, 5)) {
    case 0:
      return String(mean);
    case 1:
      return `{ dist: exponential, mean: ${mean} }`;
    case 2:
      return `{ dist: lognormal, median: ${mean}, sigma: ${pick([0.1, 1, 2.5])} }`;
    case 3:
      return `{ dist: uniform, min: 0, max: ${mean} }`;
    case 4:
      return `{ dist: pareto, xm: ${mean}, alpha: ${pick([1.1, 2, 5])} }`;
    default:
      return `{ dist: weibull, shape: ${pick([0.3, 1, 4])}, scale: ${mean} }`;
  }
}

function rates(rng: Rng, pick: Pick, spread: Spread): string {
  const parts = [`      - { type: constant, ratePerS: ${pick([0, spread(-2, 4)])} }`];
  if (rng.bernoulli(0.3))
    parts.push(
      `      - { type: diurnal, meanRatePerS: ${spread(-1, 2)}, amplitude: ${rng.uniform(0, 1).toFixed(2)}, period: 60 }`,
    );
  if (rng.bernoulli(0.3))
    parts.push(
      `      - { type: surge, at: ${rng.int(0, 100)}, multiplier: ${pick([1, 10, 1000])}, decay: ${pick([1, 30])} }`,
    );
  if (rng.bernoulli(0.2))
    parts.push(`      - { type: piecewise, points: [[0, 1], [20, ${pick([0, 5, 100])}], [20, 1]] }`);
  return parts.join("\n");
}

/** Calls to later services (a tree or DAG); `cyclic`: to itself or an earlier one, a cycle. */
function callsOf(i: number, names: string[], cyclic: boolean, rng: Rng, pick: Pick, spread: Spread) {
  const later = names.slice(i + 1);
  const targets = cyclic ? [names[rng.int(0, i)]] : later.filter(() => rng.bernoulli(0.5));
  if (targets.length === 0) return undefined;
  return targets
    .map((service) => {
      const extra = [
        rng.bernoulli(0.4) ? `, parallel: true` : "",
        rng.bernoulli(0.3) ? `, timeout: ${spread(-2, 1)}` : "",
        rng.bernoulli(0.3) ? `, retries: ${rng.int(0, 10)}, backoff: ${pick([0, 0.025, 1])}` : "",
      ].join("");
      return `      - { service: ${service}, perRequest: ${pick([0.01, 0.5, 1, 3])}${extra} }`;
    })
    .join("\n");
}

function autoscaler(rng: Rng, pick: Pick, spread: Spread, min: number): string {
  const target = spread(-1, 3);
  if (min === 0 || rng.bernoulli(0.2)) {
    return `{ type: hpa, metric: { type: queue, targetPerReplica: ${target}, activationThreshold: ${pick([0, 5])}, cooldown: ${pick([0, 60])} }, behavior: {} }`;
  }
  if (rng.bernoulli(0.3))
    return `{ type: hpa, metric: { type: cpu, targetUtilization: ${rng.int(1, 150)} }, behavior: {} }`;
  const metric = `{ type: ${pick(["servedRps", "offeredRps"])}, targetPerReplica: ${target} }`;
  const predictive = rng.bernoulli(0.3)
    ? `, predictive: { forecaster: ${pick(["seasonal-naive", "holt-winters", "arima", "mlp"])}, season: 60, interval: 10 }`
    : "";
  return `{ type: hpa, metric: ${metric}, behavior: {}, syncPeriod: ${pick([1, 15])}${predictive} }`;
}
