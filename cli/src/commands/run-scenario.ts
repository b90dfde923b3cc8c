import { resolve } from "node:path";
import { InvariantViolation } from "@clustersim/engine";
import { specHash } from "@clustersim/experiments";
import { prepareOutputDir } from "@clustersim/files";
import { PluginFailure, runScenario, runsUserCode, SpecError } from "@clustersim/scenarios";
import { wallSeconds } from "@clustersim/sim-core";
import { TraceError } from "@clustersim/workloads";
import { ChecksFailed, UserError } from "../errors.js";
import { positiveSeconds } from "../seconds-option.js";
import { TOOL_VERSION } from "../version.js";
import { DEFAULT_PLUGIN_HEAP_MIB, runInWorker } from "./run-in-worker.js";
import { RunOutputs } from "./run-outputs.js";
import type { RunScenarioOptions } from "./run-scenario-options.js";
import { readScenario } from "./scenario-files.js";
import { serviceTable } from "./service-table.js";

/** Runs of at most this many services print a line per service. */
const MAX_TABLE_SERVICES = 20;

export type { RunScenarioOptions } from "./run-scenario-options.js";

/**
 * `clustersim run SCENARIO`: the scenario end to end into --out: summary.json (simulated results,
 * byte-identical for the same spec and seed), timing.json (wall clock), tasks.csv (one row per
 * finished task, streamed) and, when the scenario asks for them, decisions.jsonl.
 */
export async function runScenarioCommand(
  file: string,
  o: RunScenarioOptions,
  print: (line: string) => void,
): Promise<void> {
  const spec = readScenario(file, o.set);
  const pluginTimeLimitS =
    o.pluginTimeLimit === undefined ? undefined : positiveSeconds("--plugin-time-limit", o.pluginTimeLimit);
  const heapMiB = o.pluginHeapLimit === undefined ? DEFAULT_PLUGIN_HEAP_MIB : heapLimit(o.pluginHeapLimit);
  const seed = o.seed === undefined ? spec.seed : parseSeed(o.seed);
  const dir = resolve(o.out ?? `results/${spec.name ?? "scenario"}`);
  prepareOutputDir(dir);
  if (runsUserCode(spec) && !o.inThisThread) return runInWorker(file, o, dir, heapMiB, print);
  const outputs = await RunOutputs.open(dir, spec);
  const showProgress = o.progress ?? (!o.quiet && process.stderr.isTTY);
  const progress = showProgress ? progressLine() : undefined;
  let result: Awaited<ReturnType<typeof runScenario>>;
  try {
    result = await runScenario(spec, file, {
      seed,
      check: o.check,
      pluginTimeLimitS,
      ...outputs.sinks(),
      onProgress: progress?.show,
    });
    progress?.done();
  } catch (err) {
    await outputs.abort();
    if (err instanceof SpecError || err instanceof TraceError) throw new UserError(err.message);
    if (err instanceof InvariantViolation || err instanceof PluginFailure) {
      process.stderr.write(`clustersim: ${err.message}\n`);
      throw new ChecksFailed(err.message);
    }
    throw err;
  }
  const summary = {
    tool: "clustersim",
    version: TOOL_VERSION,
    scenario: spec.name ?? file,
    seed,
    specHash: specHash(spec),
    ...result.summary,
  };
  const timing = {
    wallS: Number(result.wallS.toFixed(4)),
    eventsPerS: Math.round(result.events / Math.max(result.wallS, 1e-9)),
  };
  await outputs.commit(summary, timing);
  if (o.quiet) return;
  print(`clustersim ${TOOL_VERSION}: scenario "${spec.name ?? file}", scheduler ${spec.scheduler.name}, seed ${seed}`);
  printFigures(result.summary as Record<string, number>, outputs.hasServices, print);
  // One line per service, for a run of a few (a table of hundreds is for the files).
  const services = Object.keys((result.summary.services as object | undefined) ?? {}).length;
  if (services > 0 && services <= MAX_TABLE_SERVICES) for (const l of serviceTable(result.summary)) print(l);
  const swing = swingWarning(result.summary);
  if (swing) print(swing);
  print(`  ${result.events} events in ${result.wallS.toFixed(2)} s`);
  print(`Results: ${dir}/${outputs.names()}`);
  if (outputs.replay) print(`Replay: npx clustersim view ${dir}`);
}

