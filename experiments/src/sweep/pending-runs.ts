import { checkScenario, loadScenarioFile, runsUserCode, type ScenarioSpec, SpecError } from "@clustersim/scenarios";
import { TraceError } from "@clustersim/workloads";
import { type InputCache, type RunFingerprint, sameFingerprint, specFingerprint } from "./fingerprint.js";
import type { RunRecord } from "./records.js";
import type { SweepRun } from "./sweep-spec.js";

// Which of a sweep's runs to do: their scenarios loaded once each, checked before running, stale ones found.

/** A run to do: its run, validated scenario and fingerprint. */
export interface PendingRun {
  run: SweepRun;
  scenario: ScenarioSpec;
  fingerprint: RunFingerprint;
}

/**
 * Each run's validated scenario and fingerprint. Runs differing only in seed share a scenario and
 * overrides, hence a validated spec and a fingerprint: each is loaded once here, and the spec is handed
 * to the workers with each run. Every combination is validated before any runs: a misspelt scheduler
 * or parameter stops the sweep at once (exit 2, nothing run), naming each run it would have broken.
 */
export function loadRunSpecs(
  mine: readonly SweepRun[],
  file: string,
  version: string,
  cache: InputCache,
): Omit<PendingRun, "run">[] {
  const byScenario = new Map<string, Omit<PendingRun, "run">>();
  const problems: string[] = [];
  const loaded = mine.map((r) => {
    const key = JSON.stringify([r.scenarioFile, r.overrides]);
    let l = byScenario.get(key);
    if (!l) {
      try {
        const scenario = loadScenarioFile(r.scenarioFile, r.overrides);
        l = { scenario, fingerprint: specFingerprint(scenario, r.scenarioFile, version, cache) };
        byScenario.set(key, l);
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        if (!problems.some((p) => p.startsWith(`${key}\u0000`))) {
          problems.push(...err.problems.map((p) => `${key}\u0000${file}: run ${r.id} (${r.scenarioFile}): ${p}`));
        }
      }
    }
    return l;
  });
  if (problems.length > 0) throw new SpecError(problems.map((p) => p.slice(p.indexOf("\u0000") + 1)));
  return loaded as Omit<PendingRun, "run">[];
}

/**
 * The pending runs' scenarios as their runs would take them up to the first event (compiled and
 * assembled: files read, the cluster built, the run's parts made), each distinct one once: a problem
 * any of them has stops the sweep before it runs anything (exit 2), rather than failing every run of
 * it. Scenarios with user code (a strategy, controller or autoscaler plug-in) are left to their runs:
 * that code runs in the workers, where a crash or a hang costs one run, not the sweep's process.
 */
export async function checkBeforeRunning(
  todo: readonly PendingRun[],
  file: string,
  pluginTimeLimitS?: number,
): Promise<void> {
  const seen = new Set<ScenarioSpec>();
  const problems: string[] = [];
  for (const p of todo) {
    if (seen.has(p.scenario) || runsUserCode(p.scenario)) continue;
    seen.add(p.scenario);
    try {
      await checkScenario(p.scenario, p.run.scenarioFile, { pluginTimeLimitS });
    } catch (err) {
      if (!(err instanceof SpecError || err instanceof TraceError)) throw err;
      const lines = err instanceof SpecError ? err.problems : [err.message];
      problems.push(...lines.map((l) => `${file}: run ${p.run.id} (${p.run.scenarioFile}): ${l}`));
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
}

/** The runs without a successful record, and those whose record is stale (its fingerprint changed). */
export function pendingRuns(
  mine: readonly SweepRun[],
  loaded: readonly Omit<PendingRun, "run">[],
  done: ReadonlyMap<string, RunRecord>,
): { todo: PendingRun[]; stale: number } {
  let stale = 0;
  const todo = mine.flatMap((r, i) => {
    const { scenario, fingerprint } = loaded[i];
    const rec = done.get(r.id);
    if (rec?.ok !== true) return [{ run: r, scenario, fingerprint }];
    if (sameFingerprint(rec.fingerprint, fingerprint)) return [];
    stale++;
    return [{ run: r, scenario, fingerprint }];
  });
  return { todo, stale };
}
