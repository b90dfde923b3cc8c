import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { InputError, prepareOutputDir, stableJson, writeFilesAtomically } from "@clustersim/files";
import { WorkerPool, wallSeconds } from "@clustersim/sim-core";
import { InputCache, PACKAGE_VERSION, specHash } from "./fingerprint.js";
import { writeSweepOutputs } from "./outputs.js";
import { checkBeforeRunning, loadRunSpecs, type PendingRun, pendingRuns } from "./pending-runs.js";
import { type RunRecord, readRunRecords, writeRunRecord } from "./records.js";
import { clearSweepDir, readSweepMeta, removeOutputs, type SweepMeta } from "./sweep-dir.js";
import { checkSweepFields, omissionNotes } from "./sweep-fields.js";
import { sweepInputs } from "./sweep-inputs.js";
import { lockSweepDir } from "./sweep-lock.js";
import { expandSweep, loadSweepFile, type Omission, type SweepRun, type SweepSpec } from "./sweep-spec.js";
import type { SweepJobResult, SweepWorkerApi } from "./sweep-worker.js";

// The built worker, so that the pool starts the same script whether this module runs from src or dist.
// Searches start it too.
export const SWEEP_WORKER = new URL("../../dist/sweep/sweep-worker.js", import.meta.url);

export interface RunSweepOptions {
  /** Output directory (default: results/NAME); a directory holding saved runs is resumed. */
  out?: string;
  /** Worker threads (default 1). */
  workers?: number;
  /** This process's shard as "i/N" (default: from the environment, see `parseShard`; else the whole sweep). */
  shard?: string;
  /** Environment read for the shard (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Collect garbage after each run so that timing.csv's workerHeapMiB is the live heap. */
  measureMemory?: boolean;
  /**
   * Seconds a run may take (default: no limit): a run still going then is stopped (its worker thread is
   * terminated and replaced) and recorded as failed, "timed out after N s"; the other runs go on.
   */
  runTimeoutS?: number;
  /** Seconds a plug-in may take to load and per event (runScenario's pluginTimeLimitS). */
  pluginTimeLimitS?: number;
  /** Tool version recorded in each run's fingerprint (default: this package's version). */
  toolVersion?: string;
  /**
   * Replace what another sweep (another sweep file) wrote into `out`: its sweep.json, saved runs and
   * outputs are removed first. Without it such a directory is refused, so that results of two sweeps
   * are never mixed.
   */
  startOver?: boolean;
  /**
   * Called with a note for the user: a stale lock (of a sweep that no longer runs) taken over; a field
   * some scenarios do not read, left out of their runs (before `onStart`).
   */
  onNote?: (line: string) => void;
  /** Called once the runs to do are known, before any runs. */
  onStart?: (s: SweepStart) => void;
  /** Called after each run finishes. */
  onProgress?: (p: SweepProgress) => void;
}

export interface SweepStart {
  /** The sweep's name, or its file. */
  name: string;
  dir: string;
  /** Runs in the whole sweep. */
  runs: number;
  shard: number;
  shards: number;
  /** Runs in this shard. */
  mine: number;
  /** Runs of this shard saved earlier and reused. */
  alreadyDone: number;
  /** Runs saved earlier whose fingerprint no longer matches, run again. */
  stale: number;
  workers: number;
}

export interface SweepProgress {
  /** Runs of this shard finished, counting reused ones. */
  done: number;
  total: number;
  failed: number;
  /** Estimated seconds left (NaN before the first run finishes). */
  etaS: number;
}

export interface SweepResult {
  dir: string;
  runs: number;
  shard: number;
  shards: number;
  mine: number;
  /** Runs of this shard run now. */
  ran: number;
  alreadyDone: number;
  stale: number;
  /** Runs of this shard without a successful result (other shards' runs are missing here, not failed). */
  failed: number;
}

/**
 * Every run of a sweep file (or of this shard) on a pool of worker threads, each run's result saved in
 * DIR/runs/ID.json as it finishes (so an interrupted sweep resumes where it stopped, rerunning saved
 * runs whose fingerprint changed), then results.csv/.parquet, timing.csv, report.json/.md and plots/
 * built from all saved runs. Bad input throws InputError (or SpecError for the sweep file); failed runs
 * are counted in the result, not thrown.
 */
