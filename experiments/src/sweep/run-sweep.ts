import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError, prepareOutputDir, stableJson, writeFilesAtomically } from "@clustersim/files";
import { checkScenario, loadScenarioFile, type ScenarioSpec, SpecError } from "@clustersim/scenarios";
import { WorkerPool, wallSeconds } from "@clustersim/sim-core";
import { TraceError } from "@clustersim/workloads";
import {
  InputCache,
  PACKAGE_VERSION,
  type RunFingerprint,
  sameFingerprint,
  specFingerprint,
  specHash,
} from "./fingerprint.js";
import { writeSweepOutputs } from "./outputs.js";
import { type RunRecord, readRunRecords, writeRunRecord } from "./records.js";
import { clearSweepDir, readSweepMeta, removeOutputs, type SweepMeta } from "./sweep-dir.js";
import { inputConflicts, inputsByContent, recordMadeFrom, type SweepInputs, sweepInputs } from "./sweep-inputs.js";
import { lockSweepDir } from "./sweep-lock.js";
import { expandSweep, loadSweepFile, type SweepRun, type SweepSpec } from "./sweep-spec.js";
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
  /** Called with a note for the user: a stale lock (of a sweep that no longer runs) taken over. */
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
  const runs = expandSweep(spec, file);
  for (const f of new Set(runs.map((r) => r.scenarioFile)))
    if (!existsSync(f)) throw new InputError(`${file}: scenarios: no such scenario file: ${f}`);
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
    return await sweepLocked(file, spec, runs, dir, [shard, shards], { ...o, workers }, timeoutMs);
  } finally {
    lock.release();
  }
}

