import { csvRows } from "../csv-rows.js";
import type { LoadOptions } from "../trace-error.js";

/**
 * Azure LLM inference trace 2023 (Patel et al., "Splitwise", ISCA'24): one request per line with its
 * timestamp and token counts. Times become seconds since the first request; timestamps must not go
 * backwards.
 */
export interface LlmRequest {
  /** Seconds since the first request of the file. */
  arrivalS: number;
  contextTokens: number;
  generatedTokens: number;
}

const HEADER = ["TIMESTAMP", "ContextTokens", "GeneratedTokens"] as const;
const STAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/** "2023-11-16 18:17:03.9799600" (UTC) to seconds since the epoch, keeping sub-second digits. */
export function parseTimestamp(text: string): number {
  const m = STAMP.exec(text);
  if (!m) return NaN;
  const whole = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  return whole + (m[7] ? Number(`0.${m[7]}`) : 0);
}

export function loadAzureLlm(file: string, options: LoadOptions = {}): AsyncGenerator<LlmRequest> {
  let origin = NaN;
  let last = -Infinity;
  return csvRows(
    file,
    {
      header: HEADER,
      minCells: 3,
      parse: (f) => {
        const t = parseTimestamp(f.text(0));
        if (Number.isNaN(t)) f.fail("TIMESTAMP", "a time like 2023-11-16 18:17:03.9799600", JSON.stringify(f.text(0)));
        if (t < last)
          f.fail("TIMESTAMP", `a time not before the previous request (${f.text(0)} goes backwards)`, f.text(0));
        last = t;
        if (Number.isNaN(origin)) origin = t;
        return { arrivalS: t - origin, contextTokens: f.wholeNumber(1), generatedTokens: f.wholeNumber(2) };
      },
    },
    options,
  );
}
