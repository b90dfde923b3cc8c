/**
 * A search's setup, checked before anything runs: its objective, seeds, confidence, the field varied
 * and the other overrides, the grid of values, the scenario loaded at both ends of the range, and where
 * its results go. Apart from the loop (./search.ts) because every way the options can be wrong is told
 * here, before a worker starts.
 */

import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { InputError } from "@clustersim/files";
import { loadScenarioFile, SpecError } from "@clustersim/scenarios";
import { specHash } from "../sweep/fingerprint.js";
import { type Objective, ObjectiveError, parseObjective } from "./objective.js";
import type { SearchOptions } from "./search-options.js";

export interface SearchSetup {
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
export function prepareSearch(o: SearchOptions): SearchSetup {
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
  // The step after the first too: a fractional step for a whole-number field fails there, before any
  // run (it failed only when the bisection reached a value between whole ones).
  const checked = grid.count > 2 ? [grid.min, grid.max, grid.value(1)] : [grid.min, grid.max];
  const specs = checked.map((v) => {
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

export interface Grid {
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
