import { FieldReader } from "../fields.js";
import { readLines } from "../read-lines.js";
import { handleBadLine, type LoadOptions } from "../trace-error.js";

/**
 * Standard Workload Format (Feitelson et al., Parallel Workloads Archive): one job per line, 18
 * whitespace-separated fields, -1 where a value is unknown; header comments `; Key: value`.
 * Plain `.swf` or gzip-compressed `.swf.gz`, streamed.
 */
export interface SwfJob {
  id: number;
  /** Submit time, seconds from the start of the log. */
  submitS: number;
  /** Wait time as logged, seconds; NaN where unknown. */
  waitS: number;
  /** Run time, seconds; NaN where unknown. */
  runS: number;
  /** Processors allocated; NaN where unknown. */
  procs: number;
  /** Processors requested; NaN where unknown. */
  reqProcs: number;
  /** Requested (estimated) run time, seconds; NaN where unknown. */
  reqTimeS: number;
  /** Requested memory per processor, KiB; NaN where unknown. */
  reqMemKiB: number;
  /** Used memory per processor, KiB; NaN where unknown. */
  usedMemKiB: number;
  /** 1 completed, 0 failed, 5 cancelled, …; -1 unknown. */
  status: number;
  /** User, group and executable numbers; -1 unknown. */
  user: number;
  group: number;
  executable: number;
  queue: number;
  partition: number;
}

/** The header comments of an SWF file (`MaxNodes`, `MaxProcs`, `UnixStartTime`, …), as found. */
export type SwfHeader = Record<string, string>;

const FIELD_NAMES = [
  "job number",
  "submit time",
  "wait time",
  "run time",
  "allocated processors",
  "average CPU time",
  "used memory",
  "requested processors",
  "requested time",
  "requested memory",
  "status",
  "user id",
  "group id",
  "executable",
  "queue",
  "partition",
  "preceding job",
  "think time",
];

/** Read the `; Key: value` header lines at the top of an SWF file. */
export async function readSwfHeader(file: string): Promise<SwfHeader> {
  const header: SwfHeader = {};
  for await (const [line] of readLines(file)) {
    const t = line.trim();
    if (t === "") continue;
    if (!t.startsWith(";")) break;
    const m = /^;\s*([A-Za-z][\w ]*?)\s*:\s*(.*)$/.exec(t);
    if (m && !(m[1] in header)) header[m[1]] = m[2].trim();
  }
  return header;
}

/** A header value as a positive integer, or undefined when absent or not a number. */
export function headerInt(header: SwfHeader, key: string): number | undefined {
  const v = Number(header[key]);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

const unknown = (x: number) => (x === -1 ? NaN : x);

export async function* loadSwf(file: string, options: LoadOptions = {}): AsyncGenerator<SwfJob> {
  const f = new FieldReader(file, FIELD_NAMES);
  let lastSubmit = -Infinity;
  for await (const [line, lineNo] of readLines(file)) {
    const t = line.trim();
    if (t === "" || t.startsWith(";")) continue;
    try {
      f.begin(t.split(/\s+/), lineNo, 18);
      for (let i = 0; i < 18; i++) {
        const x = f.number(i);
        if (x < 0 && x !== -1) f.fail(FIELD_NAMES[i], "a number >= 0 or -1 (unknown)", String(x));
      }
      const submitS = f.number(1);
      if (submitS < 0) f.fail("submit time", "a number >= 0", String(submitS));
      if (submitS < lastSubmit) f.fail("submit time", `a time >= the previous job's (${lastSubmit})`, String(submitS));
      lastSubmit = submitS;
      yield {
        id: f.number(0),
        submitS,
        waitS: unknown(f.number(2)),
        runS: unknown(f.number(3)),
        procs: unknown(f.number(4)),
        reqProcs: unknown(f.number(7)),
        reqTimeS: unknown(f.number(8)),
        reqMemKiB: unknown(f.number(9)),
        usedMemKiB: unknown(f.number(6)),
        status: f.number(10),
        user: f.number(11),
        group: f.number(12),
        executable: f.number(13),
        queue: f.number(14),
        partition: f.number(15),
      };
    } catch (err) {
      handleBadLine(err, options);
    }
  }
}
