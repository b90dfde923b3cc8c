/**
 * What a search writes to DIR/search.json, after every round and at its end: its setup, status and
 * answer, every value judged, the runs it used, the cost figures at the answer and the monotonicity
 * notes. Apart from the loop (./search.ts), which only says when and with what status.
 */
import { resolve } from "node:path";
import { stableJson, writeFilesAtomically } from "@clustersim/files";
import type { RunRecord } from "../sweep/records.js";
import { type Interval, interval } from "../sweep/report.js";
import { type MonotonicityNote, monotonicityNotes } from "./monotonicity-notes.js";
import { type Objective, objectiveText } from "./objective.js";
import type { SearchOptions } from "./search-options.js";
import type { SearchSetup } from "./search-setup.js";
import type { Evaluation } from "./value-judgement.js";

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

const COST_METRICS = ["cost", "serverlessCost", "costWithServerless"];

/**
 * The search's result as it stands: `evaluations` so far, `done` every run record it has (the cost
 * figures at the answer are read from them).
 */
export function searchResult(
  o: SearchOptions,
  setup: SearchSetup,
  evaluations: Evaluation[],
  done: ReadonlyMap<string, RunRecord>,
  status: SearchResult["status"],
  answer: number | null,
): SearchResult {
  const { dir, grid, seeds, confidence, objectives, meaning, set } = setup;
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
}

/** Write the result to DIR/search.json (atomically: a reader sees the old or the new). */
export function saveSearch(dir: string, r: SearchResult): void {
  writeFilesAtomically(dir, { "search.json": stableJson(r) });
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
