import { csvRows } from "../csv-rows.js";
import { TraceError } from "../trace-error.js";

/**
 * A service's offered rate per interval, read from an earlier run's `services.csv` (a predictive
 * autoscaler's history, as AHPA and Crane read weeks of metrics before they forecast). A row at time t
 * reports the tick that ended at t, so it belongs to the interval (k·I, (k+1)·I] that holds t; the
 * row at t = 0, before any tick, is skipped. An interval's value is the mean of its rows' `ratePerS`.
 * Every interval up to the last row's must hold a row, or the file is refused: an empty interval read
 * as 0 would teach the forecaster a lull that never was.
 */
export interface ServiceHistory {
  /** Requests per second per interval, oldest first. */
  ratePerS: number[];
  /** The services the file holds, in the order met (for messages). */
  services: string[];
}

const HEADER = ["timeS", "service", "ratePerS"] as const;

export async function loadServiceHistory(file: string, service: string, intervalS: number): Promise<ServiceHistory> {
  const sums: number[] = [];
  const counts: number[] = [];
  const services = new Set<string>();
  let lastS = 0;
  let lastLine = 0;
  const rows = csvRows(file, {
    header: HEADER,
    minCells: 3,
    parse: (f) => {
      const t = f.nonNegative(0);
      if (t < lastS) f.fail("timeS", `a time not before the previous row's (${lastS})`, String(t));
      lastS = t;
      lastLine = f.line;
      return { t, name: f.text(1), rate: f.nonNegative(2) };
    },
  });
  for await (const { t, name, rate } of rows) {
    services.add(name);
    if (name !== service || t === 0) continue;
    const k = Math.ceil(t / intervalS) - 1;
    while (sums.length <= k) {
      sums.push(0);
      counts.push(0);
    }
    sums[k] += rate;
    counts[k]++;
  }
  if (sums.length === 0) {
    const found = services.size ? `rows of ${[...services].join(", ")} only` : "no rows";
    throw new TraceError(file, 0, "service", `rows of service ${JSON.stringify(service)} after t = 0`, found);
  }
  const empty = counts.indexOf(0);
  if (empty >= 0) {
    throw new TraceError(
      file,
      lastLine,
      "timeS",
      `a row of ${service} in every interval of ${intervalS} s (outputs.timeseriesInterval at most the interval)`,
      `none in (${empty * intervalS}, ${(empty + 1) * intervalS}]`,
    );
  }
  return { ratePerS: sums.map((s, k) => s / counts[k]), services: [...services] };
}
