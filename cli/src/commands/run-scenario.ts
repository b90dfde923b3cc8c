import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { InvariantViolation } from "@clustersim/engine";
import { ParquetTable, specHash } from "@clustersim/experiments";
import { commitAll, prepareOutputDir, StreamingFile, stableJson, stageFiles, TEMP_SUFFIX } from "@clustersim/rl";
import {
  runScenario,
  SERVICE_COLUMNS,
  SERVICE_CSV_HEADER,
  SpecError,
  TASK_COLUMNS,
  TASK_CSV_HEADER,
  TIMESERIES_COLUMNS,
  TIMESERIES_CSV_HEADER,
} from "@clustersim/scenarios";
import { wallSeconds } from "@clustersim/sim-core";
import { TraceError } from "@clustersim/workloads";
import { ChecksFailed, UserError } from "../errors.js";
import { positiveSeconds } from "../seconds-option.js";
import { TOOL_VERSION } from "../version.js";
import { readScenario } from "./scenario-files.js";

export interface RunScenarioOptions {
  out?: string;
  seed?: string;
  set: string[];
  quiet?: boolean;
  check?: boolean;
  pluginTimeLimit?: string;
}

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
  const seed = o.seed === undefined ? spec.seed : parseSeed(o.seed);
  const dir = resolve(o.out ?? `results/${spec.name ?? "scenario"}`);
  prepareOutputDir(dir);
  const streams: StreamingFile[] = [];
  const tasks = spec.outputs.tasks ? new StreamingFile(dir, "tasks.csv", TASK_CSV_HEADER) : undefined;
  const decisions = spec.outputs.decisions ? new StreamingFile(dir, "decisions.jsonl") : undefined;
  const series = new StreamingFile(dir, "timeseries.csv", TIMESERIES_CSV_HEADER);
  const replay = spec.outputs.replay ? new StreamingFile(dir, "replay.jsonl") : undefined;
  const hasServices = spec.services.length > 0;
  const services = hasServices ? new StreamingFile(dir, "services.csv", SERVICE_CSV_HEADER) : undefined;
  // Parquet copies written row by row beside the CSV (typed columns), renamed into place with the rest.
  const tasksTmp = join(dir, `tasks.parquet${TEMP_SUFFIX}`);
  const seriesTmp = join(dir, `timeseries.parquet${TEMP_SUFFIX}`);
  const tasksParquet = tasks ? await ParquetTable.open(tasksTmp, TASK_COLUMNS) : undefined;
  const seriesParquet = await ParquetTable.open(seriesTmp, TIMESERIES_COLUMNS);
  const servicesTmp = join(dir, `services.parquet${TEMP_SUFFIX}`);
  const servicesParquet = hasServices ? await ParquetTable.open(servicesTmp, SERVICE_COLUMNS) : undefined;
  const parquets = [tasksParquet, seriesParquet, servicesParquet];
  if (replay) streams.push(replay);
  if (tasks) streams.push(tasks);
  if (decisions) streams.push(decisions);
  streams.push(series);
  if (services) streams.push(services);
  // A progress line on a terminal for runs that take a while: simulated time, events/s, ETA.
  const t0 = wallSeconds();
  let lastPrint = t0;
  let shown = false;
  const progress =
    o.quiet || !process.stderr.isTTY
      ? undefined
      : (simS: number, durS: number, events: number) => {
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
        };
  let result: Awaited<ReturnType<typeof runScenario>>;
  try {
    result = await runScenario(spec, file, {
      seed,
      check: o.check,
      pluginTimeLimitS,
      onTaskRow: tasks ? (l) => tasks.line(l) : undefined,
      onDecision: decisions ? (l) => decisions.line(l) : undefined,
      onTimeseriesRow: (l) => series.line(l),
      onTaskValues: tasksParquet ? (v) => tasksParquet.row(v) : undefined,
      onTimeseriesValues: (v) => seriesParquet.row(v),
      onServiceRow: services ? (l) => services.line(l) : undefined,
      onServiceValues: servicesParquet ? (v) => servicesParquet.row(v) : undefined,
      onReplayLine: replay ? (l) => replay.line(l) : undefined,
      onProgress: progress,
    });
    if (shown) process.stderr.write("\n");
  } catch (err) {
    for (const s of streams) s.abort();
    for (const p of parquets) await p?.abort();
    if (err instanceof SpecError || err instanceof TraceError) throw new UserError(err.message);
    if (err instanceof InvariantViolation) {
      process.stderr.write(`clustersim: ${err.message}\n`);
      throw new ChecksFailed(err.message);
    }
    throw err;
  }
  try {
    for (const s of streams) s.close();
    for (const p of parquets) await p?.close();
  } catch (err) {
    for (const s of streams) s.abort();
    for (const p of parquets) await p?.abort();
    throw err;
  }
  const parquetTmp: [string, string][] = [[seriesTmp, join(dir, "timeseries.parquet")]];
  if (tasksParquet) parquetTmp.push([tasksTmp, join(dir, "tasks.parquet")]);
  if (servicesParquet) parquetTmp.push([servicesTmp, join(dir, "services.parquet")]);
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
  // Every file of the run in one commit: summary and timing with the streamed tables. If staging or
  // the commit fails (a full disk), what is not committed is removed.
  try {
    const staged = stageFiles(dir, { "summary.json": stableJson(summary), "timing.json": stableJson(timing) });
    commitAll(streams, [...parquetTmp, ...staged]);
  } catch (err) {
    for (const s of streams) s.abort();
    for (const [tmp] of parquetTmp) rmSync(tmp, { force: true });
    throw err;
  }
  if (o.quiet) return;
  const s = result.summary as Record<string, number>;
  const secs = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : "–");
  print(`clustersim ${TOOL_VERSION}: scenario "${spec.name ?? file}", scheduler ${spec.scheduler.name}, seed ${seed}`);
  if (!hasServices || s.tasksSubmitted > 0) {
    print(
      `  tasks: ${s.tasksSubmitted} submitted, ${s.tasksCompleted} completed, ${s.tasksWaitingAtEnd} still waiting at the end, ${s.tasksLargerThanAnyNode} larger than any node, ${s.tasksPreempted} preempted`,
    );
    print(
      `  wait: mean ${secs(s.waitMeanS)}, p95 ${secs(s.waitP95S)}, p99 ${secs(s.waitP99S)}; bounded slowdown ${s.boundedSlowdownMean.toFixed(2)}`,
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
  print(`  ${result.events} events in ${result.wallS.toFixed(2)} s`);
  print(
    `Results: ${dir}/summary.json, timing.json${tasks ? ", tasks.csv, tasks.parquet" : ""}, timeseries.csv, timeseries.parquet${hasServices ? ", services.csv, services.parquet" : ""}${decisions ? ", decisions.jsonl" : ""}${replay ? ", replay.jsonl" : ""}`,
  );
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed))
    throw new UserError(`--seed: expected a non-negative integer, found "${text}"`);
  return seed;
}
