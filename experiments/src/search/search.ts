import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { InputError, prepareOutputDir, stableJson, writeFilesAtomically } from "@clustersim/files";
import { loadScenarioFile, SpecError } from "@clustersim/scenarios";
import { WorkerPool } from "@clustersim/sim-core";
import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { PACKAGE_VERSION, specHash } from "../sweep/fingerprint.js";
import type { RunRecord } from "../sweep/records.js";
import { readRunRecords } from "../sweep/records.js";
import { type Interval, interval } from "../sweep/report.js";
import { recordRuns, runTimeoutMs, SWEEP_WORKER } from "../sweep/run-sweep.js";
import { lockSweepDir } from "../sweep/sweep-lock.js";
import type { SweepRun } from "../sweep/sweep-spec.js";
import type { SweepWorkerApi } from "../sweep/sweep-worker.js";
import { bisect } from "./bisect.js";
import {
  checkMetrics,
  higherIsGood,
  judgeMetric,
  type MetricJudgement,
  metricsAt,
  type Objective,
  ObjectiveError,
  objectiveText,
  parseObjective,
} from "./objective.js";

/**
 * A capacity search (`clustersim search`): the smallest value of one scenario field that meets an
 * objective over seeds, by bisection (bisect.ts), each value's runs on the sweep's worker threads and
 * saved as a sweep saves them (DIR/runs/ID.json), so that a search run again into the same directory,
 * with the same or another objective or range, reuses every run it has.
 */
export interface SearchOptions {
  /** The scenario file. */
  scenario: string;
  /** The scenario field varied, a path as --set takes it (`cluster.nodeGroups.0.count`). */
  vary: string;
  min: number;
  max: number;
  /** Distance between the values tried (default 1, and then min and max must be whole numbers). */
  step?: number;
  /** The objective's text (objective.ts). */
  objective: string;
  /** Seeds run at every value, the same at each (common random numbers); default 1, 2, 3. */
  seeds?: number[];
  /** Confidence of the one-sided bound compared with each threshold (default 0.95). */
  confidence?: number;
  /** Other scenario overrides, `path=value`, at every value. */
  set?: string[];
  /** Output directory (default results/search-NAME); one holding saved runs is reused. */
  out?: string;
  /** Worker threads (default 1). */
  workers?: number;
  runTimeoutS?: number;
  pluginTimeLimitS?: number;
  toolVersion?: string;
  /** Told once the search is set up, before any run. */
  onStart?: (s: SearchStart) => void;
  /** Told of each value judged, as its round ends. */
  onEvaluated?: (e: Evaluation) => void;
}

export interface SearchStart {
  name: string;
  dir: string;
  vary: string;
  min: number;
  max: number;
  step: number;
  /** Values in the range. */
  values: number;
  seeds: number[];
  workers: number;
  /** Values judged at once (workers to spare beyond the seeds). */
  perRound: number;
  objective: string;
  objectives: Objective[];
  /** What "meets" means, in words. */
  meaning: string;
}

/** One value judged. */
export interface Evaluation {
  value: number;
  /** The round it was judged in, from 1; values judged together share it. */
  round: number;
  meets: boolean;
  /** The run id of each seed, in the seeds' order (DIR/runs/ID.json). */
  runs: string[];
  /** Of those, run now and reused from the directory. */
  ran: number;
  reused: number;
  /** Every concrete metric of every comparison (a * gives one per key). */
  metrics: MetricJudgement[];
}

/** Evidence against the assumption that a larger value never does worse. */
export interface MonotonicityNote {
  kind: "verdict" | "metric";
  smaller: number;
  larger: number;
  metric?: string;
  /** Mean change from the smaller value to the larger over the seeds, and the one-sided bound. */
  change?: number;
  bound?: number;
  text: string;
}

