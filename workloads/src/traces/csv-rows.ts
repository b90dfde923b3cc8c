import { expectHeader, FieldReader, splitCsv } from "./fields.js";
import { readLines } from "./read-lines.js";
import { handleBadLine, type LoadOptions, TraceError } from "./trace-error.js";

export interface CsvSpec<R> {
  /** Leading header columns the file must have (checked on line 1); omit for a file without header. */
  header?: readonly string[];
  /** Field names for messages, by column; defaults to the header. */
  names?: readonly string[];
  /** Minimum number of cells on a data line. */
  minCells: number;
  /** Skip lines starting with this (e.g. "#"). */
  comment?: string;
  /** Turn one line's cells into a record; throw through `f.fail` on bad values. */
  parse(f: FieldReader): R;
}

/**
 * The records of a CSV trace, streamed line by line. Bad lines follow the load options' policy: a
 * TraceError naming file, line and field (default), or a counted skip. A bad header always fails:
 * it means the wrong file or format.
 */
export async function* csvRows<R>(file: string, spec: CsvSpec<R>, options: LoadOptions = {}): AsyncGenerator<R> {
  const f = new FieldReader(file, spec.names ?? spec.header ?? []);
  let first = true;
  for await (const [line, lineNo] of readLines(file)) {
    if (first && spec.header) {
      first = false;
      expectHeader(file, splitCsv(line), spec.header);
      continue;
    }
    first = false;
    if (line.trim() === "" || (spec.comment && line.startsWith(spec.comment))) continue;
    try {
      f.begin(splitCsv(line), lineNo, spec.minCells);
      yield spec.parse(f);
    } catch (err) {
      handleBadLine(err, options);
    }
  }
  if (first && spec.header) throw new TraceError(file, 1, "header", spec.header.join(","), "an empty file");
}
