/**
 * A broken line in a trace: which file, which line, which field, what was expected and what was found.
 * Loaders throw it in the default `fail` mode; in `skip` mode they count the line as dropped instead.
 */
export class TraceError extends Error {
  override readonly name = "TraceError";

  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${line > 0 ? `${file}:${line}` : file}: ${field}: expected ${expected}, found ${found}`);
  }
}

/** What to do with a line that does not parse. */
export type BadLinePolicy = "fail" | "skip";

export interface LoadOptions {
  /** `fail` (default): stop at the first bad line with a TraceError. `skip`: drop it and count it. */
  onBadLine?: BadLinePolicy;
  /** Filled in while loading: lines dropped in `skip` mode, and the first few reasons. */
  report?: LoadReport;
}

export interface LoadReport {
  dropped: number;
  /** Up to 10 messages of dropped lines, in file order. */
  examples: string[];
}

export function newLoadReport(): LoadReport {
  return { dropped: 0, examples: [] };
}

/**
 * Apply the bad-line policy: rethrow in `fail` mode, count in `skip` mode. Errors other than
 * TraceError (I/O failures) always propagate.
 */
export function handleBadLine(err: unknown, options: LoadOptions): void {
  if (!(err instanceof TraceError) || (options.onBadLine ?? "fail") === "fail") throw err;
  const report = options.report;
  if (report) {
    report.dropped++;
    if (report.examples.length < 10) report.examples.push(err.message);
  }
}
