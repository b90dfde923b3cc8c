import { renameSync } from "node:fs";
import { join } from "node:path";
import { stableJson, TEMP_SUFFIX, writeFilesAtomically } from "@clustersim/files";
import { loadScenarioFile, type ScenarioSpec } from "@clustersim/scenarios";
import { ParquetTable } from "../outputs/parquet-table.js";
import { type RunRecord, readRunRecords } from "./records.js";
import { buildReport, resultsCsv, resultsTable } from "./report.js";
import { reportMarkdown } from "./report-markdown.js";
import type { SweepRun, SweepSpec } from "./sweep-spec.js";

/**
 * Build results.csv/.parquet, timing.csv, report.json/.md and plots/ from the runs saved in `dir` (or
 * from `records`, when given); returns the records by run id. `notApplied`: the sweep's fields left
 * out of some scenarios' runs (`omissionNotes`), stated in the report.
 */
export async function writeSweepOutputs(
  dir: string,
  spec: SweepSpec,
  runs: readonly SweepRun[],
  records?: ReadonlyMap<string, RunRecord>,
  notApplied: readonly string[] = [],
): Promise<ReadonlyMap<string, RunRecord>> {
  const recs = records ?? readRunRecords(dir);
  const outcomes = runs.map((r) => recs.get(r.id));
  const report = buildReport(spec, runs, outcomes, notApplied);
  const resolve = resolvedParameters();
  const csv = resultsCsv(spec, runs, outcomes, report.metrics, resolve);
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
  const tmp = join(dir, `results.parquet${TEMP_SUFFIX}`);
  // Typed columns (run and seed as integers, numeric parameters and metrics as numbers), from the
  // same table as results.csv.
  const table = resultsTable(spec, runs, outcomes, report.metrics, resolve);
  const parquet = await ParquetTable.open(tmp, table.columns);
  for (const row of table.rows) parquet.row(row);
  await parquet.close();
  renameSync(tmp, join(dir, "results.parquet"));
  return recs;
}

/**
 * Parameter values as each run's validated scenario holds them (a duration in seconds, a quantity in
 * its base unit), read at the parameter's path; the value as written where the scenario cannot be
 * loaded here (a merge away from the scenario files).
 */
function resolvedParameters(): (run: SweepRun, parameter: string) => unknown {
  const specs = new Map<string, ScenarioSpec | undefined>();
  return (run, parameter) => {
    const key = JSON.stringify([run.scenarioFile, run.overrides]);
    if (!specs.has(key)) {
      try {
        specs.set(key, loadScenarioFile(run.scenarioFile, run.overrides));
      } catch {
        specs.set(key, undefined);
      }
    }
    let v: unknown = specs.get(key);
    for (const k of parameter.split("."))
      v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
    return v === undefined ? run.parameters[parameter] : v;
  };
}
