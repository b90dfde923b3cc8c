import type { Readable } from "node:stream";

/** What a request line may hold: requests are a few dozen bytes, so a mebibyte is generous. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * The lines of a stream, each cut at `\n` (a `\r` before it dropped), with a cap on a line's length: a
 * longer line is not kept in memory (readline would grow one string until the engine refuses it) but
 * given as `{ tooLong }` with its length once its end arrives, and reading goes on after it.
 */
export async function* boundedLines(
  input: Readable,
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<{ line: string } | { tooLong: number }> {
  let parts: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  const end = (): { line: string } | { tooLong: number } => {
    const r =
      dropped > 0 ? { tooLong: kept + dropped } : { line: Buffer.concat(parts).toString("utf8").replace(/\r$/, "") };
    parts = [];
    kept = 0;
    dropped = 0;
    return r;
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); ; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl < 0 ? chunk.length : nl);
      if (dropped > 0 || kept + piece.length > maxBytes) {
        dropped += piece.length;
        if (kept > 0) {
          dropped += kept;
          kept = 0;
          parts = [];
        }
      } else if (piece.length > 0) {
        parts.push(Buffer.from(piece));
        kept += piece.length;
      }
      if (nl < 0) break;
      yield end();
      from = nl + 1;
    }
  }
  if (kept > 0 || dropped > 0) yield end();
}