/** `runSweep` once `dir` is locked for it. */
async function sweepLocked(
  file: string,
  spec: SweepSpec,
  runs: readonly SweepRun[],
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
    recs = await writeSweepOutputs(dir, spec, runs);
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

/** A run to do: its run, validated scenario and fingerprint. */
interface PendingRun {
  run: SweepRun;
  scenario: ScenarioSpec;
  fingerprint: RunFingerprint;
}

/**
 * Each run's validated scenario and fingerprint. Runs differing only in seed share a scenario and
 * overrides, hence a validated spec and a fingerprint: each is loaded once here, and the spec is handed
 * to the workers with each run. Every combination is validated before any runs: a misspelt scheduler
 * or parameter stops the sweep at once (exit 2, nothing run), naming each run it would have broken.
 */
function loadRunSpecs(
  mine: readonly SweepRun[],
  file: string,
  version: string,
  cache: InputCache,
): Omit<PendingRun, "run">[] {
  const byScenario = new Map<string, Omit<PendingRun, "run">>();
  const problems: string[] = [];
  const loaded = mine.map((r) => {
    const key = JSON.stringify([r.scenarioFile, r.overrides]);
    let l = byScenario.get(key);
    if (!l) {
      try {
        const scenario = loadScenarioFile(r.scenarioFile, r.overrides);
        l = { scenario, fingerprint: specFingerprint(scenario, r.scenarioFile, version, cache) };
        byScenario.set(key, l);
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        if (!problems.some((p) => p.startsWith(`${key}\u0000`))) {
          problems.push(...err.problems.map((p) => `${key}\u0000${file}: run ${r.id} (${r.scenarioFile}): ${p}`));
        }
      }
    }
    return l;
  });
  if (problems.length > 0) throw new SpecError(problems.map((p) => p.slice(p.indexOf("\u0000") + 1)));
  return loaded as Omit<PendingRun, "run">[];
}

/**
 * The pending runs' scenarios as their runs would take them up to the first event (compiled and
 * assembled: files read, the cluster built, the run's parts made), each distinct one once: a problem
 * any of them has stops the sweep before it runs anything (exit 2), rather than failing every run of
 * it. Scenarios with user code (a strategy, controller or autoscaler plug-in) are left to their runs:
 * that code runs in the workers, where a crash or a hang costs one run, not the sweep's process.
 */
async function checkBeforeRunning(todo: readonly PendingRun[], file: string, pluginTimeLimitS?: number): Promise<void> {
  const seen = new Set<ScenarioSpec>();
  const problems: string[] = [];
  for (const p of todo) {
    if (seen.has(p.scenario) || hasUserCode(p.scenario)) continue;
    seen.add(p.scenario);
    try {
      await checkScenario(p.scenario, p.run.scenarioFile, { pluginTimeLimitS });
    } catch (err) {
      if (!(err instanceof SpecError || err instanceof TraceError)) throw err;
      const lines = err instanceof SpecError ? err.problems : [err.message];
      problems.push(...lines.map((l) => `${file}: run ${p.run.id} (${p.run.scenarioFile}): ${l}`));
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
}

/** Whether a scenario runs user code: a strategy, controller or service autoscaler plug-in. */
function hasUserCode(s: ScenarioSpec): boolean {
  return (
    s.scheduler.plugin !== undefined ||
    s.controllers.length > 0 ||
    s.services.some((x) => x.autoscaler?.type === "plugin")
  );
}

/** The runs without a successful record, and those whose record is stale (its fingerprint changed). */
function pendingRuns(
  mine: readonly SweepRun[],
  loaded: readonly Omit<PendingRun, "run">[],
  done: ReadonlyMap<string, RunRecord>,
): { todo: PendingRun[]; stale: number } {
  let stale = 0;
  const todo = mine.flatMap((r, i) => {
    const { scenario, fingerprint } = loaded[i];
    const rec = done.get(r.id);
    if (rec?.ok !== true) return [{ run: r, scenario, fingerprint }];
    if (sameFingerprint(rec.fingerprint, fingerprint)) return [];
    stale++;
    return [{ run: r, scenario, fingerprint }];
  });
  return { todo, stale };
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

export interface MergeResult {
  dir: string;
  shards: number;
  runs: number;
  /** Runs recorded as failed, and runs no shard has a record of (a shard missing or unfinished). */
  failed: number;
  missing: number;
  /**
   * Saved runs in the shards that were not merged: not made from their shard's recorded inputs (left
   * from an earlier sweep into the directory; a resume of the shard would rerun them).
   */
  leftOut: number;
}

/**
 * The runs saved in shard directories of one sweep, together in `out`, with outputs as if unsharded.
 * Every shard is read and checked before anything is written (a refused merge leaves no records):
 * shards of different sweeps are refused, and so are shards that read a file whose content differs
 * between them (by the SHA-256 each shard's sweep.json records), naming the file and both hashes.
 */
export async function mergeSweeps(shardDirs: readonly string[], out: string): Promise<MergeResult> {
  if (shardDirs.length === 0) throw new InputError("merge: give the shard directories to merge");
  const dir = resolve(out);
  let sweep: SweepMeta | undefined;
  const inputs: SweepInputs = {};
  /** The shard each input was first read from, for messages. */
  const readIn = new Map<string, string>();
  const fingerprints = new Set<string>();
  const records = new Map<string, RunRecord>();
  let leftOut = 0;
  for (const s of shardDirs) {
    const found = readSweepMeta(s);
    if (found === undefined)
      throw new InputError(`merge: ${s}: expected a sweep output directory (with sweep.json), found none`);
    if (found === "unreadable")
      throw new InputError(`merge: ${s}: expected a sweep's sweep.json, found one that is not`);
    const m = found.meta;
    if (sweep && JSON.stringify(m.spec) !== JSON.stringify(sweep.spec))
      throw new InputError(`merge: ${s} holds a different sweep than ${shardDirs[0]}`);
    if (!inputsByContent(m.inputs) || !Array.isArray(m.fingerprints)) {
      throw new InputError(
        `merge: ${s}: its sweep.json does not record the content of the files its runs read (an earlier version wrote it): run the shard again into the same directory to record them (its runs are rerun)`,
      );
    }
    const shardInputs: SweepInputs = m.inputs;
    const conflicts = inputConflicts(inputs, shardInputs);
    if (conflicts.length > 0) {
      const hash = (h: string | null | undefined) => h ?? "unreadable";
      const lines = conflicts.map(
        (k) => `${k}: ${hash(inputs[k])} in ${readIn.get(k)}, ${hash(shardInputs[k])} in ${s}`,
      );
      throw new InputError(
        `merge: ${s} was run from other inputs than ${readIn.get(conflicts[0]!)}: ${lines.join("; ")}`,
      );
    }
    for (const [k, h] of Object.entries(shardInputs)) {
      if (k in inputs) continue;
      inputs[k] = h;
      readIn.set(k, s);
    }
    const made = new Set(m.fingerprints);
    for (const f of made) fingerprints.add(f);
    for (const rec of readRunRecords(s).values()) {
      if (recordMadeFrom(rec, made)) records.set(rec.id, rec);
      else leftOut++;
    }
    sweep ??= m;
  }
  const meta: SweepMeta = {
    file: sweep!.file,
    spec: sweep!.spec,
    inputs: Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    fingerprints: [...fingerprints].sort(),
  };
  prepareOutputDir(dir);
  const lock = lockSweepDir(dir, meta.file, "merge");
  try {
    const previous = readSweepMeta(dir);
    if (previous === "unreadable" || (previous && previous.meta.file !== meta.file)) {
      const whose =
        previous === "unreadable" ? "a sweep.json that is no sweep's" : `the results of ${previous.meta.file}`;
      throw new InputError(`merge: --out ${dir}: holds ${whose}, not of ${meta.file}: choose another --out`);
    }
    const text = stableJson(meta);
    if (previous && previous.text !== text) removeOutputs(dir);
    mkdirSync(join(dir, "runs"), { recursive: true });
    for (const rec of records.values()) writeRunRecord(dir, rec);
    writeFilesAtomically(dir, { "sweep.json": text });
    const runs = expandSweep(meta.spec, meta.file);
    // From the shards' runs only: records `out` held before (an earlier merge) are not evidence.
    const recs = await writeSweepOutputs(dir, meta.spec, runs, records);
    return {
      dir,
      shards: shardDirs.length,
      runs: runs.length,
      failed: runs.filter((r) => recs.get(r.id) && !recs.get(r.id)!.ok).length,
      missing: runs.filter((r) => !recs.get(r.id)).length,
      leftOut,
    };
  } finally {
    lock.release();
  }
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