export interface SearchResult {
  dir: string;
  scenario: string;
  vary: string;
  min: number;
  max: number;
  step: number;
  set: string[];
  seeds: number[];
  confidence: number;
  objective: string;
  objectives: Objective[];
  meaning: string;
  /**
   * found: `answer` is the smallest value meeting the objective; not met: the largest value fails it;
   * failed: a run failed; searching: the search has not ended (it was stopped, or is under way).
   */
  status: "found" | "not met" | "failed" | "searching";
  answer: number | null;
  evaluations: Evaluation[];
  /** Distinct runs the search used, run now and reused. */
  runs: { total: number; ran: number; reused: number };
  /** At the answer: the summary's cost figures, mean and 95% interval over the seeds. */
  cost: Record<string, Interval>;
  notes: MonotonicityNote[];
}

/** A run of the search failed: the value cannot be judged. Its record is saved with the error. */
export class SearchRunFailed extends Error {
  override readonly name = "SearchRunFailed";
}

const COST_METRICS = ["cost", "serverlessCost", "costWithServerless"];

/**
 * Find the smallest value of `vary` in min..max (by step) that meets the objective. Bad options throw
 * InputError (ObjectiveError for the objective, SpecError for the scenario), before any run, except an
 * objective's metric that no run reports, which is refused at the first run's result. A run that fails
 * throws SearchRunFailed once search.json says so.
 */
