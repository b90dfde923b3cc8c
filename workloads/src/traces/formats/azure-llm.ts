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
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const whole = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2023-13-45 99:17 over into 2024; a time that does not exist is no time.
  const back = new Date(whole);
  const exists =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s;
  if (!exists) return NaN;
  return whole / 1000 + (m[7] ? Number(`0.${m[7]}`) : 0);
}

export function loadAzureLlm(file: string, options: LoadOptions = {}): AsyncGenerator<LlmRequest> {
  let origin = NaN;
  let last = -Infinity;
  let lastText = "";
  return csvRows(
    file,
    {
      header: HEADER,
      minCells: 3,
      parse: (f) => {
        const t = parseTimestamp(f.text(0));
        if (Number.isNaN(t)) f.fail("TIMESTAMP", "a time like 2023-11-16 18:17:03.9799600", JSON.stringify(f.text(0)));
        if (t < last) f.fail("TIMESTAMP", `a time not before the previous request's (${lastText})`, f.text(0));
        last = t;
        lastText = f.text(0);
        if (Number.isNaN(origin)) origin = t;
        return { arrivalS: t - origin, contextTokens: f.wholeNumber(1), generatedTokens: f.wholeNumber(2) };
      },
    },
    options,
  );
}
