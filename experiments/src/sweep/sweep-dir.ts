import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Omission, SweepSpec } from "./sweep-spec.js";

/** A sweep directory's sweep.json: which sweep wrote it, and from what. */
export interface SweepMeta {
  /** The sweep file, absolute. */
  file: string;
  spec: SweepSpec;
  /** `SweepInputs` (content hashes); earlier versions recorded sizes here, or nothing. */
  inputs?: unknown;
  /**
   * `specHash` of each distinct run fingerprint of the runs made into the directory (its shard's), so
   * that a merge takes only the saved runs a resume would reuse. Absent before content fingerprints.
   */
  fingerprints?: string[];
  /** Fields the sweep sets that some of its scenarios do not read, left out of their runs; absent: none. */
  omitted?: Omission[];
}

/** The outputs built from a directory's runs (outputs.ts writes them), next to sweep.json and runs/. */
export const SWEEP_OUTPUTS = ["results.csv", "results.parquet", "timing.csv", "report.json", "report.md", "plots"];

/**
 * The directory's sweep.json: parsed with its text, undefined when there is none, "unreadable" when
 * it is no sweep's (damaged, or some other file of that name).
 */
export function readSweepMeta(dir: string): { meta: SweepMeta; text: string } | "unreadable" | undefined {
  const path = join(dir, "sweep.json");
  if (!existsSync(path)) return undefined;
  try {
    const text = readFileSync(path, "utf8");
    const meta = JSON.parse(text) as SweepMeta;
    if (typeof meta?.file !== "string" || typeof meta.spec !== "object" || meta.spec === null) return "unreadable";
    return { meta, text };
  } catch {
    return "unreadable";
  }
}

/**
 * Remove the outputs built from the directory's runs. Done before a sweep.json of another sweep
 * definition is written, so that sweep.json and results.csv never describe two different sweeps, not
 * even when the sweep stops before building its own outputs.
 */
export function removeOutputs(dir: string): void {
  for (const name of SWEEP_OUTPUTS) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Remove what a sweep wrote into `dir` (and only that: --out may hold other files): to start over. */
export function clearSweepDir(dir: string): void {
  removeOutputs(dir);
  for (const name of ["sweep.json", "runs"]) rmSync(join(dir, name), { recursive: true, force: true });
}
