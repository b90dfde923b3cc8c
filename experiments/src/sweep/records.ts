import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stableJson } from "@clustersim/files";
import type { RunFingerprint } from "./fingerprint.js";
import type { RunOutcome } from "./report.js";

/** What a finished run leaves in DIR/runs/ID.json: enough to rebuild every output, and to resume. */
export interface RunRecord extends RunOutcome {
  run: number;
  id: string;
  wallS?: number;
  events?: number;
  heapMiB?: number;
  /** What the result depends on; a record without one (or with another) is rerun on resume. */
  fingerprint?: RunFingerprint;
  /**
   * SHA-256 of the record's own content (stableJson without this field), written with it: a record
   * edited or damaged since (a summary figure changed by hand) no longer matches, and is not trusted.
   */
  digest?: string;
}

/** The digest a record is written with: SHA-256 of its content without the digest. */
export function recordDigest(rec: RunRecord): string {
  const { digest: _, ...content } = rec;
  return `sha256:${createHash("sha256").update(stableJson(content)).digest("hex")}`;
}

/** Why a record read from a file cannot be trusted, if it cannot. */
function untrusted(rec: unknown, file: string): string | undefined {
  if (rec === null || typeof rec !== "object") return "not a run record";
  const r = rec as RunRecord;
  if (typeof r.id !== "string" || `${r.id}.json` !== file) return `expected a record of run ${file.slice(0, -5)}`;
  if (typeof r.ok !== "boolean") return "expected ok: true or false";
  if (r.digest === undefined) return "it has no digest (an earlier version wrote it)";
  if (r.digest !== recordDigest(r))
    return "its content does not match its digest (edited or damaged since it was written)";
  return undefined;
}

/**
 * Every run record saved in a sweep directory that can be trusted, by run id. A record that cannot (not
 * JSON, not a run's, edited or damaged since written) is left out, as if the run had not been made:
 * a resume runs it again, a merge counts it missing; `onUntrusted` hears of each (a merge says which).
 */
export function readRunRecords(dir: string, onUntrusted?: (path: string, why: string) => void): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  const runsDir = join(dir, "runs");
  if (!existsSync(runsDir)) return out;
  for (const f of readdirSync(runsDir)) {
    if (!f.endsWith(".json")) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(readFileSync(join(runsDir, f), "utf8"));
    } catch {
      // Records are renamed into place whole: one that does not parse was damaged or put there.
      onUntrusted?.(join(runsDir, f), "not JSON");
      continue;
    }
    const why = untrusted(rec, f);
    if (why === undefined) out.set((rec as RunRecord).id, rec as RunRecord);
    else onUntrusted?.(join(runsDir, f), why);
  }
  return out;
}

export function writeRunRecord(dir: string, rec: RunRecord): void {
  const path = join(dir, "runs", `${rec.id}.json`);
  writeFileSync(`${path}.tmp`, stableJson({ ...rec, digest: recordDigest(rec) }));
  renameSync(`${path}.tmp`, path);
}