export async function runSweep(file: string, o: RunSweepOptions = {}): Promise<SweepResult> {
  const workers = o.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1))
    throw new InputError(`workers: expected a positive integer, found ${workers}`);
  const timeoutMs = runTimeoutMs(o.runTimeoutS);
  const spec = loadSweepFile(file);
  for (const f of new Set(spec.scenarios.map((s) => resolve(dirname(resolve(file)), s))))
    if (!existsSync(f)) throw new InputError(`${file}: scenarios: no such scenario file: ${f}`);
  // A field no scenario reads stops the sweep here, before its directory is touched.
  const omitted = checkSweepFields(spec, file);
  const runs = expandSweep(spec, file, omitted);
  const [shard, shards] = parseShard(o.shard, o.env ?? process.env);
  const dir = resolve(o.out ?? `results/${spec.name ?? "sweep"}`);
  prepareOutputDir(dir);
  const lock = lockSweepDir(dir, resolve(file), "sweep");
  try {
    if (lock.tookOver) {
      const h = lock.tookOver;
      o.onNote?.(
        `took over the lock of ${dir} left by a ${h.command} of ${h.sweep} (pid ${h.pid}, since ${h.startedAt}), which no longer runs`,
      );
    }
    return await sweepLocked(file, spec, runs, omitted, dir, [shard, shards], { ...o, workers }, timeoutMs);
  } finally {
    lock.release();
  }
}

/** `runSweep` once `dir` is locked for it. */
async function sweepLocked(
  file: string,
  spec: SweepSpec,
  runs: readonly SweepRun[],
  omitted: readonly Omission[],
  dir: string,
  [shard, shards]: [number, number],
  o: RunSweepOptions & { workers: number },
  timeoutMs: number | undefined,
): Promise<SweepResult> {
  const previous = readSweepMeta(dir);
  if (o.startOver) clearSweepDir(dir);
  else if (previous === "unreadable" || (previous && previous.meta.file !== resolve(file))) {
    const whose =
      previous === "unreadable" ? "a sweep.json that is no sweep's" : `the results of ${previous.meta.file}`;
    throw new InputError(
      `--out ${dir}: holds ${whose}, not of ${resolve(file)}: choose another --out, or start over (--start-over) to replace them`,
    );
  }
  mkdirSync(join(dir, "runs"), { recursive: true });

  const version = o.toolVersion ?? PACKAGE_VERSION;
  const done = readRunRecords(dir);
  const mine = runs.filter((r) => r.index % shards === shard);
  const pool = new WorkerPool<SweepWorkerApi>(SWEEP_WORKER, o.workers, { timeoutMs });
  // Start the workers now: loading their modules takes a few hundred milliseconds, during which this
  // thread loads and validates the scenarios below. Runs without a successful record will run (those
  // with one only if stale), so that many workers at most.
  pool.start(mine.filter((r) => done.get(r.id)?.ok !== true).length);
  let counts: { ran: number; alreadyDone: number; stale: number };
  const notes = omissionNotes(spec, omitted);
  try {
    const cache = new InputCache();
    const loaded = loadRunSpecs(mine, file, version, cache);
    const meta: SweepMeta = {
      file: resolve(file),
      spec,
      inputs: sweepInputs(
        new Map(loaded.map((l, i) => [l, { scenarioFile: mine[i].scenarioFile, spec: l.scenario }])).values(),
        file,
        cache,
      ),
      fingerprints: [...new Set(loaded.map((l) => specHash(l.fingerprint)))].sort(),
      ...(omitted.length > 0 && { omitted: [...omitted] }),
    };
    const text = stableJson(meta);
    // Another definition of the sweep (edited, or its files changed): the outputs of the previous one
    // go before its sweep.json is replaced, and are built again once the runs are done.
    const { todo, stale } = pendingRuns(mine, loaded, done);
    // What each run would refuse before its first event is refused here, once per scenario, for all.
    await checkBeforeRunning(todo, file, o.pluginTimeLimitS);
    if (typeof previous === "object" && previous.text !== text) removeOutputs(dir);
    writeFilesAtomically(dir, { "sweep.json": text });
    const alreadyDone = mine.length - todo.length;
    for (const line of notes) o.onNote?.(line);
    const name = spec.name ?? file;
    o.onStart?.({
      name,
      dir,
      runs: runs.length,
      shard,
      shards,
      mine: mine.length,
      alreadyDone,
      stale,
      workers: o.workers,
    });
    await runPending(pool, todo, dir, o, (_rec, finished, failures, rate) =>
      o.onProgress?.({
        done: alreadyDone + finished,
        total: mine.length,
        failed: failures,
        etaS: rate > 0 ? (todo.length - finished) / rate : NaN,
      }),
    );
    counts = { ran: todo.length, alreadyDone, stale };
  } catch (err) {
    await pool.close();
    throw err;
  }
  // Every run is saved by now: build the outputs while the workers stop.
  const closing = pool.close();
  let recs: ReadonlyMap<string, RunRecord>;
  try {
    recs = await writeSweepOutputs(dir, spec, runs, undefined, notes);
  } finally {
    await closing;
  }
  return {
    dir,
    runs: runs.length,
    shard,
    shards,
    mine: mine.length,
    ...counts,
    failed: mine.filter((r) => !recs.get(r.id)?.ok).length,
  };
}

/**
 * Run `todo` on the pool, saving each run's record (ok or failed) as it finishes. If `progress` throws,
 * no further run starts, and the error is thrown once the runs under way have finished.
 */
