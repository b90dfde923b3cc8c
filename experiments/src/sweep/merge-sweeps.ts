import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError, prepareOutputDir, stableJson, writeFilesAtomically } from "@clustersim/files";
import { writeSweepOutputs } from "./outputs.js";
import { type RunRecord, readRunRecords, writeRunRecord } from "./records.js";
import { readSweepMeta, removeOutputs, type SweepMeta } from "./sweep-dir.js";
import { omissionNotes } from "./sweep-fields.js";
import { inputConflicts, inputsByContent, recordMadeFrom, type SweepInputs } from "./sweep-inputs.js";
import { lockSweepDir } from "./sweep-lock.js";
import { expandSweep } from "./sweep-spec.js";

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
    const refuse = (path: string, why: string) => {
      throw new InputError(
        `merge: ${path}: expected a run record as the sweep wrote it, found ${why}: remove it to merge without that run`,
      );
    };
    for (const rec of readRunRecords(s, refuse).values()) {
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
    ...(sweep!.omitted && { omitted: sweep!.omitted }),
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
    // The fields the sweep left out of some scenarios' runs, as its shards found them (the scenario
    // files need not be here).
    const omitted = meta.omitted ?? [];
    const runs = expandSweep(meta.spec, meta.file, omitted);
    // From the shards' runs only: records `out` held before (an earlier merge) are not evidence.
    const recs = await writeSweepOutputs(dir, meta.spec, runs, records, omissionNotes(meta.spec, omitted));
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
