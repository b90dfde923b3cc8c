import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { loadScenarioFile, type ScenarioSpec } from "@clustersim/scenarios";
import { locateAzureFunctionFiles } from "@clustersim/workloads";

/**
 * What a run's result depends on besides its id (scenario name, scheduler, parameters, seed): the tool
 * version, the scenario as validated after the sweep's overrides, and the files it names. A saved run
 * is reused on resume only when its fingerprint equals the current one.
 */
export interface RunFingerprint {
  version: string;
  /** `specHash` of the validated scenario after overrides. */
  specHash: string;
  /** Every file the scenario names, by absolute path, sorted: size and mtime, or null when missing. */
  files: Record<string, { size: number; mtimeMs: number } | null>;
}

/** This package's version (all workspace packages share the tool's version). */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** SHA-256 of the validated spec as canonical JSON (keys sorted), so that equal specs hash alike. */
export function specHash(spec: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : Array.isArray(v)
        ? v.map(canonical)
        : v;
  return `sha256:${createHash("sha256")
    .update(JSON.stringify(canonical(spec)))
    .digest("hex")}`;
}

/**
 * The files a scenario reads, absolute: trace paths (an Azure Functions trace is up to three files),
 * `cluster.fromTrace`, `scheduler.plugin` and a trained agent's `scheduler.params.checkpoint`,
 * resolved against the scenario file's directory.
 */
export function scenarioFiles(spec: ScenarioSpec, scenarioFile: string): string[] {
  return scenarioFilesOf(spec, scenarioFile);
}

function scenarioFilesOf(spec: ScenarioSpec, scenarioFile: string): string[] {
  const base = dirname(scenarioFile);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const out: string[] = [];
  for (const w of spec.workloads) {
    if (w.type !== "trace") continue;
    const path = abs(w.path);
    if (w.format !== "azure-functions") {
      out.push(path);
      continue;
    }
    try {
      const f = locateAzureFunctionFiles(path);
      out.push(f.invocations, ...(f.durations ? [f.durations] : []), ...(f.memory ? [f.memory] : []));
    } catch {
      out.push(path); // no invocations file: the run fails and says so
    }
  }
  if (spec.cluster.fromTrace) out.push(abs(spec.cluster.fromTrace.path));
  if (spec.scheduler.plugin) out.push(abs(spec.scheduler.plugin));
  // A trained agent (rl-kernel, rl-placement): retrained at the same path, its runs are new runs.
  const checkpoint = (spec.scheduler.params as { checkpoint?: unknown } | undefined)?.checkpoint;
  if (typeof checkpoint === "string") out.push(abs(checkpoint));
  return [...new Set(out)].sort();
}

/** The fingerprint of one run; undefined when its scenario does not load (such a run is never reused). */
export function runFingerprint(
  scenarioFile: string,
  overrides: readonly string[],
  version: string,
): RunFingerprint | undefined {
  let spec: ScenarioSpec;
  try {
    spec = loadScenarioFile(scenarioFile, overrides);
  } catch {
    return undefined; // the worker meets the same error and records it
  }
  return specFingerprint(spec, scenarioFile, version);
}

/** The fingerprint of a run of `spec`, the validated scenario of `scenarioFile` after overrides. */
export function specFingerprint(spec: ScenarioSpec, scenarioFile: string, version: string): RunFingerprint {
  const files: RunFingerprint["files"] = {};
  for (const f of scenarioFiles(spec, scenarioFile)) {
    const s = statSync(f, { throwIfNoEntry: false });
    files[f] = s ? { size: s.size, mtimeMs: s.mtimeMs } : null;
  }
  return { version, specHash: specHash(spec), files };
}

export function sameFingerprint(a: RunFingerprint | undefined, b: RunFingerprint | undefined): boolean {
  return a !== undefined && b !== undefined && specHash(a) === specHash(b);
}

/**
 * What a sweep's results are made from, independent of where the files lie: for each scenario file
 * (by its path relative to the sweep file) the SHA-256 of its text, and the name and size of each
 * file it reads. Shards whose inputs differ are different experiments, whatever their sweep files say.
 */
export function sweepInputs(scenarioFiles: readonly string[], sweepFile: string): Record<string, string> {
  const base = dirname(resolve(sweepFile));
  const rel = (p: string) => (p.startsWith(`${base}/`) ? p.slice(base.length + 1) : p);
  const out: Record<string, string> = {};
  for (const file of [...new Set(scenarioFiles)].sort()) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // a missing scenario is refused before this
    }
    const parts = [createHash("sha256").update(text).digest("hex")];
    try {
      for (const f of scenarioFilesOf(loadScenarioFile(file), file)) {
        let size = "missing";
        try {
          size = String(statSync(f).size);
        } catch {
          // named in the identity as missing
        }
        parts.push(`${f.split("/").pop()}:${size}`);
      }
    } catch {
      // a scenario that does not validate: its text alone
    }
    out[rel(file)] = parts.join(" ");
  }
  return out;
}