export async function runSearch(o: SearchOptions): Promise<SearchResult> {
  const setup = prepare(o);
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
  setup: Setup,
  workers: number,
  perRound: number,
  timeoutMs: number | undefined,
): Promise<SearchResult> {
  const { dir, grid, seeds, confidence, objectives, meaning, set } = setup;
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
  const result = (status: SearchResult["status"], answer: number | null): SearchResult => {
    const ids = new Set(evaluations.flatMap((e) => e.runs));
    const ran = evaluations.reduce((a, e) => a + e.ran, 0);
    const at = answer === null ? undefined : evaluations.find((e) => e.value === answer);
    return {
      dir,
      scenario: resolve(o.scenario),
      vary: o.vary,
      min: grid.min,
      max: grid.max,
      step: grid.step,
      set,
      seeds,
      confidence,
      objective: objectiveText(objectives),
      objectives,
      meaning,
      status,
      answer,
      evaluations,
      runs: { total: ids.size, ran, reused: ids.size - ran },
      cost: at ? costAt(at, done) : {},
      notes: monotonicityNotes(evaluations, objectives, o.vary, confidence),
    };
  };
  const save = (r: SearchResult) => writeFilesAtomically(dir, { "search.json": stableJson(r) });

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

interface Setup {
  name: string;
  dir: string;
  scenarioFile: string;
  set: string[];
  grid: Grid;
  seeds: number[];
  confidence: number;
  objectives: Objective[];
  meaning: string;
}

/** Check every option and the scenario at both ends of the range, before anything runs. */
function prepare(o: SearchOptions): Setup {
  let objectives: Objective[];
  try {
    objectives = parseObjective(o.objective);
  } catch (err) {
    if (err instanceof ObjectiveError) throw new ObjectiveError(`--objective "${o.objective}": ${err.message}`);
    throw err;
  }
  const seeds = o.seeds ?? [1, 2, 3];
  if (seeds.length === 0 || !seeds.every((s) => Number.isSafeInteger(s) && s >= 0))
    throw new InputError(`--seeds: expected a count or a list of non-negative whole numbers, found ${seeds.join(",")}`);
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw new InputError(`--seeds: expected distinct seeds, found ${dup} twice`);
  const confidence = o.confidence ?? 0.95;
  if (!(confidence >= 0.5 && confidence < 1))
    throw new InputError(`--confidence: expected a probability from 0.5 up to (not including) 1, found ${confidence}`);
  if (!/^[^=\s]+$/.test(o.vary) || o.vary.split(".").some((k) => k === ""))
    throw new InputError(
      `--vary: expected a scenario field path such as cluster.nodeGroups.0.count, found "${o.vary}"`,
    );
  const set = o.set ?? [];
  const clash = set.find((s) => s.slice(0, s.indexOf("=")) === o.vary);
  if (clash !== undefined) throw new InputError(`--set ${clash}: sets the field that --vary ${o.vary} varies`);
  const grid = makeGrid(o.min, o.max, o.step);
  const scenarioFile = resolve(o.scenario);
  if (!existsSync(scenarioFile)) throw new InputError(`${o.scenario}: expected a scenario file, found no such file`);
  // Both ends validate (a count of 0 may not), and differ: a path the scenario ignores varies nothing.
  const specs = [grid.min, grid.max].map((v) => {
    try {
      return loadScenarioFile(scenarioFile, [...set, `${o.vary}=${JSON.stringify(v)}`]);
    } catch (err) {
      if (!(err instanceof SpecError)) throw err;
      const prefix = `--set ${o.vary}=`;
      throw new SpecError(
        err.problems.map((p) => (p.startsWith(prefix) ? `--vary ${o.vary}=${p.slice(prefix.length)}` : p)),
      );
    }
  });
  if (grid.count > 1 && specHash(specs[0]) === specHash(specs[1]))
    throw new InputError(
      `--vary ${o.vary}: expected a scenario field that changes the run, found that the scenario reads the same at ${grid.min} and ${grid.max}`,
    );
  const name = specs[0].name ?? basename(scenarioFile).replace(/\.[^.]*$/, "");
  const dir = resolve(o.out ?? `results/search-${name}`);
  const p = Math.round(confidence * 1000) / 10;
  const meaning =
    `a value meets the objective when, for every metric it names, the one-sided ${p}% Student-t bound over the ` +
    `${seeds.length === 1 ? "one seed" : `${seeds.length} seeds`} (the lower bound for >= and >, the upper for <= and <) is on the threshold's side; ` +
    "with one seed, or a metric the same on every seed, the value itself is compared (a degenerate interval)";
  return { name, dir, scenarioFile, set, grid, seeds, confidence, objectives, meaning };
}

interface Grid {
  min: number;
  max: number;
  step: number;
  count: number;
  value(k: number): number;
}

/** The values min, min + step, …, max. */
function makeGrid(min: number, max: number, step: number | undefined): Grid {
  for (const [name, v] of [
    ["--min", min],
    ["--max", max],
  ] as const)
    if (!Number.isFinite(v)) throw new InputError(`${name}: expected a number, found ${v}`);
  if (min > max) throw new InputError(`--max: expected a value at least --min (${min}), found ${max}`);
  if (step === undefined && !(Number.isInteger(min) && Number.isInteger(max)))
    throw new InputError(
      `--step: expected a step for a range that is not of whole numbers (--min ${min}, --max ${max}), found none`,
    );
  const s = step ?? 1;
  if (!(Number.isFinite(s) && s > 0)) throw new InputError(`--step: expected a number above 0, found ${s}`);
  const steps = Math.round((max - min) / s);
  // Up to rounding (0.1 + 0.2), max must be min plus a whole number of steps.
  if (Math.abs(min + steps * s - max) > 1e-9 * Math.max(1, Math.abs(max)))
    throw new InputError(`--max: expected --min plus a whole number of steps of ${s}, found ${max}`);
  if (steps > 1e9) throw new InputError(`--step: expected at most 1e9 steps from --min to --max, found ${steps}`);
  // Twelve significant digits drop the rounding of min + k·step (0.30000000000000004).
  const value = (k: number) => (k === steps ? max : Number((min + k * s).toPrecision(12)));
  return { min, max, step: s, count: steps + 1, value };
}

/** The run of one seed at one value; its id depends on the scenario, its overrides and the seed only. */
function searchRun(s: Setup, vary: string, value: number, seed: number): SweepRun {
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

/** Judge a value from its seeds' records: it meets the objective when every concrete metric does. */
function evaluate(
  value: number,
  round: number,
  runs: readonly SweepRun[],
  records: ReadonlyMap<string, RunRecord>,
  objectives: readonly Objective[],
  confidence: number,
): Evaluation {
  const summaries = runs.map((r) => records.get(r.id)?.summary ?? {});
  const metrics: MetricJudgement[] = [];
  objectives.forEach((o, i) => {
    const perSeed = summaries.map((s) => metricsAt(o.path, s));
    // Every metric any seed reports: one a seed lacks fails at that value.
    const names = [...new Set(perSeed.flatMap((m) => [...m.keys()]))];
    for (const name of names)
      metrics.push(
        judgeMetric(
          o,
          i,
          name,
          perSeed.map((m) => m.get(name) ?? null),
          confidence,
        ),
      );
  });
  // A comparison that names nothing at this value cannot be met.
  const meets = objectives.every((_, i) => metrics.some((m) => m.objective === i)) && metrics.every((m) => m.meets);
  return { value, round, meets, runs: runs.map((r) => r.id), ran: 0, reused: 0, metrics };
}

/** The summary's cost figures at a judged value, mean and 95% interval over its seeds. */
function costAt(e: Evaluation, records: ReadonlyMap<string, RunRecord>): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const m of COST_METRICS) {
    const xs = e.runs.map((id) => records.get(id)?.summary?.[m]);
    if (!xs.every((x) => typeof x === "number")) continue;
    const v = xs as number[];
    // Equal to 1e-12: a price summed in another order of events is the same cost on every seed.
    const same = v.every((x) => Math.abs(x - v[0]) <= 1e-12 * Math.max(Math.abs(x), Math.abs(v[0])));
    out[m] = same && v.length > 1 ? { n: v.length, mean: v[0], low: v[0], high: v[0], degenerate: true } : interval(v);
  }
  return out;
}

