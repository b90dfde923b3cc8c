/**
 * One bench/overload run in its own process: the overloaded cluster of bench/overload/main.ts through the
 * online loop with kube-scheduler's queue, failing pods that no node has room for together (`quiet`) or
 * trying every popped pod (`every`, the exhaustive queue). Prints one JSON object, with a checksum of
 * every start (task, node, time) so that the two can be compared.
 */
import { parseArgs } from "node:util";
import { OnlineLoop, Run } from "@clustersim/engine";
import { ClusterState, type NodeSpec } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams, wallSeconds } from "@clustersim/sim-core";
import { poissonWorkload } from "@clustersim/workloads";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "quiet" },
    nodes: { type: "string", default: "64" },
    hours: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
  },
});
const nodes = Number(values.nodes);
const endS = Number(values.hours) * 3600;
const seed = Number(values.seed);

// examples/scenarios/poisson-small.yaml at 4 tasks/s: nodes of 32 cores and 128 GiB; tasks of 0.5 to 4
// cores (uniform), 4 GiB, run times log-normal with median e^5.5 ≈ 245 s. 3,600 cores asked of 2,048.
const specs: NodeSpec[] = Array.from({ length: nodes }, () => ({ cpuMilli: 32_000, memoryMiB: 131_072 }));
const cluster = new ClusterState(specs);
const streams = new RandomStreams(seed);
const workload = poissonWorkload(
  "batch",
  4,
  {
    runS: { dist: "lognormal", mu: 5.5, sigma: 1 },
    cpuMilli: { dist: "uniform", min: 500, max: 4000 },
    memoryMiB: { dist: "constant", value: 4096 },
  },
  streams,
  { startS: 0, endS },
);
const loop = new OnlineLoop({
  strategy: createPlacement("kubernetes-default", {}, { rng: streams.get("scheduler") }),
  preemption: { victims: "restart", checkpointIntervalS: 0, rng: streams.get("preemption") },
  tryEveryPod: values.mode === "every",
});
// FNV-1a over every start: the same decisions give the same sum.
let checksum = 0x811c9dc5;
const mix = (x: number) => {
  checksum = Math.imul(checksum ^ (x >>> 0), 16_777_619) >>> 0;
};
const run = new Run({
  cluster,
  tasks: workload,
  loop,
  seed,
  untilS: endS,
  listeners: [
    {
      start: (t, on, now) => {
        mix(t.id);
        mix(on[0]);
        mix(Math.round(now * 1000));
      },
    },
  ],
});
const t0 = wallSeconds();
const cpu0 = process.cpuUsage();
run.runToEndSync();
const wallS = wallSeconds() - t0;
const used = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    mode: values.mode,
    wallS,
    cpuS: (used.user + used.system) / 1e6,
    tries: loop.counts.decisions,
    started: loop.counts.started,
    waitingAtEnd: loop.waiting,
    checksum,
  })}\n`,
);
