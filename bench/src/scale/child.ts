/**
 * One bench/scale run in its own process (so that its peak RSS is its own): N nodes, M tasks with
 * Poisson arrivals and log-normal sizes and durations, one placement strategy. Prints one JSON object.
 */
import { parseArgs } from "node:util";
import { runCluster } from "@clustersim/engine";
import { ClusterState, type NodeSpec } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams, wallSeconds } from "@clustersim/sim-core";
import { poissonWorkload, type Task } from "@clustersim/workloads";

const { values } = parseArgs({
  options: {
    policy: { type: "string", default: "best-fit" },
    nodes: { type: "string", default: "10000" },
    tasks: { type: "string", default: "1000000" },
    load: { type: "string", default: "0.7" },
    seed: { type: "string", default: "1" },
  },
});
const nodes = Number(values.nodes);
const tasks = Number(values.tasks);
const load = Number(values.load);

// Nodes of 32 cores and 128 GiB; tasks of median 1 core (mean 1.38), median 2 GiB, median 300 s (mean
// 495 s), arriving at the rate that keeps `load` of the CPU busy. Illustrative sizes, not calibrated.
const CORES = 32;
const cpu = { dist: "lognormal" as const, mu: Math.log(1000), sigma: 0.8 };
const mem = { dist: "lognormal" as const, mu: Math.log(2048), sigma: 0.8 };
const run = { dist: "lognormal" as const, mu: Math.log(300), sigma: 1 };
const meanCpu = Math.exp(cpu.mu + cpu.sigma ** 2 / 2);
const meanRun = Math.exp(run.mu + run.sigma ** 2 / 2);
const ratePerS = (load * nodes * CORES * 1000) / (meanCpu * meanRun);

const specs: NodeSpec[] = Array.from({ length: nodes }, () => ({ cpuMilli: CORES * 1000, memoryMiB: CORES * 4096 }));
const cluster = new ClusterState(specs);
const streams = new RandomStreams(Number(values.seed));
const strategy = createPlacement(values.policy, {}, { rng: streams.get("scheduler") });

function* firstN(source: Iterator<Task>, n: number): Generator<Task> {
  for (let i = 0; i < n; i++) {
    const r = source.next();
    if (r.done) return;
    yield r.value;
  }
}
const workload = poissonWorkload("scale", ratePerS, { runS: run, cpuMilli: cpu, memoryMiB: mem }, streams, {
  startS: 0,
  endS: Infinity,
});

const t0 = wallSeconds();
const cpu0 = process.cpuUsage();
const result = runCluster({ cluster, strategy, tasks: firstN(workload, tasks), seed: Number(values.seed) });
const wallS = wallSeconds() - t0;
// Processor time of this process (user + system): steadier than wall time on a shared machine.
const used = process.cpuUsage(cpu0);
const cpuS = (used.user + used.system) / 1e6;
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  `${JSON.stringify({
    policy: values.policy,
    nodes,
    tasks,
    wallS,
    cpuS,
    eventsPerS: result.run.events / wallS,
    decisionsPerS: result.decisions / wallS,
    peakRssMiB,
    completed: result.completed,
    started: result.started,
    simTimeS: result.run.simTime,
    meanWaitS: result.waitSumS / Math.max(1, result.started),
  })}\n`,
);