/** A progress line on a terminal for runs that take a while: simulated time, events/s, ETA. */
function progressLine(): { show(simS: number, durS: number, events: number): void; done(): void } {
  const t0 = wallSeconds();
  let lastPrint = t0;
  let shown = false;
  return {
    show(simS, durS, events) {
      const now = wallSeconds();
      if (now - lastPrint < 0.5) return;
      lastPrint = now;
      shown = true;
      const f = durS > 0 ? simS / durS : 0;
      const eta = f > 0 ? ((now - t0) * (1 - f)) / f : NaN;
      const rate = events / Math.max(now - t0, 1e-9);
      process.stderr.write(
        `\r  simulated ${(100 * f).toFixed(0)}% (${(simS / 3600).toFixed(1)} of ${(durS / 3600).toFixed(1)} h), ${Math.round(rate).toLocaleString("en")} events/s${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ""}   `,
      );
    },
    done() {
      if (shown) process.stderr.write("\n");
    },
  };
}

/** The summary's headline figures: tasks and waits (where there are tasks), allocation, services. */
function printFigures(s: Record<string, number>, hasServices: boolean, print: (line: string) => void): void {
  const secs = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : "–");
  if (!hasServices || s.tasksSubmitted > 0) {
    print(
      `  tasks: ${s.tasksSubmitted} submitted, ${s.tasksCompleted} completed, ${s.tasksWaitingAtEnd} still waiting at the end, ${s.tasksLargerThanAnyNode} larger than any node, ${s.tasksPreempted} preempted`,
    );
    print(
      `  wait: mean ${secs(s.waitMeanS)}, p95 ${secs(s.waitP95S)}, p99 ${secs(s.waitP99S)}; bounded slowdown ${Number.isFinite(s.boundedSlowdownMean) ? s.boundedSlowdownMean.toFixed(2) : "–"}`,
    );
  }
  print(
    `  allocated: CPU ${(100 * s.cpuAllocatedFraction).toFixed(1)}%, memory ${(100 * s.memoryAllocatedFraction).toFixed(1)}%, GPU ${(100 * s.gpuAllocatedFraction).toFixed(1)}%`,
  );
  if (hasServices) {
    print(
      `  services: ${Math.round(s.serviceRequests).toLocaleString("en")} requests, mean latency ${secs(s.serviceLatencyMeanS)}, ${s.serviceSloViolationMinutes.toFixed(1)} SLO-violation minutes, ${s.serviceReplicaHours.toFixed(1)} replica-hours, CPU used ${(100 * s.cpuUsedFraction).toFixed(1)}%`,
    );
  }
  if (s.cost > 0) {
    const serverless = s.serverlessCost > 0 ? ` + ${s.serverlessCost.toFixed(2)} of serverless containers` : "";
    print(`  cost: ${s.cost.toFixed(2)} of nodes (${s.nodeHours.toFixed(1)} node-hours)${serverless}`);
  }
}

/** --plugin-heap-limit: whole MiB, from 64 (below it V8 cannot start a thread) to 1 TiB. */
function heapLimit(text: string): number {
  const mib = Number(text);
  if (!/^\d+$/.test(text) || !(mib >= 64 && mib <= 2 ** 20))
    throw new UserError(`--plugin-heap-limit: expected a whole number of MiB from 64 to 1048576, found "${text}"`);
  return mib;
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed))
    throw new UserError(`--seed: expected a non-negative integer, found "${text}"`);
  return seed;
}

/** A minute of it says the run's services are not to be read from the fluid model. */
const SWING_WARNING_S = 60;

/**
 * A warning when a fluid caller's calls swung for a minute or more (engine call-edge-tally.ts, addSent):
 * the fluid call graph's failure, should its coupling of a backlogged caller to its callees not settle.
 * Names the call edge that swung longest.
 */
export function swingWarning(summary: Record<string, unknown>): string | undefined {
  const swingS = summary.serviceCallSwingS;
  if (typeof swingS !== "number" || swingS < SWING_WARNING_S) return undefined;
  let edge = "";
  for (const [caller, figures] of Object.entries((summary.services ?? {}) as Record<string, Record<string, number>>)) {
    for (const [key, value] of Object.entries(figures)) {
      if (key.startsWith("callSwingS_") && value === swingS && !edge)
        edge = `from ${caller} to ${key.slice("callSwingS_".length)}`;
    }
  }
  return (
    `  warning: the calls ${edge} swung for ${Math.round(swingS)} s (a caller with a backlog and its callee trading ` +
    "places tick by tick, which the fluid latency model's coupling of the two did not settle: docs/guide/services.md, " +
    '"Call graphs"); read latency from `latency: per-request` for these services'
  );
}
