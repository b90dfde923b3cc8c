import { expectHeader, FieldReader, splitCsv } from "../fields.js";
import { readLines } from "../read-lines.js";
import { TraceError } from "../trace-error.js";

/**
 * A service's offered rate per interval, read from an earlier run's `services.csv` (a predictive
 * autoscaler's history, as AHPA and Crane read weeks of metrics before they forecast). Each row's
 * `arrivalsPerS` is the requests that arrived per second since the service's row before (callers'
 * calls included: what the HPA's offered-rate metric counts), so a row at t covers (t', t], t' the row
 * before's time (0 for the first). An interval's value is the mean over the rows that cover it,
 * weighted by the time each covers. Every row must lie within one interval, and the rows must cover
 * every interval whole: a gap read as 0 would teach the forecaster a lull that never was, and a part
 * interval at the end would shift every season against the run's.
 */
export interface ServiceHistory {
  /** Requests per second per interval, oldest first. */
  ratePerS: number[];
  /** The services the file holds, in the order met (for messages). */
  services: string[];
}

const COLUMNS = ["timeS", "service", "arrivalsPerS"] as const;

export async function loadServiceHistory(file: string, service: string, intervalS: number): Promise<ServiceHistory> {
  const sums: number[] = [];
  const services = new Set<string>();
  let at: number[] = [];
  let f = new FieldReader(file, COLUMNS);
  let lastS = 0;
  let before = 0; // the service's row before: its time
  let lineNo = 0;
  for await (const [line, n] of readLines(file)) {
    lineNo = n;
    if (at.length === 0) {
      const header = splitCsv(line).map((c) => c.trim());
      expectHeader(file, header.slice(0, 2), COLUMNS.slice(0, 2));
      at = COLUMNS.map((c) => header.indexOf(c));
      f = new FieldReader(file, header);
      if (at[2] < 0) {
        f.line = n;
        f.fail("header", "a column arrivalsPerS (a services.csv of this version)", JSON.stringify(line.slice(0, 200)));
      }
      continue;
    }
    if (line.trim() === "") continue;
    f.begin(splitCsv(line), n, at[2] + 1);
    const t = f.nonNegative(at[0]);
    if (t < lastS) f.fail("timeS", `a time not before the previous row's (${lastS})`, String(t));
    lastS = t;
    const name = f.text(at[1]);
    services.add(name);
    if (name !== service || t === 0) continue;
    if (f.text(at[2]) === "") {
      f.fail(
        "arrivalsPerS",
        "a number (a run writes none for rows off its service ticks: outputs.timeseriesInterval a whole number of them)",
        "an empty field",
      );
    }
    const rate = f.nonNegative(at[2]);
    const k = Math.max(0, Math.ceil(t / intervalS - 1e-9) - 1);
    if (before < k * intervalS - 1e-9) {
      f.fail(
        "timeS",
        `rows of ${service} within one interval of ${intervalS} s each (outputs.timeseriesInterval dividing the interval)`,
        `(${before}, ${t}] across ${k * intervalS}`,
      );
    }
    while (sums.length <= k) sums.push(0);
    sums[k] += rate * (t - before);
    before = t;
  }
  if (at.length === 0) throw new TraceError(file, 1, "header", COLUMNS.join(","), "an empty file");
  if (sums.length === 0) {
    const found = `none after t = 0 (the file holds ${[...services].join(", ") || "no rows"})`;
    throw new TraceError(file, 0, "service", `rows of service ${JSON.stringify(service)}`, found);
  }
  if (before < sums.length * intervalS - 1e-9) {
    throw new TraceError(
      file,
      lineNo,
      "timeS",
      `rows of ${service} to the end of an interval of ${intervalS} s`,
      `the last at ${before} s, within (${(sums.length - 1) * intervalS}, ${sums.length * intervalS}]`,
    );
  }
  return { ratePerS: sums.map((s) => s / intervalS), services: [...services] };
}
