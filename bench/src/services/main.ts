/**
 * bench/services: services at scale, and what the fluid latency model buys against the per-request one.
 * - scale: 1,000 services of 10 to 1,000 replicas each (log-uniform; 215,262 in all) on 10,000 nodes
 *   for 24 simulated hours, traffic every second, an HPA per service. Target on one core: ≤ 60 s and
 *   ≤ 2 GiB; the printed ratios are measured against them (below 1 is within target).
 * - small: 10 services at 1,000 requests/s for an hour, once with the fluid model and once per
 *   request: the ratio of their wall times (the speed the fluid model buys) and of their p99 latencies
 *   (what it costs in accuracy), both measured in this run.
 * - scale-18s: the scale case for 18 simulated seconds with each model, their wall times' ratio.
 * Each case runs in its own process (bench/src/services/child.ts), so its peak RSS is its own.
 *
 * Usage: npm run -s bench:services -- [--json] [--services N] [--hours H] [--nodes N]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";

const { values } = benchArgs("services", {
  options: {
    json: { type: "boolean", default: false },
    services: { type: "string", default: "1000" },
    hours: { type: "string", default: "24" },
    nodes: { type: "string", default: "10000" },
  },
});
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));
const TARGET_WALL_S = 60;
const TARGET_RSS_MIB = 2048;

interface Row {
  case: string;
  services: number;
  replicas: number;
  simHours: number;
  wallS: number;
  ticksPerS: number;
  peakRssMiB: number;
  p99S: number;
}

function run(args: string[]): Row {
  const r = spawnSync(process.execPath, [CHILD, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`bench:services: ${args.join(" ")} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return JSON.parse(r.stdout) as Row;
}

const small = ["--services", "10", "--minReplicas", "40", "--maxReplicas", "40", "--ratePerS", "1000", "--hours", "1"];
// The scale case for 18 simulated seconds with each model: both pay the same set-up (placing every
// replica), so their ratio bounds what simulating each request costs at that scale.
const short = ["--services", values.services, "--hours", "0.005", "--nodes", values.nodes];
const rows = [
  run(["--case", "scale", "--services", values.services, "--hours", values.hours, "--nodes", values.nodes]),
  run(["--case", "small-fluid", ...small, "--nodes", "100", "--latency", "fluid"]),
  run(["--case", "small-per-request", ...small, "--nodes", "100", "--latency", "per-request"]),
  run(["--case", "scale-18s-fluid", ...short, "--latency", "fluid"]),
  run(["--case", "scale-18s-per-request", ...short, "--latency", "per-request"]),
];
const pick = (r: Row) => ({
  case: r.case,
  services: r.services,
  replicas: r.replicas,
  simHours: r.simHours,
  wallS: r.wallS,
  ticksPerS: r.ticksPerS,
  peakRssMiB: r.peakRssMiB,
  p99S: r.p99S,
});
const [scale, fluid, perRequest, shortFluid, shortPerRequest] = rows;
const comparison = {
  wallRatioPerRequestToFluid: perRequest.wallS / fluid.wallS,
  p99RatioFluidToPerRequest: fluid.p99S / perRequest.p99S,
  scaleWallRatioPerRequestToFluid: shortPerRequest.wallS / shortFluid.wallS,
};
if (values.json) {
  process.stdout.write(`${JSON.stringify([...rows.map(pick), comparison])}\n`);
} else {
  const rowsTable = table(
    ["case", "services", "replicas", "sim h", "wall s", "ticks/s", "peak MiB", "p99 s"],
    rows.map((r) => [
      r.case,
      String(r.services),
      String(r.replicas),
      String(r.simHours),
      r.wallS.toFixed(1),
      Math.round(r.ticksPerS).toLocaleString("en"),
      r.peakRssMiB.toFixed(0),
      r.p99S.toFixed(4),
    ]),
  );
  process.stdout.write(`${rowsTable}\n`);
  process.stdout.write(
    `scale against target: wall ${(scale.wallS / TARGET_WALL_S).toFixed(2)}× of ${TARGET_WALL_S} s, memory ${(scale.peakRssMiB / TARGET_RSS_MIB).toFixed(2)}× of ${TARGET_RSS_MIB} MiB\n` +
      `per-request / fluid wall time: ${comparison.wallRatioPerRequestToFluid.toFixed(1)}× (small), ${comparison.scaleWallRatioPerRequestToFluid.toFixed(1)}× (1,000 services, 18 s); fluid / per-request p99: ${comparison.p99RatioFluidToPerRequest.toFixed(3)}\n`,
  );
}
