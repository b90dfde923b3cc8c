import { TraceError } from "./trace-error.js";

/**
 * Parsing of the fields of one trace line, with errors that name the file, line and field. One
 * instance per loader, reset per line, so that no object is made per field.
 */
export class FieldReader {
  file = "";
  line = 0;
  private cells: string[] = [];
  private names: readonly string[] = [];

  constructor(file: string, names: readonly string[] = []) {
    this.file = file;
    this.names = names;
  }

  /** Start reading a line already split into cells; at least `min` cells are required. */
  begin(cells: string[], lineNo: number, min: number, what = "fields"): void {
    this.cells = cells;
    this.line = lineNo;
    if (cells.length < min) this.fail("line", `at least ${min} ${what}`, `${cells.length}`);
  }

  private name(i: number): string {
    return this.names[i] ?? `field ${i + 1}`;
  }

  fail(field: string, expected: string, found: string): never {
    throw new TraceError(this.file, this.line, field, expected, found);
  }

  /** The raw text of cell i (trimmed). */
  text(i: number): string {
    return (this.cells[i] ?? "").trim();
  }

  /** A finite number. */
  number(i: number): number {
    const t = this.text(i);
    const x = t === "" ? NaN : Number(t);
    // Number() also reads hexadecimal, binary and octal ("0x10" is 16): a trace's numbers are decimal.
    const radix = t.length > 1 && t[0] === "0" && "xXbBoO".includes(t[1]);
    if (!Number.isFinite(x) || radix) {
      this.fail(this.name(i), radix ? "a decimal number" : "a number", t === "" ? "an empty field" : JSON.stringify(t));
    }
    return x;
  }

  /** A finite number >= 0. */
  nonNegative(i: number): number {
    const x = this.number(i);
    if (x < 0) this.fail(this.name(i), "a number >= 0", String(x));
    return x;
  }

  /** A number >= 0, or `missing` (NaN by default) where the field is empty, `nan`, or the trace's own missing marker. */
  optionalNonNegative(i: number, missingMarkers: readonly string[] = ["", "nan", "NaN"]): number {
    const t = this.text(i);
    if (missingMarkers.includes(t)) return NaN;
    return this.nonNegative(i);
  }

  /** An integer >= 0. */
  /**
   * That a pod or instance's times are in order: created, then scheduled, then deleted (each may be
   * missing, NaN). A deletion before its creation would end a task before it began.
   */
  timesInOrder(
    creationS: number,
    scheduledS: number,
    deletionS: number,
    names: readonly [string, string, string],
  ): void {
    if (scheduledS < creationS)
      this.fail(names[1], `a time at or after ${names[0]} (${creationS})`, String(scheduledS));
    const from = Number.isNaN(scheduledS) ? creationS : scheduledS;
    const after = Number.isNaN(scheduledS) ? names[0] : names[1];
    if (deletionS < from) this.fail(names[2], `a time at or after ${after} (${from})`, String(deletionS));
  }

  /** A whole number from 0 to `most` (default: any). */
  wholeNumber(i: number, most = Number.POSITIVE_INFINITY): number {
    const x = this.nonNegative(i);
    if (!Number.isInteger(x)) this.fail(this.name(i), "a whole number >= 0", String(x));
    if (x > most) this.fail(this.name(i), `a whole number from 0 to ${most.toLocaleString("en")}`, String(x));
    return x;
  }
}

/** Split one CSV line on commas, honouring double-quoted cells ("a,b" and "" for a quote). */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** Check that a CSV header has the expected leading columns; name the first mismatch. */
export function expectHeader(file: string, header: string[], expected: readonly string[]): void {
  for (let i = 0; i < expected.length; i++) {
    if ((header[i] ?? "").trim() !== expected[i]) {
      throw new TraceError(
        file,
        1,
        `header column ${i + 1}`,
        JSON.stringify(expected[i]),
        JSON.stringify(header[i] ?? "(none)"),
      );
    }
  }
}
