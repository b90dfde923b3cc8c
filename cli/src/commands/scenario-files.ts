import { once } from "node:events";
import { dirname } from "node:path";
import { Sweep } from "@clustersim/experiments";
import {
  checkScenario,
  composeWorkload,
  loadScenarioFile,
  missingFiles,
  type ScenarioSpec,
  SpecError,
  scenarioJsonSchema,
} from "@clustersim/scenarios";
import { TraceError } from "@clustersim/workloads";
import { z } from "zod";
import { UserError } from "../errors.js";
import { positiveSeconds } from "../seconds-option.js";

/** Load and validate a scenario file, turning every problem into one UserError (exit 2). */
export function readScenario(file: string, overrides: readonly string[] = []): ScenarioSpec {
  let spec: ScenarioSpec;
  try {
    spec = loadScenarioFile(file, overrides);
  } catch (err) {
    if (err instanceof SpecError) throw new UserError(err.message);
    throw err;
  }
  const missing = missingFiles(spec, file);
  if (missing.length > 0) throw new UserError(missing.join("\n"));
  return spec;
}

/** `clustersim validate FILE`: check a scenario; say what it holds. */
export async function validateCommand(
  file: string,
  print: (line: string) => void,
  o: { pluginTimeLimit?: string } = {},
): Promise<void> {
  const spec = readScenario(file);
  const limitS =
    o.pluginTimeLimit === undefined ? undefined : positiveSeconds("--plugin-time-limit", o.pluginTimeLimit);
  // Everything run does before its first event: plug-ins loaded, files read, the run assembled.
  try {
    await checkScenario(spec, file, { pluginTimeLimitS: limitS });
  } catch (err) {
    if (err instanceof SpecError || err instanceof TraceError) throw new UserError(err.message);
    throw err;
  }
  const nodes = spec.cluster.nodeGroups?.reduce((n, g) => n + g.count, 0);
  print(`${file}: valid scenario${spec.name ? ` "${spec.name}"` : ""}`);
  print(
    `  cluster: ${spec.cluster.nodeGroups ? `${spec.cluster.nodeGroups.length} node group(s), ${nodes} nodes` : `nodes from ${spec.cluster.fromTrace!.format} ${spec.cluster.fromTrace!.path}`}`,
  );
  if (spec.workloads.length > 0) {
    print(
      `  workloads: ${spec.workloads.map((w) => w.type + (w.type === "trace" ? ` (${w.format})` : "")).join(", ")}`,
    );
  }
  if (spec.services.length > 0) {
    const scaled = (s: ScenarioSpec["services"][number]) =>
      s.autoscaler === undefined
        ? ""
        : s.autoscaler.type === "plugin"
          ? ` (autoscaler ${s.autoscaler.plugin})`
          : " (HPA)";
    print(`  services: ${spec.services.map((s) => s.name + scaled(s)).join(", ")}`);
  }
  print(
    `  scheduler: ${spec.scheduler.name}${spec.scheduler.plugin ? ` (from ${spec.scheduler.plugin})` : ""}; duration ${spec.duration} s; seed ${spec.seed}`,
  );
  if (spec.controllers.length > 0) print(`  controllers: ${spec.controllers.map((c) => c.plugin).join(", ")}`);
}

/** `clustersim schema`: the scenario file's JSON Schema. */
export function schemaCommand(print: (line: string) => void, o: { sweep?: boolean } = {}): void {
  const schema = o.sweep ? z.toJSONSchema(Sweep, { io: "input", unrepresentable: "any" }) : scenarioJsonSchema();
  print(JSON.stringify(schema, null, 2));
}

const COLUMNS = [
  "id",
  "arrivalS",
  "runS",
  "cpuMilli",
  "memoryMiB",
  "gpus",
  "gpuMilli",
  "procs",
  "priority",
  "app",
  "runtime",
] as const;

/** `clustersim workload FILE`: the scenario's merged task stream as CSV (first --limit tasks). */
export async function workloadCommand(
  file: string,
  options: { limit?: string; seed?: string },
  print: (line: string) => void,
): Promise<void> {
  const spec = readScenario(file);
  const limit = options.limit === undefined ? Infinity : Number(options.limit);
  if (!(limit >= 0)) throw new UserError(`--limit: expected a number of tasks >= 0, found "${options.limit}"`);
  const seed = options.seed === undefined ? undefined : Number(options.seed);
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0))
    throw new UserError(`--seed: expected a non-negative integer, found "${options.seed}"`);
  // Lines are printed in batches: one write per line would dominate the time of a large workload.
  let batch: string[] = [COLUMNS.join(",")];
  let n = 0;
  try {
    for await (const t of composeWorkload(spec, { baseDir: dirname(file), seed })) {
      if (n++ >= limit) break;
      batch.push(
        COLUMNS.map((c) =>
          typeof t[c] === "number" ? (Number.isNaN(t[c]) ? "" : String(t[c])) : csvText(String(t[c])),
        ).join(","),
      );
      if (batch.length === 4096) {
        print(batch.join("\n"));
        batch = [];
        await outputTurn();
      }
    }
    if (batch.length > 0) print(batch.join("\n"));
  } catch (err) {
    if (err instanceof TraceError || err instanceof RangeError) throw new UserError(err.message);
    throw err;
  }
}

/**
 * A turn of the event loop after a batch, waiting for standard output to drain if its buffer is full:
 * a reader that stopped (`| head -3`) is then heard at once (main's EPIPE handler ends the process),
 * and a slow one holds the stream back rather than the whole workload piling up in memory.
 */
function outputTurn(): Promise<unknown> {
  return process.stdout.writableNeedDrain ? once(process.stdout, "drain") : new Promise(setImmediate);
}

const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
