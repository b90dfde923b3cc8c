/**
 * A capacity search's loop (`clustersim search`): its directory locked, the sweep's worker threads
 * started, then bisection rounds (./bisect.ts): each round's runs recorded as a sweep records them
 * (DIR/runs/ID.json, reused when already there), each value judged (./value-judgement.ts), and
 * search.json written (./search-result.ts). The options are checked before (./search-setup.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { InputError, prepareOutputDir } from "@clustersim/files";
import { WorkerPool } from "@clustersim/sim-core";
import { PACKAGE_VERSION } from "../sweep/fingerprint.js";
import type { RunRecord } from "../sweep/records.js";
import { readRunRecords } from "../sweep/records.js";
import { recordRuns, runTimeoutMs, SWEEP_WORKER } from "../sweep/run-sweep.js";
import { lockSweepDir } from "../sweep/sweep-lock.js";
import type { SweepRun } from "../sweep/sweep-spec.js";
import type { SweepWorkerApi } from "../sweep/sweep-worker.js";
import { bisect } from "./bisect.js";
import { checkMetrics, ObjectiveError, objectiveText } from "./objective.js";
import type { SearchOptions } from "./search-options.js";
import { type SearchResult, saveSearch, searchResult } from "./search-result.js";
import { prepareSearch, type SearchSetup } from "./search-setup.js";
import { type Evaluation, evaluate } from "./value-judgement.js";

/** A run of the search failed: the value cannot be judged. Its record is saved with the error. */
export class SearchRunFailed extends Error {
  override readonly name = "SearchRunFailed";
}

/**
 * Find the smallest value of `vary` in min..max (by step) that meets the objective. Bad options throw
 * InputError (ObjectiveError for the objective, SpecError for the scenario), before any run, except an
 * objective's metric that no run reports, which is refused at the first run's result. A run that fails
 * throws SearchRunFailed once search.json says so.
 */
export async function runSearch(o: SearchOptions): Promise<SearchResult> {
  const setup = prepareSearch(o);
  const { dir, seeds } = setup;
  const workers = o.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1))
    throw new InputError(`--workers: expected a positive integer, found ${workers}`);
  const timeoutMs = runTimeoutMs(o.runTimeoutS);
  const perRound = Math.max(1, Math.floor(workers / seeds.length));
  prepareOutputDir(dir);
  // A sweep's directory holds one sweep's runs and outputs: a search's runs beside them would mix two
  // experiments in one place.
  if (existsSync(join(dir, "sweep.json")))
    throw new InputError(`--out ${dir}: holds a sweep's results (sweep.json): choose another --out for the search`);
  // One writer at a time, as for sweeps: two searches into one directory would overwrite search.json.
  const lock = lockSweepDir(dir, setup.scenarioFile, "search");
  try {
    return await searchLocked(o, setup, workers, perRound, timeoutMs);
  } finally {
    lock.release();
  }
}

/** `runSearch` once its directory is locked for it. */
async function searchLocked(
  o: SearchOptions,
  setup: SearchSetup,
  workers: number,
  perRound: number,
  timeoutMs: number | undefined,
): Promise<SearchResult> {
  const { dir, grid, seeds, confidence, objectives, meaning } = setup;
  mkdirSync(join(dir, "runs"), { recursive: true });
  const version = o.toolVersion ?? PACKAGE_VERSION;
  const done = new Map(readRunRecords(dir));
  o.onStart?.({
    name: setup.name,
    dir,
    vary: o.vary,
    min: grid.min,
    max: grid.max,
    step: grid.step,
    values: grid.count,
    seeds,
    workers,
    perRound,
    objective: objectiveText(objectives),
    objectives,
    meaning,
  });

  const evaluations: Evaluation[] = [];
  const result = (status: SearchResult["status"], answer: number | null): SearchResult =>
    searchResult(o, setup, evaluations, done, status, answer);
  const save = (r: SearchResult) => saveSearch(dir, r);

  const pool = new WorkerPool<SweepWorkerApi>(SWEEP_WORKER, workers, { timeoutMs });
  pool.start(Math.min(workers, seeds.length * Math.min(perRound, 2)));
  let round = 0;
  let checked = false;
  const check = (rec: RunRecord) => {
    if (checked || !rec.ok) return;
    // Refused at the first result rather than after the whole search: a metric no run reports.
    try {
      checkMetrics(objectives, rec.summary ?? {});
    } catch (err) {
      if (err instanceof ObjectiveError)
        throw new ObjectiveError(`--objective: ${err.message} (the runs done are kept in ${join(dir, "runs")})`);
      throw err;
    }
    checked = true;
  };
  try {
    const index = await bisect(grid.count, perRound, async (indices) => {
      round++;
      const values = indices.map((k) => grid.value(k));
      const runs = values.flatMap((value) => seeds.map((seed) => searchRun(setup, o.vary, value, seed)));
      const ranNow = new Set<string>();
      const r = await recordRuns(pool, runs, dir, done, {
        source: o.scenario,
        version,
        pluginTimeLimitS: o.pluginTimeLimitS,
        onRecord: (rec) => {
          ranNow.add(rec.id);
          check(rec);
        },
      });
      for (const [id, rec] of r.records) done.set(id, rec);
      const failed = runs.filter((run) => !r.records.get(run.id)?.ok);
      if (failed.length > 0) {
        save(result("failed", null));
        throw new SearchRunFailed(
          `${failed.length} run(s) failed, so ${o.vary} = ${failed[0].parameters[o.vary]} cannot be judged: ${failed
            .slice(0, 3)
            .map((f) => `seed ${f.seed} at ${f.parameters[o.vary]}: ${r.records.get(f.id)?.error ?? "no result"}`)
            .join("; ")} (records in ${join(dir, "runs")}; running the search again retries them)`,
        );
      }
      for (const run of runs) check(r.records.get(run.id)!);
      const judged = values.map((value, i) => {
        const mine = runs.slice(i * seeds.length, (i + 1) * seeds.length);
        const e = evaluate(value, round, mine, r.records, objectives, confidence);
        e.ran = mine.filter((m) => ranNow.has(m.id)).length;
        e.reused = mine.length - e.ran;
        return e;
      });
      for (const e of judged) {
        evaluations.push(e);
        o.onEvaluated?.(e);
      }
      save(result("searching", null));
      return judged.map((e) => e.meets);
    });
    const final = index === undefined ? result("not met", null) : result("found", grid.value(index));
    save(final);
    return final;
  } finally {
    await pool.close();
  }
}

/** The run of one seed at one value; its id depends on the scenario, its overrides and the seed only. */
function searchRun(s: SearchSetup, vary: string, value: number, seed: number): SweepRun {
  const overrides = [...s.set, `${vary}=${JSON.stringify(value)}`];
  const key = JSON.stringify({ search: basename(s.scenarioFile), overrides, seed });
  return {
    index: 0,
    id: createHash("sha256").update(key).digest("hex").slice(0, 16),
    scenario: s.name,
    scenarioFile: s.scenarioFile,
    scheduler: "",
    parameters: { [vary]: value },
    seed,
    overrides,
  };
}
