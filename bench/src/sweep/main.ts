/**
 * bench/sweep: runs per second of one sweep of small scenarios (poisson-small on 128 nodes at 4 tasks/s
 * for 8 h, about 115,000 tasks a run; 2 schedulers × 12 seeds = 24 runs) through `clustersim sweep` with
 * 1 and then 2 worker threads, in the same run, wall clock including process and worker start; and the
 * workers' heap after each run, to show that it stays flat.
 * Target: ≥ 1.8× the runs per second with 2 workers on a 2-core machine.
 *
 * 128 nodes keep the cluster below saturation (about 89% of its CPU asked for). The bench ran on 64
 * nodes before the online loop took kube-scheduler's queue: there tens of thousands of tasks wait, each
 * task leaving moves all of them back to the active queue, and a run takes about a minute instead of
 * about one second, which measures that queue rather than the sweep runner.
 *
 * Besides runs per second and the speedup, the JSON holds each pass's wall seconds, and
 * `runSlowdown2`: the mean run time (timing.csv's wallS) with 2 workers over that with 1. Above 1, the
 * two workers slowed each other's runs down (cores shared with something else, memory bandwidth, GC
 * threads): the speedup can then not reach 2 whatever the runner does. `--ceiling` adds a third pass:
 * the same sweep as two processes of 1 worker at once, each with half the runs (`--shard 0/2`, `1/2`),
 * and `speedupShards`, the speedup that pass gives: what two independent processes reach on the machine
 * at that moment, a ceiling for two threads in one process.
 *
 * Usage: npm run -s bench:sweep -- [--json] [--seeds N] [--ceiling]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs } from "../lib/args.js";

const { values } = benchArgs("sweep", {
  options: {
    json: { type: "boolean", default: false },
    seeds: { type: "string", default: "12" },
    ceiling: { type: "boolean", default: false },
  },
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
    'parameters: { duration: ["8h"], workloads.0.ratePerS: [4], cluster.nodeGroups.0.count: [128] }',
    `seeds: ${Number(values.seeds)}`,
  ].join("\n")}\n`,
);

const sweepArgs = (out: string, workers: number, extra: string[] = []) => [
  BIN,
  "sweep",
  sweep,
  "--out",
  out,
  "--workers",
  String(workers),
  "--quiet",
  ...extra,
];

/** timing.csv's rows of the runs that ran (a shard's file lists the other shard's runs with empty cells). */
function timing(out: string): { wallS: number; heap: number }[] {
  return readFileSync(join(out, "timing.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","))
    .filter((c) => c[2] !== "")
    .map((c) => ({ wallS: Number(c[2]), heap: Number(c[4]) }));
}

function timed(workers: number, measure = false): { runs: number; wallS: number; runWallS: number[]; heap: number[] } {
  const out = join(dir, `w${workers}${measure ? "-mem" : ""}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, sweepArgs(out, workers, measure ? ["--measure-memory"] : []), {
    encoding: "utf8",
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`sweep with ${workers} worker(s) failed:\n${r.stderr}`);
  const rows = timing(out);
  return { runs: rows.length, wallS, runWallS: rows.map((x) => x.wallS), heap: rows.map((x) => x.heap) };
}

/** The sweep as two 1-worker processes at once, one shard each: their joint wall clock. */
async function shardsAtOnce(): Promise<{ runs: number; wallS: number }> {
  const t0 = process.hrtime.bigint();
  const outs = [0, 1].map((i) => join(dir, `shard${i}`));
  await Promise.all(
    outs.map(
      (out, i) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, sweepArgs(out, 1, ["--shard", `${i}/2`]), { stdio: "ignore" });
          child.on("error", reject);
          child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`shard ${i}/2 exited with ${code}`))));
        }),
    ),
  );
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { runs: outs.reduce((n, out) => n + timing(out).length, 0), wallS };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

try {
  const one = timed(1);
  const two = timed(2);
  const shards = values.ceiling ? await shardsAtOnce() : undefined;
  // A last pass, untimed, collects garbage after each run to read the live heap.
  const mem = values.json ? undefined : timed(1, true);
  const runsPerS1 = one.runs / one.wallS;
  const runsPerS2 = two.runs / two.wallS;
  const result = {
    runsPerS1,
    runsPerS2,
    speedup: runsPerS2 / runsPerS1,
    wallS1: one.wallS,
    wallS2: two.wallS,
    runSlowdown2: mean(two.runWallS) / mean(one.runWallS),
    ...(shards && { speedupShards: shards.runs / shards.wallS / runsPerS1 }),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const third = (xs: number[], k: number) => {
      const n = Math.max(1, Math.floor(xs.length / 3));
      return mean(k === 0 ? xs.slice(0, n) : xs.slice(-n));
    };
    process.stdout.write(
      `bench:sweep — ${one.runs} runs of a small scenario through clustersim sweep (wall clock, incl. process and worker start)\n`,
    );
    process.stdout.write(
      `  1 worker:  ${runsPerS1.toFixed(2)} runs/s (${one.wallS.toFixed(2)} s)\n  2 workers: ${runsPerS2.toFixed(2)} runs/s (${two.wallS.toFixed(2)} s)\n  speedup ${result.speedup.toFixed(2)}× (target ≥ 1.8×); a run took ${result.runSlowdown2.toFixed(2)}× as long with 2 workers as with 1\n`,
    );
    if (shards)
      process.stdout.write(
        `  2 processes of 1 worker at once, a shard each: ${shards.wallS.toFixed(2)} s, speedup ${result.speedupShards!.toFixed(2)}× (the machine's ceiling now)\n`,
      );
    process.stdout.write(
      `  live worker heap after each run (1 worker, collected): first third ${third(mem!.heap, 0).toFixed(1)} MiB, last third ${third(mem!.heap, 1).toFixed(1)} MiB\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
