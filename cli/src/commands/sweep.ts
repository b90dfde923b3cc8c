import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildReport,
  expandSweep,
  loadSweepFile,
  type RunOutcome,
  reportMarkdown,
  resultsCsv,
  type SweepRun,
  type SweepSpec,
} from "@clustersim/experiments";
import { SpecError } from "@clustersim/scenarios";
import { WorkerPool, wallSeconds } from "@clustersim/sim-core";
import { prepareOutputDir, stableJson, writeFilesAtomically } from "../atomic-files.js";
import { ChecksFailed, UserError } from "../errors.js";
import { csvToParquet } from "../parquet.js";
import type { SweepJobResult, SweepWorkerApi } from "../sweep-worker.js";

const WORKER = fileURLToPath(new URL("../sweep-worker.js", import.meta.url));

export interface SweepOptions {
  out?: string;
  workers?: string;
  shard?: string;
  quiet?: boolean;
  measureMemory?: boolean;
}

/** What a finished run leaves in DIR/runs/ID.json: enough to rebuild every output, and to resume. */
interface RunRecord extends RunOutcome {
  run: number;
  id: string;
  wallS?: number;
  events?: number;
  heapMiB?: number;
}

/**
 * `clustersim sweep SWEEP`: every run of the sweep (or of this shard) on a pool of worker threads,
 * each run's result saved as it finishes (so an interrupted sweep resumes where it stopped), then
 * results.csv, timing.csv, report.json, report.md and plots/ built from all saved runs.
 */
export async function sweepCommand(file: string, o: SweepOptions, print: (line: string) => void): Promise<void> {
  const spec = readSweep(file);
  const runs = expandSweep(spec, file);
  for (const f of new Set(runs.map((r) => r.scenarioFile)))
    if (!existsSync(f)) throw new UserError(`${file}: scenarios: no such scenario file: ${f}`);
  const workers = o.workers === undefined ? 1 : positiveInt("--workers", o.workers);
  const [shard, shards] = parseShard(o.shard);
  const dir = resolve(o.out ?? `results/${spec.name ?? "sweep"}`);
  prepareOutputDir(dir);
  mkdirSync(join(dir, "runs"), { recursive: true });
  writeFilesAtomically(dir, { "sweep.json": stableJson({ file: resolve(file), spec }) });

  const done = readRecords(dir);
  const todo = runs.filter((r) => r.index % shards === shard && done.get(r.id)?.ok !== true);
  const mine = runs.filter((r) => r.index % shards === shard).length;
  const t0 = wallSeconds();
  let finished = 0;
  let failures = 0;
  const progress = () => {
    if (o.quiet || !process.stderr.isTTY) return;
    const rate = finished / Math.max(wallSeconds() - t0, 1e-9);
    const eta = rate > 0 ? (todo.length - finished) / rate : NaN;
    process.stderr.write(
      `\r  ${mine - todo.length + finished}/${mine} runs, ${failures} failed${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ""}   `,
    );
  };
  if (!o.quiet)
    print(
      `clustersim sweep "${spec.name ?? file}": ${runs.length} runs${shards > 1 ? `, shard ${shard}/${shards}: ${mine}` : ""}, ${mine - todo.length} already done, ${workers} worker(s)`,
    );
  const pool = new WorkerPool<SweepWorkerApi>(WORKER, workers);
  try {
    await pool.run(
      todo,
      (api, r) =>
        api.run({
          scenarioFile: r.scenarioFile,
          overrides: r.overrides,
          seed: r.seed,
          measureHeap: o.measureMemory,
        }) as Promise<SweepJobResult>,
      (out) => {
        const r = todo[out.index];
        const rec: RunRecord = out.ok
          ? {
              run: r.index,
              id: r.id,
              ok: true,
              summary: out.value!.summary,
              wallS: out.value!.wallS,
              events: out.value!.events,
              heapMiB: out.value!.heapMiB,
            }
          : { run: r.index, id: r.id, ok: false, error: out.error };
        writeRecord(dir, rec);
        finished++;
        if (!out.ok) failures++;
        progress();
      },
    );
  } finally {
    await pool.close();
  }
  if (!o.quiet && process.stderr.isTTY) process.stderr.write("\n");
  const recs = await writeOutputs(dir, spec, runs);
  // Only this shard's runs count: the other shards' are missing here, not failed.
  const failed = runs.filter((r) => r.index % shards === shard && !recs.get(r.id)?.ok).length;
  if (!o.quiet)
    print(
      `Results: ${dir}/results.csv, results.parquet, timing.csv, report.json, report.md${failed > 0 ? ` — ${failed} run(s) failed (see the error column)` : ""}`,
    );
  if (failed > 0) throw new ChecksFailed(`${failed} run(s) failed`);
}

