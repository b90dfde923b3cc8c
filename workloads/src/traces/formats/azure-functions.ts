import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FieldReader, splitCsv } from "../fields.js";
import { readLines } from "../read-lines.js";
import { handleBadLine, type LoadOptions, TraceError } from "../trace-error.js";

/** The most invocations of one function in one minute: a run's task bound (100,000,000). */
const MAX_PER_MINUTE = 100_000_000;

/**
 * Azure Functions trace 2019 (Shahrad et al., "Serverless in the Wild", ATC'20), in both schemas found
 * in the wild:
 *   - original: `invocations.csv` (HashOwner,HashApp,HashFunction,Trigger,1..1440) with
 *     `durations.csv` and `memory.csv` beside it;
 *   - minute columns: `NNN_inv.csv` (HashFunction,HashOwner,HashApp,minute_1..) with `NNN_run.csv`
 *     and `NNN_mem.csv` (memory per application).
 * Pass the directory or the invocations file. Invocation counts are streamed, one function at a time;
 * the per-function duration and memory tables (one row per function) are read first.
 */
export interface AzureFunction {
  owner: string;
  app: string;
  function: string;
  /** Trigger type (http, timer, queue, …); empty in the minute-column schema. */
  trigger: string;
  /** Invocations in each minute of the day. */
  perMinute: Uint32Array;
  /** Execution time statistics in milliseconds, if the durations file has the function. */
  duration?: DurationStats;
  /** Allocated memory statistics in MiB (MB in the trace), per function or per application. */
  memory?: MemoryStats;
}

export interface DurationStats {
  averageMs: number;
  count: number;
  minMs: number;
  maxMs: number;
  /** Percentiles 0, 1, 25, 50, 75, 99, 100 of the per-interval averages. */
  percentilesMs: Record<"p0" | "p1" | "p25" | "p50" | "p75" | "p99" | "p100", number>;
}

export interface MemoryStats {
  sampleCount: number;
  averageMiB: number;
  /** Percentiles 1, 5, 25, 50, 75, 95, 99, 100 of the allocated memory. */
  percentilesMiB: Record<"p1" | "p5" | "p25" | "p50" | "p75" | "p95" | "p99" | "p100", number>;
}

interface Files {
  invocations: string;
  durations?: string;
  memory?: string;
}

/** Find the three files from a directory or an invocations file. */
export function locateAzureFunctionFiles(path: string): Files {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  const names = existsSync(dir) ? readdirSync(dir) : [];
  const pick = (...candidates: Array<(n: string) => boolean>) => {
    for (const c of candidates) {
      const n = names.find(c);
      if (n) return join(dir, n);
    }
    return undefined;
  };
  const invocations = isDir
    ? pick(
        (n) => n === "invocations.csv",
        (n) => /_inv\.csv$/.test(n),
      )
    : path;
  if (!invocations) throw new TraceError(path, 0, "directory", "invocations.csv or *_inv.csv", "neither");
  const stem = basename(invocations)
    .replace(/(_inv)?\.csv$/, "")
    .replace(/^invocations$/, "");
  return {
    invocations,
    durations: pick(
      (n) => n === "durations.csv",
      (n) => n === `${stem}_run.csv`,
      (n) => /_run\.csv$/.test(n),
    ),
    memory: pick(
      (n) => n === "memory.csv",
      (n) => n === `${stem}_mem.csv`,
      (n) => /_mem\.csv$/.test(n),
    ),
  };
}

async function readTable<T>(
  file: string,
  keyCols: string[],
  valueFrom: string,
  build: (f: FieldReader, at: number) => T,
  options: LoadOptions,
): Promise<{ table: Map<string, T>; byApp: boolean }> {
  const table = new Map<string, T>();
  let header: string[] = [];
  let f = new FieldReader(file);
  let keyIdx: number[] = [];
  let at = 0;
  let byApp = false;
  for await (const [line, lineNo] of readLines(file)) {
    if (lineNo === 1) {
      header = splitCsv(line).map((c) => c.trim());
      byApp = !header.includes("HashFunction");
      keyIdx = keyCols.filter((k) => !(byApp && k === "HashFunction")).map((k) => header.indexOf(k));
      at = header.indexOf(valueFrom);
      if (keyIdx.some((i) => i < 0) || at < 0) {
        throw new TraceError(
          file,
          1,
          "header",
          `columns ${[...keyCols, valueFrom].join(", ")}`,
          header.slice(0, 6).join(","),
        );
      }
      f = new FieldReader(file, header);
      continue;
    }
    if (line.trim() === "") continue;
    try {
      f.begin(splitCsv(line), lineNo, header.length, "columns");
      table.set(keyIdx.map((i) => f.text(i)).join("/"), build(f, at));
    } catch (err) {
      handleBadLine(err, options);
    }
  }
  return { table, byApp };
}

