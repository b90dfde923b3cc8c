import { dirname, relative, resolve, sep } from "node:path";
import type { ScenarioSpec } from "@clustersim/scenarios";
import { type InputCache, scenarioFiles, specHash } from "./fingerprint.js";
import type { RunRecord } from "./records.js";

/**
 * What a sweep's (or a shard's) results are made from, wherever its files lie: every file its runs
 * read, the scenario files among them, each by `inputKey` with `sha256:<hex>` of its content (null:
 * not readable). Recorded in sweep.json; shards of one sweep file whose inputs differ are different
 * experiments, and `mergeSweeps` refuses them.
 */
export type SweepInputs = Record<string, string | null>;

/**
 * A file's name in `SweepInputs`: its path relative to the sweep file's directory, the same on every
 * machine holding the same checkout; absolute when the two share no directory but the root (a trace
 * under /data named by its absolute path).
 */
export function inputKey(path: string, sweepFile: string): string {
  const base = dirname(resolve(sweepFile));
  const top = (p: string) => p.split(sep)[1];
  return top(base) === top(path) ? relative(base, path) || "." : path;
}

/** The inputs of runs of these validated scenarios (each with its scenario file), by content. */
export function sweepInputs(
  scenarios: Iterable<{ scenarioFile: string; spec: ScenarioSpec }>,
  sweepFile: string,
  cache: InputCache,
): SweepInputs {
  const files = new Set<string>();
  for (const { scenarioFile, spec } of scenarios) {
    files.add(scenarioFile);
    for (const f of scenarioFiles(spec, scenarioFile, cache)) files.add(f);
  }
  const out: SweepInputs = {};
  for (const f of [...files].sort()) out[inputKey(f, sweepFile)] = cache.hashes.hash(f);
  return out;
}

/** Whether `inputs` (from a sweep.json) are content hashes; those of earlier versions held sizes. */
export function inputsByContent(inputs: unknown): inputs is SweepInputs {
  return (
    inputs !== null &&
    typeof inputs === "object" &&
    !Array.isArray(inputs) &&
    Object.values(inputs).every((v) => v === null || (typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v)))
  );
}

/**
 * The files a shard read with other content than the shards before it, sorted. A file only one of them
 * read is no disagreement: its runs alone read it.
 */
export function inputConflicts(before: SweepInputs, shard: SweepInputs): string[] {
  return Object.keys(shard)
    .filter((k) => k in before && before[k] !== shard[k])
    .sort();
}

/**
 * Whether a saved run is one its shard made from the inputs its sweep.json records: its fingerprint is
 * among those of the shard's runs (`SweepMeta.fingerprints`), so a resume of the shard would reuse it.
 * A shard directory can hold runs it did not make this time (an earlier sweep into it, another
 * shard's run before a trace changed); those are not merged.
 */
export function recordMadeFrom(rec: RunRecord, fingerprints: ReadonlySet<string>): boolean {
  return rec.fingerprint !== undefined && fingerprints.has(specHash(rec.fingerprint));
}
