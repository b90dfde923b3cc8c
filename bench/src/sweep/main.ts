/**
 * bench/sweep: runs per second of one sweep of small scenarios (poisson-small at 4 tasks/s for 8 h,
 * about 115,000 tasks a run; 2 schedulers × 12 seeds = 24 runs) through `clustersim sweep` with 1 and
 * then 2 worker threads, in the same run, wall clock including the workers' start; and the workers'
 * heap after each run, to show that it stays flat.
 * Target: ≥ 1.8× the runs per second with 2 workers on a 2-core machine.
 *
 * Usage: npm run -s bench:sweep -- [--json] [--seeds N]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { json: { type: "boolean", default: false }, seeds: { type: "string", default: "12" } },
});
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "cli/bin/clustersim.js");
const dir = mkdtempSync(join(tmpdir(), "clustersim-bench-sweep-"));
const sweep = join(dir, "sweep.yaml");
writeFileSync(
  sweep,
  `${[
    "name: bench-sweep",
    `scenarios: [${JSON.stringify(join(ROOT, "examples/scenarios/poisson-small.yaml"))}]`,
    "schedulers: [best-fit, kubernetes-default]",
    'parameters: { duration: ["8h"], workloads.0.ratePerS: [4], cluster.nodeGroups.0.count: [64] }',
    `seeds: ${Number(values.seeds)}`,
  ].join("\n")}\n`,
);

function timed(workers: number, measure = false): { runs: number; wallS: number; heap: number[] } {
  const out = join(dir, `w${workers}${measure ? "-mem" : ""}`);
  const t0 = process.hrtime.bigint();
  const args = [
    BIN,
    "sweep",
    sweep,
    "--out",
    out,
    "--workers",
    String(workers),
    "--quiet",
    ...(measure ? ["--measure-memory"] : []),
  ];
  const r = spawnSync(process.execPath, args, { encoding: "utf8" });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`sweep with ${workers} worker(s) failed:\n${r.stderr}`);
  const rows = readFileSync(join(out, "timing.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  return { runs: rows.length, wallS, heap: rows.map((c) => Number(c[4])) };
}

try {
  const one = timed(1);
  const two = timed(2);
  // A third pass, untimed, collects garbage after each run to read the live heap.
  const mem = values.json ? undefined : timed(1, true);
  const runsPerS1 = one.runs / one.wallS;
  const runsPerS2 = two.runs / two.wallS;
  const result = { runsPerS1, runsPerS2, speedup: runsPerS2 / runsPerS1 };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const third = (xs: number[], k: number) => {
      const n = Math.max(1, Math.floor(xs.length / 3));
      const part = k === 0 ? xs.slice(0, n) : xs.slice(-n);
      return part.reduce((a, b) => a + b, 0) / part.length;
    };
    process.stdout.write(
      `bench:sweep — ${one.runs} runs of a small scenario through clustersim sweep (wall clock, incl. worker start)\n`,
    );
    process.stdout.write(
      `  1 worker:  ${runsPerS1.toFixed(2)} runs/s (${one.wallS.toFixed(2)} s)\n  2 workers: ${runsPerS2.toFixed(2)} runs/s (${two.wallS.toFixed(2)} s)\n  speedup ${result.speedup.toFixed(2)}× (target ≥ 1.8×)\n`,
    );
    process.stdout.write(
      `  live worker heap after each run (1 worker, collected): first third ${third(mem!.heap, 0).toFixed(1)} MiB, last third ${third(mem!.heap, 1).toFixed(1)} MiB\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
