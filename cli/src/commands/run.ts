import { createHash } from "node:crypto";
import { resolve } from "node:path";
import {
  DEFAULT_MMC_CLUSTER,
  type MmcClusterParams,
  runMmcCluster,
  validateMmcClusterParams,
} from "@clustersim/experiments";
import { prepareOutputDir, stableJson, writeFilesAtomically } from "@clustersim/files";
import { UserError } from "../errors.js";
import { TOOL_VERSION } from "../version.js";

export interface RunCommandOptions {
  out: string;
  seed: string;
  set: string[];
  quiet?: boolean;
}

const SCENARIO = "builtin:mmc-cluster";

/** `clustersim run`: the built-in default scenario, end to end, into --out. */
export function runCommand(options: RunCommandOptions, print: (line: string) => void): void {
  const seed = parseSeed(options.seed);
  const params = applySets({ ...DEFAULT_MMC_CLUSTER }, options.set);
  try {
    validateMmcClusterParams(params);
  } catch (err) {
    throw new UserError(`--set ${(err as Error).message}`);
  }
  const dir = resolve(options.out);
  prepareOutputDir(dir);
  const result = runMmcCluster(params, seed);
  const summary = {
    tool: "clustersim",
    version: TOOL_VERSION,
    scenario: SCENARIO,
    seed,
    specHash: specHash(params),
    spec: params,
    simTimeS: result.simTimeS,
    events: result.events,
    metrics: result.metrics,
    theory: result.theory,
  };
  const timing = {
    wallS: round(result.wallS, 4),
    eventsPerS: Math.round(result.events / Math.max(result.wallS, 1e-9)),
  };
  writeFilesAtomically(dir, { "summary.json": stableJson(summary), "timing.json": stableJson(timing) });
  if (options.quiet) return;
  const m = result.metrics;
  const t = result.theory;
  const s = (x: number) => `${x.toFixed(1)} s`;
  print(`clustersim ${TOOL_VERSION}: built-in scenario "mmc-cluster", seed ${seed}`);
  print(
    `  ${params.nodes} nodes, ${pct(params.utilisation)} load, mean task ${params.meanRunS} s, ${params.durationS / 3600} h simulated (first ${params.warmupS / 3600} h warm-up)`,
  );
  print(
    `  tasks: ${fmt(m.tasksSubmitted)} submitted, ${fmt(m.tasksCompleted)} completed, ${fmt(m.tasksMeasured)} measured`,
  );
  print(
    `  wait:  mean ${s(m.waitMeanS)} (95% CI ${m.waitMeanCi95LowS.toFixed(1)}–${s(m.waitMeanCi95HighS)}), p95 ${s(m.waitP95S)}, p99 ${s(m.waitP99S)}`,
  );
  print(`         Erlang C: mean ${s(t.waitMeanS)}, p95 ${s(t.waitP95S)}, p99 ${s(t.waitP99S)}`);
  const covered = m.waitMeanCi95LowS <= t.waitMeanS && t.waitMeanS <= m.waitMeanCi95HighS;
  print(
    covered
      ? "         Erlang C's mean lies inside this run's 95% interval"
      : "         Erlang C's mean lies outside this run's 95% interval, as it does for about 1 seed in 20 (--seed N)",
  );
  print(
    `  tasks that waited: ${pct(m.probWait)} (Erlang C: ${pct(t.probWait)});  utilisation ${pct(m.utilisation)} (theory ${pct(t.utilisation)})`,
  );
  print(`  ${fmt(result.events)} events in ${result.wallS.toFixed(2)} s (${fmt(timing.eventsPerS)} events/s)`);
  print(`Results: ${dir}/summary.json (simulated results), ${dir}/timing.json (wall-clock timing)`);
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed)) {
    throw new UserError(`--seed: expected a non-negative integer, found "${text}"`);
  }
  return seed;
}

function applySets(params: MmcClusterParams, sets: string[]): MmcClusterParams {
  const known = Object.keys(DEFAULT_MMC_CLUSTER) as Array<keyof MmcClusterParams>;
  for (const assignment of sets) {
    const eq = assignment.indexOf("=");
    const key = assignment.slice(0, eq) as keyof MmcClusterParams;
    const text = assignment.slice(eq + 1);
    if (eq <= 0) throw new UserError(`--set: expected key=value, found "${assignment}"`);
    if (!known.includes(key)) {
      throw new UserError(`--set: unknown parameter "${key}"; expected one of ${known.join(", ")}`);
    }
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value)) {
      throw new UserError(`--set ${key}: expected a number, found "${text}"`);
    }
    params[key] = value;
  }
  return params;
}

/** SHA-256 of the parameters as canonical JSON (keys sorted), so equal specs hash alike. */
function specHash(params: MmcClusterParams): string {
  const canonical = JSON.stringify(params, Object.keys(params).sort());
  return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}

const fmt = (x: number) => x.toLocaleString("en-US");
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const round = (x: number, digits: number) => Number(x.toFixed(digits));
