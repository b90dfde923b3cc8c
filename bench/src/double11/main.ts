/**
 * bench/double11: the Double-11 day at full scale (examples/double11/double11-full.yaml: 10,000 nodes,
 * 24 simulated hours, over a million batch pods and function invocations) run as a user runs it,
 * `clustersim run FILE --out DIR`, in its own process on one core (the run is one thread). Targets:
 * ≤ 300 s wall and ≤ 4 GiB peak resident memory; the printed ratios are against them (below 1 is within).
 * `--set` passes overrides through (e.g. `--set duration=2h` for a shorter look).
 *
 * Usage: npm run -s bench:double11 -- [--json] [--set PATH=VALUE …]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "@clustersim/scenarios";
import { benchArgs } from "../lib/args.js";

const { values } = benchArgs("double11", {
  options: {
    json: { type: "boolean", default: false },
    set: { type: "string", multiple: true, default: [] },
  },
});
const TARGET_WALL_S = 300;
const TARGET_RSS_MIB = 4096;
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const FILE = root("examples/double11/double11-full.yaml");

/** The bench stops with one line and exit status `code`, its temporary directory removed. */
function stop(message: string, code: number, dir?: string): never {
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`bench:double11: ${message}\n`);
  process.exit(code);
}

// Nodes as the scenario states them (the serverless group's one virtual node is not a machine).
let nodes: number;
try {
  const spec = loadScenarioFile(FILE, values.set);
  nodes = (spec.cluster.nodeGroups ?? []).reduce((n, g) => n + (g.virtual ? 0 : g.count), 0);
} catch (e) {
  stop((e as Error).message, 2);
}

const dir = mkdtempSync(join(tmpdir(), "clustersim-double11-"));
const rssFile = join(dir, "peak-rss");
const args = [
  "--import",
  fileURLToPath(new URL("./peak-rss.js", import.meta.url)),
  root("cli/bin/clustersim.js"),
  "run",
  FILE,
  "--out",
  join(dir, "out"),
  "--quiet",
  ...values.set.flatMap((s) => ["--set", s]),
];
const started = process.hrtime.bigint();
const r = spawnSync(process.execPath, args, {
  encoding: "utf8",
  env: { ...process.env, CLUSTERSIM_PEAK_RSS_FILE: rssFile },
  stdio: ["ignore", "pipe", "pipe"],
});
const wallS = Number(process.hrtime.bigint() - started) / 1e9;
if (r.error) stop(`the run could not start: ${r.error.message}`, 1, dir);
if (r.status !== 0) {
  const how = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  stop(`the run failed (${how}):\n${r.stderr.trimEnd()}`, 1, dir);
}
let summary: { tasksSubmitted: number; simTimeS: number };
let peakRssMiB: number;
try {
  summary = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8"));
  peakRssMiB = Number(readFileSync(rssFile, "utf8")) / 1024;
} catch (e) {
  stop(`the run's results could not be read: ${(e as Error).message}`, 1, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const row = {
  nodes,
  pods: summary.tasksSubmitted,
  simHours: summary.simTimeS / 3600,
  wallS,
  peakRssMiB,
};
if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
else {
  process.stdout.write(
    `Double-11 at full scale: ${row.nodes.toLocaleString("en-US")} nodes, ${row.pods.toLocaleString("en-US")} batch pods and function invocations, ${+row.simHours.toFixed(2)} h simulated\n` +
      `  wall ${wallS.toFixed(1)} s (${(wallS / TARGET_WALL_S).toFixed(2)}× of ${TARGET_WALL_S} s), ` +
      `peak RSS ${peakRssMiB.toFixed(0)} MiB (${(peakRssMiB / TARGET_RSS_MIB).toFixed(2)}× of ${TARGET_RSS_MIB} MiB)\n`,
  );
}
