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
}

/** Every run record saved in a sweep directory, by run id. */
export function readRunRecords(dir: string): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  const runsDir = join(dir, "runs");
  if (!existsSync(runsDir)) return out;
  for (const f of readdirSync(runsDir)) {
    if (!f.endsWith(".json")) continue;
    try {
      const rec = JSON.parse(readFileSync(join(runsDir, f), "utf8")) as RunRecord;
      out.set(rec.id, rec);
    } catch {
      // a half-written record cannot exist (records are renamed into place); ignore stray files
    }
  }
  return out;
}

export function writeRunRecord(dir: string, rec: RunRecord): void {
  const path = join(dir, "runs", `${rec.id}.json`);
  writeFileSync(`${path}.tmp`, stableJson(rec));
  renameSync(`${path}.tmp`, path);
}
