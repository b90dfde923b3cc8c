import { readEvent } from "@clustersim/replay";
import { CODES } from "./replay-codes.js";

const CODE_OF = new Map<string, number>(CODES.map((c, i) => [c, i]));

/**
 * A replay's events as columns (time, code, numeric fields), parsed straight from the text's
 * character codes: JSON.parse per line took most of a 1M-pod replay's opening time.
 */

/** Numeric fields kept per event (the most any code has: v's six). */
export const FIELDS = 6;

export interface Columns {
  count: number;
  time: Float64Array;
  code: Uint8Array;
  /** FIELDS numbers per event, after time and code (null as NaN). */
  fields: Float64Array;
}

const QUOTE = 34;
const COMMA = 44;
const OPEN = 91;
const CLOSE = 93;
const NEWLINE = 10;

/**
 * The events of a replay's text from `start`, parsed by hand: JSON.parse on millions of short lines
 * costs most of the opening time. Each line must be `[number,"code",number|null,...]`; anything else is
 * handed to the replay package's reader for its message (with the line number).
 */
export function parseEvents(text: string, start: number): Columns {
  let cap = Math.max(1024, Math.ceil((text.length - start) / 24));
  let time = new Float64Array(cap);
  let code = new Uint8Array(cap);
  let fields = new Float64Array(cap * FIELDS);
  let n = 0;
  let p = start;
  let line = 2;
  const len = text.length;
  const bad = (from: number): never => {
    const end = text.indexOf("\n", from);
    readEvent(text.slice(from, end < 0 ? len : end), line);
    throw new Error(`line ${line}: expected an event [timeS, code, ...], found ${text.slice(from, from + 80)}`);
  };
  /** A number (or null) from p; sets p past it. */
  const number = (): number => {
    const from = p;
    let c = text.charCodeAt(p);
    if (c === 110) {
      // null
      p += 4;
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
      while (p < len && text.charCodeAt(p) !== COMMA && text.charCodeAt(p) !== CLOSE) p++;
      v = Math.abs(Number(text.slice(from, p)));
      if (Number.isNaN(v)) bad(from);
    }
    return neg ? -v : v;
  };
  while (p < len) {
    const lineStart = p;
    if (text.charCodeAt(p) === NEWLINE) {
      p++;
      line++;
      continue;
    }
    if (text.charCodeAt(p) !== OPEN) bad(lineStart);
    p++;
    if (n === cap) {
      cap *= 2;
      const t2 = new Float64Array(cap);
      t2.set(time);
      time = t2;
      const c2 = new Uint8Array(cap);
      c2.set(code);
      code = c2;
      const f2 = new Float64Array(cap * FIELDS);
      f2.set(fields);
      fields = f2;
    }
    time[n] = number();
    if (text.charCodeAt(p) !== COMMA || text.charCodeAt(p + 1) !== QUOTE || text.charCodeAt(p + 3) !== QUOTE)
      bad(lineStart);
    const c = CODE_OF.get(text[p + 2]);
    if (c === undefined) bad(lineStart);
    code[n] = c!;
    p += 4;
    let k = 0;
    const o = n * FIELDS;
    while (text.charCodeAt(p) === COMMA) {
      p++;
      const v = number();
      if (k < FIELDS) fields[o + k] = v;
      k++;
    }
    if (text.charCodeAt(p) !== CLOSE) bad(lineStart);
    p++;
    if (p < len && text.charCodeAt(p) !== NEWLINE) bad(lineStart);
    n++;
  }
  return { count: n, time, code, fields };
}
