/**
 * Durations as researchers write them: "90s", "2h", "1h30m", "500ms", "1.5d", "2w", or a bare number
 * of seconds. Returns seconds, or NaN when the text is not a duration.
 */
const UNIT_S: Record<string, number> = {
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)\s*(us|µs|ms|min|s|m|h|d|w)/y;

export function parseDuration(text: string | number): number {
  if (typeof text === "number") return text >= 0 && Number.isFinite(text) ? text : NaN;
  const t = text.trim();
  if (t === "") return NaN;
  if (/^\d+(\.\d*)?$/.test(t)) return Number(t);
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < t.length) {
    PART.lastIndex = at;
    const m = PART.exec(t);
    if (!m) return NaN;
    total += Number(m[1]) * UNIT_S[m[2]];
    at = PART.lastIndex;
    while (t[at] === " ") at++;
  }
  return total;
}
