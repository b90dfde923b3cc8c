import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileFields, loadScenarioFile, type ScenarioSpec } from "@clustersim/scenarios";
import { locateAzureFunctionFiles } from "@clustersim/workloads";
import { FileHashes } from "./file-hash.js";
import { ModuleGraph } from "./import-graph.js";

/**
 * What a run's result depends on besides its id (scenario name, scheduler, parameters, seed): the tool
 * version, the scenario as validated after the sweep's overrides, and the content of every file it
 * reads. A saved run is reused on resume only when its fingerprint equals the current one.
 */
export interface RunFingerprint {
  version: string;
  /** `specHash` of the validated scenario after overrides. */
  specHash: string;
  /**
   * Every file the run reads (`scenarioFiles`), by absolute path, sorted: `sha256:<hex>` of its content,
   * or null when it cannot be read. Records of earlier versions hold `{ size, mtimeMs }` here instead:
   * such a fingerprint equals no current one, so those runs count as stale and run again.
   */
  files: Record<string, string | null>;
}

/**
 * What fingerprints read, kept for one sweep invocation: each file is hashed once however many runs
 * read it, and each plug-in's imports are found once.
 */
export class InputCache {
  readonly hashes = new FileHashes();
  readonly modules = new ModuleGraph();
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
 * Every file a run of `spec` reads, absolute, sorted: each file `fileFields` names (scenarios'
 * schema/file-fields.ts, the one list of fields naming files), resolved against the scenario file's
 * directory; an Azure Functions trace as its up to three files; a plug-in (strategy, controller,
 * autoscaler) with the local modules it imports, transitively (`localModules`; imports of packages are
 * not followed).
 */
export function scenarioFiles(
  spec: ScenarioSpec,
  scenarioFile: string,
  cache: InputCache = new InputCache(),
): string[] {
  const base = dirname(scenarioFile);
  const out: string[] = [];
  for (const f of fileFields(spec)) {
    const path = isAbsolute(f.path) ? f.path : resolve(base, f.path);
    if (f.kind === "plugin") out.push(...cache.modules.modules(path));
    else if (f.format === "azure-functions") out.push(...azureFunctionFiles(path));
    else out.push(path);
  }
  return [...new Set(out)].sort();
}

/** The files of an Azure Functions trace (a directory, or its invocations file, beside the others). */
function azureFunctionFiles(path: string): string[] {
  try {
    const f = locateAzureFunctionFiles(path);
    return [f.invocations, ...(f.durations ? [f.durations] : []), ...(f.memory ? [f.memory] : [])];
  } catch {
    return [path]; // no invocations file: the run fails and says so
  }
}

/** The fingerprint of one run; undefined when its scenario does not load (such a run is never reused). */
export function runFingerprint(
  scenarioFile: string,
  overrides: readonly string[],
  version: string,
  cache: InputCache = new InputCache(),
): RunFingerprint | undefined {
  let spec: ScenarioSpec;
  try {
    spec = loadScenarioFile(scenarioFile, overrides);
  } catch {
    return undefined; // the worker meets the same error and records it
  }
  return specFingerprint(spec, scenarioFile, version, cache);
}

/** The fingerprint of a run of `spec`, the validated scenario of `scenarioFile` after overrides. */
export function specFingerprint(
  spec: ScenarioSpec,
  scenarioFile: string,
  version: string,
  cache: InputCache = new InputCache(),
): RunFingerprint {
  const files: RunFingerprint["files"] = {};
  for (const f of scenarioFiles(spec, scenarioFile, cache)) files[f] = cache.hashes.hash(f);
  return { version, specHash: specHash(spec), files };
}

export function sameFingerprint(a: RunFingerprint | undefined, b: RunFingerprint | undefined): boolean {
  return a !== undefined && b !== undefined && specHash(a) === specHash(b);
}
