import { readEvent } from "@clustersim/replay";
import { CODES } from "./replay-codes.js";

const CODE_OF = new Map<string, number>(CODES.map((c, i) => [c, i]));

/**
 * A replay's events as columns (time, code, numeric fields), parsed straight from the text's
 * character codes: JSON.parse per line took most of a 1M-pod replay's opening time.
 */

/** Numeric fields kept per event (the most any code has: v's seven, with its serverless replicas). */
export const FIELDS = 7;

export interface Columns {
  count: number;
  time: Float64Array;
  code: Uint8Array;
  /** FIELDS numbers per event, after time and code (null as NaN). */
  fields: Float64Array;
  /** The line of event `i` in the text, for a message (a scan of the text: not for every event). */
  lineOf(i: number): number;
}

const QUOTE = 34;
const COMMA = 44;
const OPEN = 91;
const CLOSE = 93;
const NEWLINE = 10;
/** Thrown by the fast path at a line it does not take; never escapes parseEvents. */
const NOT_COMPACT = Symbol("not the writer's compact form");

/**
 * The events of a replay's text from `start`, parsed by hand: JSON.parse on millions of short lines
 * costs most of the opening time. Each line must be `[number,"code",number|null,...]`; anything else is
 * handed to the replay package's reader for its message (with the line number).
 */
export function parseEvents(text: string, start: number): Columns {
  return new EventParser(text, start).parse();
}

/** The parser's state: the text, where it is, the line it is on, and the columns it fills. */
class EventParser {
  private cap: number;
  private time: Float64Array;
  private code: Uint8Array;
  private fields: Float64Array;
  private n = 0;
  private p: number;
  private line = 2;
  private readonly len: number;

  constructor(
    private readonly text: string,
    private readonly start: number,
  ) {
    this.cap = Math.max(1024, Math.ceil((text.length - start) / 24));
    this.time = new Float64Array(this.cap);
    this.code = new Uint8Array(this.cap);
    this.fields = new Float64Array(this.cap * FIELDS);
    this.p = start;
    this.len = text.length;
  }

  parse(): Columns {
    const { text, len } = this;
    while (this.p < len) {
      if (text.charCodeAt(this.p) === NEWLINE) {
        this.p++;
        this.line++;
        continue;
      }
      const lineStart = this.p;
      try {
        this.event();
      } catch (err) {
        if (err !== NOT_COMPACT) throw err;
        this.anyEvent(lineStart);
      }
    }
    const first = this.start;
    const lineOf = (i: number) => {
      // As parse() reads: a line that is not empty is the next event.
      let line = 2;
      let n = 0;
      for (let p = first; p < len; p++, line++) {
        if (text.charCodeAt(p) === NEWLINE) continue;
        if (n++ === i) return line;
        p = text.indexOf("\n", p);
        if (p < 0) break;
      }
      return line;
    };
    return { count: this.n, time: this.time, code: this.code, fields: this.fields, lineOf };
  }

  /** One line's event, `[time,"c",field,...]`, into the columns. */
  private event(): void {
    const text = this.text;
    if (text.charCodeAt(this.p) !== OPEN) this.notCompact();
    this.p++;
    if (this.n === this.cap) this.grow();
    const n = this.n;
    this.time[n] = this.number();
    const p = this.p;
    if (text.charCodeAt(p) !== COMMA || text.charCodeAt(p + 1) !== QUOTE || text.charCodeAt(p + 3) !== QUOTE)
      this.notCompact();
    const c = CODE_OF.get(text[p + 2]);
    if (c === undefined) this.notCompact();
    this.code[n] = c!;
    this.p += 4;
    let k = 0;
    const o = n * FIELDS;
    while (text.charCodeAt(this.p) === COMMA) {
      this.p++;
      const v = this.number();
      if (k < FIELDS) this.fields[o + k] = v;
      k++;
    }
    // Fields a line leaves out (older versions, optional trailing ones) read as NaN, not as zero.
    for (; k < FIELDS; k++) this.fields[o + k] = Number.NaN;
    if (text.charCodeAt(this.p) !== CLOSE) this.notCompact();
    this.p++;
    if (this.p < this.len && text.charCodeAt(this.p) !== NEWLINE) this.notCompact();
    this.n++;
  }

  /** A number (or null) from p; sets p past it. */
  private number(): number {
    const text = this.text;
    let p = this.p;
    const from = p;
    let c = text.charCodeAt(p);
    if (c === 110) {
      // null
      this.p = p + 4;
      return Number.NaN;
    }
    let neg = false;
    if (c === 45) {
      neg = true;
      c = text.charCodeAt(++p);
    }
    let v = 0;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = text.charCodeAt(++p);
    }
    if (c === 46) {
      // The fraction's digits as an integer, divided once (within an ulp of the decimal: a viewer's need).
      let frac = 0;
      let digits = 0;
      c = text.charCodeAt(++p);
      while (c >= 48 && c <= 57) {
        frac = frac * 10 + (c - 48);
        digits++;
        c = text.charCodeAt(++p);
      }
      v += frac / 10 ** digits;
    }
    if (c === 101 || c === 69 || p === from || v > 2 ** 53) {
      // Exponents and huge values: the exact conversion.
      while (p < this.len && text.charCodeAt(p) !== COMMA && text.charCodeAt(p) !== CLOSE) p++;
      v = Math.abs(Number(text.slice(from, p)));
      // Number() reads "" and spaces as 0: an empty field is no number.
      if (Number.isNaN(v) || text.slice(from, p).trim() === "") this.notCompact();
    }
    this.p = p;
    return neg ? -v : v;
  }

  private grow(): void {
    this.cap *= 2;
    const t2 = new Float64Array(this.cap);
    t2.set(this.time);
    this.time = t2;
    const c2 = new Uint8Array(this.cap);
    c2.set(this.code);
    this.code = c2;
    const f2 = new Float64Array(this.cap * FIELDS);
    f2.set(this.fields);
    this.fields = f2;
  }

  /** A line not in the writer's compact form: read again as any JSON (anyEvent). */
  private notCompact(): never {
    throw NOT_COMPACT;
  }

  /**
   * A line read as JSON, for one the fast path does not take (spaces, say): an event in any valid JSON
   * form is read; anything else gets the replay package's reader's message, or one here, with its line.
   */
  private anyEvent(lineStart: number): void {
    const end = this.text.indexOf("\n", lineStart);
    const lineEnd = end < 0 ? this.len : end;
    const line = this.text.slice(lineStart, lineEnd);
    const e = readEvent(line, this.line) as unknown[];
    const c = CODE_OF.get(e[1] as string);
    const values = e.slice(2);
    const time = e[0] as number;
    if (c === undefined || !values.every((v) => v === null || typeof v === "number"))
      throw new Error(
        `line ${this.line}: expected an event [timeS, code, numbers or null...], found ${line.slice(0, 80)}`,
      );
    if (this.n === this.cap) this.grow();
    const n = this.n;
    this.time[n] = time;
    this.code[n] = c;
    for (let k = 0; k < FIELDS; k++) {
      const v = values[k];
      this.fields[n * FIELDS + k] = typeof v === "number" ? v : Number.NaN;
    }
    this.n++;
    this.p = lineEnd;
  }
}
