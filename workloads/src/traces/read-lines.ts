import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { TraceError } from "./trace-error.js";

/**
 * The lines of a text file, one at a time, with their 1-based numbers: the file is streamed, never held
 * whole in memory. Files ending in `.gz` are decompressed on the fly.
 */
export async function* readLines(file: string): AsyncGenerator<[line: string, lineNo: number]> {
  const raw = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    raw.once("open", () => resolve());
    raw.once("error", reject);
  });
  try {
    await opened;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new TraceError(file, 0, "file", "a readable file", code === "ENOENT" ? "no such file" : code);
  }
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) yield [line, ++n];
  } catch (err) {
    throw new TraceError(file, n + 1, "file", "readable (and valid gzip for .gz) content", (err as Error).message);
  } finally {
    lines.close();
    raw.destroy();
  }
}
