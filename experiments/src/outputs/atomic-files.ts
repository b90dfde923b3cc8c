import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { InputError } from "../errors.js";

/**
 * Create the output directory (if needed) and check that it is writable, before any work is done, so
 * that a bad --out fails at once with a clear message instead of after a long run.
 */
export function prepareOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(
      `--out ${dir}: expected a writable directory, found that it cannot be created or written (${code})`,
    );
  }
}

/**
 * Writes a set of result files so that a reader never sees a half-written set: each file goes to a
 * temporary name first, and all are renamed into place only after every one was written. If anything
 * fails, the temporary files are removed and the previous results (if any) stay as they were.
 */
export function writeFilesAtomically(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const tag = `.tmp-${process.pid}`;
  const written: string[] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, name + tag);
      mkdirSync(dirname(tmp), { recursive: true });
      writeFileSync(tmp, content);
      written.push(name);
    }
  } catch (err) {
    for (const name of written) rmSync(join(dir, name + tag), { force: true });
    throw err;
  }
  return written.map((name) => {
    renameSync(join(dir, name + tag), join(dir, name));
    return join(dir, name);
  });
}

/** JSON with two-space indentation and a final newline: stable bytes for the same value. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * A result file written as a run goes, under a temporary name, in batches of lines (memory does not
 * grow with the rows). `commit` renames it into place; `abort` removes it.
 */
export class StreamingFile {
  private readonly tmp: string;
  private fd: number;
  private batch: string[] = [];
  private bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    header?: string,
  ) {
    this.tmp = join(dir, `${name}.tmp-${process.pid}`);
    this.fd = openSync(this.tmp, "w");
    if (header !== undefined) this.line(header);
  }

  line(text: string): void {
    this.batch.push(text);
    this.bytes += text.length + 1;
    if (this.bytes >= 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    writeSync(this.fd, `${this.batch.join("\n")}\n`);
    this.batch = [];
    this.bytes = 0;
  }

  /** The temporary path it writes to. */
  get tempPath(): string {
    return this.tmp;
  }

  /** Finish writing; the caller renames all files together with `commitAll`. */
  close(): string {
    this.flush();
    closeSync(this.fd);
    return this.tmp;
  }

  get finalPath(): string {
    return join(this.dir, this.name);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { force: true });
  }
}

/** Rename closed streaming files (and any [temporary, final] pairs) into place. */
export function commitAll(files: StreamingFile[], others: [string, string][] = []): void {
  for (const f of files) renameSync(f.tempPath, f.finalPath);
  for (const [tmp, final] of others) renameSync(tmp, final);
}