/**
 * Evidence against monotonicity among the values judged, each next to the next larger one judged: a
 * value failing above one that meets, and a metric failing its comparison at the larger value while
 * worse there than at the smaller on the same seeds (its paired change's one-sided bound, at the search's
 * confidence, on the worse side of 0). A metric that declines but still meets its threshold is left out:
 * the services of a call graph trade places as capacity grows, and such a decline does not move the
 * verdict. A change within rounding (1e-12 of the values) counts as none.
 */
export function monotonicityNotes(
  evaluations: readonly Evaluation[],
  objectives: readonly Objective[],
  vary: string,
  confidence: number,
): MonotonicityNote[] {
  const byValue = [...evaluations].sort((a, b) => a.value - b.value);
  const notes: MonotonicityNote[] = [];
  let lowestMeeting: Evaluation | undefined;
  for (const e of byValue) {
    if (lowestMeeting && !e.meets)
      notes.push({
        kind: "verdict",
        smaller: lowestMeeting.value,
        larger: e.value,
        text: `${vary} = ${e.value} fails the objective although the smaller ${lowestMeeting.value} meets it`,
      });
    if (e.meets) lowestMeeting ??= e;
  }
  for (let i = 1; i < byValue.length; i++) {
    const [a, b] = [byValue[i - 1], byValue[i]];
    for (const mb of b.metrics) {
      if (mb.meets) continue;
      const ma = a.metrics.find((m) => m.metric === mb.metric && m.objective === mb.objective);
      if (!ma) continue;
      const sign = higherIsGood(objectives[mb.objective]) ? 1 : -1;
      const d: number[] = [];
      mb.values.forEach((x, s) => {
        const y = ma.values[s];
        if (x === null || y === null) return;
        d.push(Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y)) ? 0 : sign * (x - y));
      });
      if (d.length < 2) continue;
      const mean = d.reduce((p, q) => p + q, 0) / d.length;
      const sd = Math.sqrt(d.reduce((p, q) => p + (q - mean) ** 2, 0) / (d.length - 1));
      const bound = d.every((x) => x === d[0])
        ? d[0]
        : mean + quantileT(confidence, d.length - 1) * (sd / Math.sqrt(d.length));
      if (!(bound < 0)) continue;
      notes.push({
        kind: "metric",
        smaller: a.value,
        larger: b.value,
        metric: mb.metric,
        change: sign * mean,
        bound: sign * bound,
        text: `${mb.metric} is worse at ${vary} = ${b.value} than at ${a.value} on the same seeds (mean change ${figure(sign * mean)}${d.every((x) => x === d[0]) ? ", on every seed" : `, ${Math.round(confidence * 1000) / 10}% bound ${figure(sign * bound)}`})`,
      });
    }
  }
  return notes;
}

/** Six significant digits: enough to tell 0.99953 from a threshold of 0.9995. */
export const figure = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x));