const durationStats = (f: FieldReader, at: number): DurationStats => ({
  averageMs: f.nonNegative(at),
  count: f.wholeNumber(at + 1),
  minMs: f.nonNegative(at + 2),
  maxMs: f.nonNegative(at + 3),
  percentilesMs: {
    p0: f.nonNegative(at + 4),
    p1: f.nonNegative(at + 5),
    p25: f.nonNegative(at + 6),
    p50: f.nonNegative(at + 7),
    p75: f.nonNegative(at + 8),
    p99: f.nonNegative(at + 9),
    p100: f.nonNegative(at + 10),
  },
});

const memoryStats = (f: FieldReader, at: number): MemoryStats => ({
  sampleCount: f.wholeNumber(at),
  averageMiB: f.nonNegative(at + 1),
  percentilesMiB: {
    p1: f.nonNegative(at + 2),
    p5: f.nonNegative(at + 3),
    p25: f.nonNegative(at + 4),
    p50: f.nonNegative(at + 5),
    p75: f.nonNegative(at + 6),
    p95: f.nonNegative(at + 7),
    p99: f.nonNegative(at + 8),
    p100: f.nonNegative(at + 9),
  },
});

const KEY = ["HashOwner", "HashApp", "HashFunction"];

export async function* loadAzureFunctions(path: string, options: LoadOptions = {}): AsyncGenerator<AzureFunction> {
  const files = locateAzureFunctionFiles(path);
  const durations = files.durations
    ? await readTable(files.durations, KEY, "Average", durationStats, options)
    : undefined;
  const memory = files.memory ? await readTable(files.memory, KEY, "SampleCount", memoryStats, options) : undefined;

  const file = files.invocations;
  let f = new FieldReader(file);
  let col = { owner: 0, app: 1, fn: 2, trigger: -1, first: 4, minutes: 0 };
  for await (const [line, lineNo] of readLines(file)) {
    if (lineNo === 1) {
      const header = splitCsv(line).map((c) => c.trim());
      const at = (name: string) => header.indexOf(name);
      const first = header[4] === "1" ? 4 : header.indexOf("minute_1");
      if (at("HashOwner") < 0 || at("HashApp") < 0 || at("HashFunction") < 0 || first < 0) {
        throw new TraceError(
          file,
          1,
          "header",
          "HashOwner, HashApp, HashFunction and minute columns (1.. or minute_1..)",
          header.slice(0, 5).join(","),
        );
      }
      col = {
        owner: at("HashOwner"),
        app: at("HashApp"),
        fn: at("HashFunction"),
        trigger: at("Trigger"),
        first,
        minutes: header.length - first,
      };
      f = new FieldReader(file, header);
      continue;
    }
    if (line.trim() === "") continue;
    try {
      f.begin(splitCsv(line), lineNo, col.first + col.minutes, "columns");
      const perMinute = new Uint32Array(col.minutes);
      // Kept in 32 bits, and no minute of one function holds more calls than a run holds tasks.
      for (let m = 0; m < col.minutes; m++) perMinute[m] = f.wholeNumber(col.first + m, MAX_PER_MINUTE);
      const owner = f.text(col.owner);
      const app = f.text(col.app);
      const fn = f.text(col.fn);
      const key = `${owner}/${app}/${fn}`;
      yield {
        owner,
        app,
        function: fn,
        trigger: col.trigger >= 0 ? f.text(col.trigger) : "",
        perMinute,
        duration: durations?.table.get(key),
        memory: memory?.table.get(memory.byApp ? `${owner}/${app}` : key),
      };
    } catch (err) {
      handleBadLine(err, options);
    }
  }
}
