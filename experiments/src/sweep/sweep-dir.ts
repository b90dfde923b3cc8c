import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SweepSpec } from "./sweep-spec.js";

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
}

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
