/**
 * bench/scale: a cluster of 10,000 nodes runs 1,000,000 tasks (Poisson arrivals at 70% CPU load,
 * log-normal sizes and durations) through the online cluster run, once per policy, each in its own
 * process: wall time, events/s, scheduling decisions/s (placement attempts, successful or not) and
 * peak RSS. Targets on one core: ≤ 5 s for best fit, ≤ 10 s for the Kubernetes default (20 s for any
 * other policy), ≤ 1.5 GiB each; the printed ratios are measured against them (below 1 is within target).
 *
 * Usage: npm run -s bench:scale -- [--json] [--policies best-fit,kubernetes-default] [--nodes N] [--tasks M]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";

const { values } = benchArgs("scale", {
  options: {
    json: { type: "boolean", default: false },
    policies: { type: "string", default: "best-fit,kubernetes-default" },
    nodes: { type: "string", default: "10000" },
    tasks: { type: "string", default: "1000000" },
    seed: { type: "string", default: "1" },
  },
});
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));
const TARGET_WALL_S: Record<string, number> = { "best-fit": 5, "kubernetes-default": 10 };
const targetWallS = (policy: string) => TARGET_WALL_S[policy] ?? 20;
const TARGET_RSS_MIB = 1536;

interface Row {
  policy: string;
  nodes: number;
  tasks: number;
  wallS: number;
  /** Processor time of the run (user + system): less affected than wall time by other load on the machine. */
  cpuS: number;
  eventsPerS: number;
  decisionsPerS: number;
  peakRssMiB: number;
}

const rows: Row[] = [];
for (const policy of values.policies.split(",")) {
  const r = spawnSync(
    process.execPath,
    [CHILD, "--policy", policy, "--nodes", values.nodes, "--tasks", values.tasks, "--seed", values.seed],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) {
    process.stderr.write(`bench:scale: ${policy} failed:\n${r.stderr}`);
    process.exit(1);
  }
  const x = JSON.parse(r.stdout) as Row;
  rows.push({
    policy: x.policy,
    nodes: x.nodes,
    tasks: x.tasks,
    wallS: x.wallS,
    cpuS: x.cpuS,
    eventsPerS: x.eventsPerS,
    decisionsPerS: x.decisionsPerS,
    peakRssMiB: x.peakRssMiB,
  });
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} else {
  process.stdout.write(
    `bench:scale — ${values.nodes} nodes, ${values.tasks} tasks; targets ${rows.map((r) => `${r.policy} ${targetWallS(r.policy)} s`).join(", ")}, ${TARGET_RSS_MIB} MiB each\n`,
  );
  process.stdout.write(
    `${table(
      ["policy", "wall s", "÷ target", "CPU s", "events/s", "decisions/s", "peak RSS MiB", "÷ target"],
      rows.map((r) => [
        r.policy,
        r.wallS.toFixed(2),
        (r.wallS / targetWallS(r.policy)).toFixed(2),
        r.cpuS.toFixed(2),
        Math.round(r.eventsPerS).toLocaleString("en"),
        Math.round(r.decisionsPerS).toLocaleString("en"),
        r.peakRssMiB.toFixed(0),
        (r.peakRssMiB / TARGET_RSS_MIB).toFixed(2),
      ]),
    )}\n`,
  );
}