async function runPending(
  pool: WorkerPool<SweepWorkerApi>,
  todo: readonly PendingRun[],
  dir: string,
  o: Pick<RunSweepOptions, "measureMemory" | "pluginTimeLimitS">,
  progress: (rec: RunRecord, finished: number, failures: number, runsPerS: number) => void,
): Promise<void> {
  const t0 = wallSeconds();
  let finished = 0;
  let failures = 0;
  await pool.run(
    todo,
    (api, { run: r, scenario }) =>
      api.run({
        scenarioFile: r.scenarioFile,
        overrides: r.overrides,
        spec: scenario,
        seed: r.seed,
        measureHeap: o.measureMemory,
        pluginTimeLimitS: o.pluginTimeLimitS,
      }) as Promise<SweepJobResult>,
    (out) => {
      const { run: r, fingerprint } = todo[out.index];
      const rec: RunRecord = out.ok
        ? {
            run: r.index,
            id: r.id,
            ok: true,
            summary: out.value!.summary,
            wallS: out.value!.wallS,
            events: out.value!.events,
            heapMiB: out.value!.heapMiB,
            fingerprint,
          }
        : { run: r.index, id: r.id, ok: false, error: out.error, fingerprint };
      writeRunRecord(dir, rec);
      finished++;
      if (!out.ok) failures++;
      progress(rec, finished, failures, finished / Math.max(wallSeconds() - t0, 1e-9));
    },
  );
}

export interface RecordRunsOptions {
  /** What the runs come from, to name in a scenario's validation errors. */
  source: string;
  /** Tool version recorded in each run's fingerprint. */
  version: string;
  measureMemory?: boolean;
  pluginTimeLimitS?: number;
  /**
   * Sees each record saved by a run finished now. If it throws, no further run starts, and recordRuns
   * rejects with that error once the runs under way have finished (their records saved).
   */
  onRecord?: (rec: RunRecord) => void;
}

/**
 * The runs given, on a pool, each saved in DIR/runs/ID.json as it finishes; a run whose saved record in
 * `done` succeeded with the same fingerprint is reused instead. Every distinct scenario is validated
 * before any run starts (a SpecError names each run it would break). What a sweep does with its runs,
 * for a caller that asks for its runs a few at a time (a search); it writes no sweep.json.
 */
export async function recordRuns(
  pool: WorkerPool<SweepWorkerApi>,
  runs: readonly SweepRun[],
  dir: string,
  done: ReadonlyMap<string, RunRecord>,
  o: RecordRunsOptions,
): Promise<{ ran: number; alreadyDone: number; stale: number; records: Map<string, RunRecord> }> {
  const loaded = loadRunSpecs(runs, o.source, o.version, new InputCache());
  const { todo, stale } = pendingRuns(runs, loaded, done);
  const records = new Map<string, RunRecord>();
  for (const r of runs) {
    const rec = done.get(r.id);
    if (rec?.ok === true) records.set(r.id, rec);
  }
  await runPending(pool, todo, dir, o, (rec) => {
    records.set(rec.id, rec);
    o.onRecord?.(rec);
  });
  return { ran: todo.length, alreadyDone: runs.length - todo.length, stale, records };
}

/** `runTimeoutS` in milliseconds for the worker pool, checked; undefined for no limit. */
export function runTimeoutMs(s: number | undefined): number | undefined {
  if (s === undefined) return undefined;
  // setTimeout's longest delay, 2^31 - 1 ms, is about 24.8 days.
  if (!(typeof s === "number" && s > 0 && s * 1000 <= 2 ** 31 - 1))
    throw new InputError(`runTimeoutS: expected a number of seconds above 0 and at most 2147483, found ${s}`);
  return s * 1000;
}

/**
 * A process's shard as [i, N]: `text` ("i/N"), else a Slurm job array (SLURM_ARRAY_TASK_ID of
 * SLURM_ARRAY_TASK_COUNT, counted from SLURM_ARRAY_TASK_MIN), else a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX of CLUSTERSIM_SHARDS), else the whole sweep ([0, 1]).
 */
export function parseShard(
  text: string | undefined,
  env: Record<string, string | undefined> = process.env,
): [number, number] {
  if (text === undefined && env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    text = `${Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0)}/${env.SLURM_ARRAY_TASK_COUNT}`;
  }
  if (text === undefined && env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.CLUSTERSIM_SHARDS === undefined)
      throw new InputError("JOB_COMPLETION_INDEX is set but CLUSTERSIM_SHARDS (the number of shards) is not");
    text = `${env.JOB_COMPLETION_INDEX}/${env.CLUSTERSIM_SHARDS}`;
  }
  if (text === undefined) return [0, 1];
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2]))
    throw new InputError(`--shard: expected i/N with 0 <= i < N, found "${text}"`);
  return [Number(m[1]), Number(m[2])];
}
