import { EVENT_CODES, READABLE_VERSIONS, REPLAY_FORMAT, type ReplayEvent, type ReplayHeader } from "./format.js";

export class ReplayFormatError extends Error {}

/** A value from the file as a message quotes it: briefly (a hostile file's format may be 100 MB long). */
function found(v: unknown): string {
  const s = typeof v === "string" && v.length > 60 ? `${v.slice(0, 60)}…` : v;
  return typeof s === "object" && s !== null ? (Array.isArray(s) ? "an array" : "an object") : JSON.stringify(s);
}

/** Parse and check a replay's header line: the format's name and a version this reader knows. */
export function readHeader(line: string): ReplayHeader {
  let h: Partial<ReplayHeader>;
  try {
    h = JSON.parse(line);
  } catch {
    throw new ReplayFormatError("line 1: expected the replay header (a JSON object), found text that is not JSON");
  }
  if (h === null || typeof h !== "object" || h.format !== REPLAY_FORMAT) {
    throw new ReplayFormatError(`line 1: expected format "${REPLAY_FORMAT}", found ${found(h?.format)}`);
  }
  if (!READABLE_VERSIONS.includes(h.version as number)) {
    throw new ReplayFormatError(
      `line 1: expected version ${READABLE_VERSIONS.join(" or ")}, found ${found(h.version)} (a newer clustersim wrote it?)`,
    );
  }
  if (!Array.isArray(h.nodes) || !Array.isArray(h.groups)) {
    throw new ReplayFormatError("line 1: expected the header's nodes and groups arrays");
  }
  return h as ReplayHeader;
}

/** Parse one event line (`lineNo` for messages). */
export function readEvent(line: string, lineNo: number): ReplayEvent {
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch {
    throw new ReplayFormatError(`line ${lineNo}: expected an event (a JSON array), found text that is not JSON`);
  }
  if (!Array.isArray(e) || typeof e[0] !== "number" || !EVENT_CODES.includes(e[1])) {
    throw new ReplayFormatError(
      `line ${lineNo}: expected [timeS, code, ...] with a known code, found ${line.slice(0, 80)}`,
    );
  }
  return e as ReplayEvent;
}

/** A whole replay from its text: header and events. */
export function readReplay(text: string): { header: ReplayHeader; events: ReplayEvent[] } {
  const lines = text.split("\n").filter((l) => l.length > 0);
  if (lines.length === 0) throw new ReplayFormatError("line 1: expected the replay header, found an empty file");
  const header = readHeader(lines[0]);
  const events = lines.slice(1).map((l, i) => readEvent(l, i + 2));
  return { header, events };
}