/** `clustersim merge --out DIR SHARD_DIR...`: the shards' runs together, outputs as if unsharded. */
export async function mergeCommand(
  shardDirs: string[],
  o: { out: string; quiet?: boolean },
  print: (line: string) => void,
): Promise<void> {
  if (shardDirs.length === 0) throw new UserError("merge: give the shard directories to merge");
  const dir = resolve(o.out);
  let sweep: { file: string; spec: SweepSpec } | undefined;
  prepareOutputDir(dir);
  mkdirSync(join(dir, "runs"), { recursive: true });
  for (const s of shardDirs) {
    const meta = join(s, "sweep.json");
    if (!existsSync(meta))
      throw new UserError(`merge: ${s}: expected a sweep output directory (with sweep.json), found none`);
    const m = JSON.parse(readFileSync(meta, "utf8")) as { file: string; spec: SweepSpec };
    if (sweep && JSON.stringify(m.spec) !== JSON.stringify(sweep.spec))
      throw new UserError(`merge: ${s} holds a different sweep than ${shardDirs[0]}`);
    sweep ??= m;
    for (const rec of readRecords(s).values()) writeRecord(dir, rec);
  }
  writeFilesAtomically(dir, { "sweep.json": stableJson(sweep) });
  const runs = expandSweep(sweep!.spec, sweep!.file);
  const recs = await writeOutputs(dir, sweep!.spec, runs);
  const failed = runs.filter((r) => !recs.get(r.id)?.ok).length;
  if (!o.quiet) print(`Merged ${shardDirs.length} shard(s): ${dir}/results.csv, timing.csv, report.json, report.md`);
  if (failed > 0) throw new ChecksFailed(`${failed} run(s) failed`);
}

/** Build every output from the saved runs; returns the runs' records by id. */
async function writeOutputs(dir: string, spec: SweepSpec, runs: readonly SweepRun[]): Promise<Map<string, RunRecord>> {
  const recs = readRecords(dir);
  const outcomes = runs.map((r) => recs.get(r.id));
  const report = buildReport(spec, runs, outcomes);
  const csv = resultsCsv(spec, runs, outcomes, report.metrics);
  const timing = `${[
    "run,id,wallS,eventsPerS,workerHeapMiB",
    ...runs.map((r) => {
      const rec = recs.get(r.id);
      return rec?.ok
        ? `${r.index},${r.id},${rec.wallS},${Math.round((rec.events ?? 0) / Math.max(rec.wallS ?? 0, 1e-9))},${(rec.heapMiB ?? NaN).toFixed(1)}`
        : `${r.index},${r.id},,,`;
    }),
  ].join("\n")}\n`;
  const { markdown, plots } = reportMarkdown(report);
  writeFilesAtomically(dir, {
    "results.csv": csv,
    "timing.csv": timing,
    "report.json": stableJson(report),
    "report.md": `${markdown}\n`,
    ...plots,
  });
  const tmp = join(dir, `results.parquet.tmp-${process.pid}`);
  await csvToParquet(
    join(dir, "results.csv"),
    tmp,
    new Set(["id", "scenario", "scheduler", "status", "error", ...Object.keys(spec.parameters)]),
  );
  renameSync(tmp, join(dir, "results.parquet"));
  return recs;
}

function readRecords(dir: string): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  const runsDir = join(dir, "runs");
  if (!existsSync(runsDir)) return out;
  for (const f of readdirSync(runsDir)) {
    if (!f.endsWith(".json")) continue;
    try {
      const rec = JSON.parse(readFileSync(join(runsDir, f), "utf8")) as RunRecord;
      out.set(rec.id, rec);
    } catch {
      // a half-written record cannot exist (records are renamed into place); ignore stray files
    }
  }
  return out;
}

function writeRecord(dir: string, rec: RunRecord): void {
  const path = join(dir, "runs", `${rec.id}.json`);
  writeFileSync(`${path}.tmp`, stableJson(rec));
  renameSync(`${path}.tmp`, path);
}

function readSweep(file: string): SweepSpec {
  try {
    return loadSweepFile(file);
  } catch (err) {
    if (err instanceof SpecError) throw new UserError(err.message);
    throw err;
  }
}

function positiveInt(name: string, s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${name}: expected a positive integer, found "${s}"`);
  return n;
}

/**
 * This process's shard: --shard i/N, else a Slurm job array (SLURM_ARRAY_TASK_ID of
 * SLURM_ARRAY_TASK_COUNT, counted from SLURM_ARRAY_TASK_MIN), else a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX of CLUSTERSIM_SHARDS), else the whole sweep.
 */
function parseShard(arg: string | undefined): [number, number] {
  const env = process.env;
  let text = arg;
  if (text === undefined && env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    text = `${Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0)}/${env.SLURM_ARRAY_TASK_COUNT}`;
  }
  if (text === undefined && env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.CLUSTERSIM_SHARDS === undefined)
      throw new UserError("JOB_COMPLETION_INDEX is set but CLUSTERSIM_SHARDS (the number of shards) is not");
    text = `${env.JOB_COMPLETION_INDEX}/${env.CLUSTERSIM_SHARDS}`;
  }
  if (text === undefined) return [0, 1];
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2]))
    throw new UserError(`--shard: expected i/N with 0 <= i < N, found "${text}"`);
  return [Number(m[1]), Number(m[2])];
}
