import { TRACE_FORMAT_NAMES, TRACE_FORMATS } from "./formats.js";
import { type BadLinePolicy, newLoadReport } from "./trace-error.js";

export interface ResourceStats {
  total: number;
  mean: number;
  max: number;
}

export interface TraceStats {
  format: string;
  records: number;
  /** Earliest and latest record time in seconds; null when the format has no times. */
  firstS: number | null;
  lastS: number | null;
  /** Per resource: total, mean and max of the requests over the records that have it. */
  resources: Record<string, ResourceStats>;
  /** Lines dropped in `skip` mode. */
  dropped: number;
  [extra: string]: unknown;
}

export class UnknownFormatError extends Error {
  constructor(format: string) {
    super(`--format: expected one of ${TRACE_FORMAT_NAMES.join(", ")}, found "${format}"`);
  }
}

/** One streaming pass over a trace: counts, time range and request statistics. */
export async function traceStats(format: string, path: string, onBadLine: BadLinePolicy = "fail"): Promise<TraceStats> {
  const spec = TRACE_FORMATS[format];
  if (!spec) throw new UnknownFormatError(format);
  const report = newLoadReport();
  const names = Object.keys(spec.resources);
  const getters = Object.values(spec.resources);
  const total = new Float64Array(names.length);
  const count = new Float64Array(names.length);
  const max = new Float64Array(names.length).fill(-Infinity);
  const extra = spec.extra?.();
  let records = 0;
  let first = Infinity;
  let last = -Infinity;
  for await (const r of spec.load(path, { onBadLine, report })) {
    records++;
    const t = spec.timeS ? spec.timeS(r) : NaN;
    if (t < first) first = t;
    if (t > last) last = t;
    for (let i = 0; i < getters.length; i++) {
      const x = getters[i](r);
      if (Number.isNaN(x)) continue;
      total[i] += x;
      count[i]++;
      if (x > max[i]) max[i] = x;
    }
    extra?.add(r);
  }
  const resources: Record<string, ResourceStats> = {};
  names.forEach((name, i) => {
    if (count[i] > 0) resources[name] = { total: total[i], mean: total[i] / count[i], max: max[i] };
  });
  return {
    format,
    records,
    firstS: first === Infinity ? null : first,
    lastS: last === -Infinity ? null : last,
    resources,
    dropped: report.dropped,
    ...(report.examples.length > 0 ? { droppedExamples: report.examples } : {}),
    ...extra?.result(),
  };
}
