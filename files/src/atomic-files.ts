import { randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "./input-error.js";

/**
 * Create the output directory (if needed) and check that it is writable, before any work is done, so
 * that a bad --out fails at once with a clear message instead of after a long run.
 */
export function prepareOutputDir(dir: string): void {
  try {
    makeDirs(dir);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(
      `--out ${dir}: expected a writable directory, found that it cannot be created or written (${code})`,
    );
  }
  recoverOutputDir(dir);
}

/**
 * `mkdir -p`, one level at a time from the deepest that exists. Node 20's own recursive mkdirSync loops
 * for ever under /proc (mkdir there fails with ENOENT, which it takes for a missing parent and retries):
 * `--out /proc/x` hung. Here that ENOENT is an error like any other.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Made meanwhile by another process: as good as made here.
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
}

/**
 * This process's mark on its temporary files and journals: its pid and a random token, so that a new
 * process that reuses a dead one's pid (every container's first process is pid 1) still tells the dead
 * one's files from its own.
 */
const TOKEN = randomBytes(4).toString("hex");
export const PROCESS_TAG = `${process.pid}.${TOKEN}`;
/** The suffix of this process's temporary files. */
export const TEMP_SUFFIX = `.tmp-${PROCESS_TAG}`;

/** Whether the process that marked a file with `pid` and `token` is alive (a signal 0 reaches it). */
function alive(pid: number, token: string): boolean {
  if (pid === process.pid) return token === TOKEN;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const JOURNAL = /^\.commit-(\d+)\.([0-9a-f]+)\.json$/;
const TEMP = /\.tmp-(\d+)\.([0-9a-f]+)$/;

/**
 * Finish what a process that died left in `dir`: a commit it had begun (its journal lists every
 * rename of the set) is completed, so that the set is whole; temporary files of a run it never got
 * to commit are removed. Files of live processes (another run into the same directory) are left alone.
 */
export function recoverOutputDir(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = JOURNAL.exec(name);
    if (!m || alive(Number(m[1]), m[2])) continue;
    const journal = join(dir, name);
    let pairs: [string, string][] = [];
    try {
      pairs = JSON.parse(readFileSync(journal, "utf8")) as [string, string][];
    } catch {
      // A journal cut short was never acted on: its temporary files go below.
    }
    for (const [tmp, final] of pairs) if (existsSync(join(dir, tmp))) renameSync(join(dir, tmp), join(dir, final));
    rmSync(journal, { force: true });
  }
  const sweepTemps = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const m = TEMP.exec(e.name);
      if (m && !alive(Number(m[1]), m[2])) rmSync(join(d, e.name), { recursive: true, force: true });
    }
  };
  sweepTemps(dir);
  for (const sub of ["runs", "plots"]) if (existsSync(join(dir, sub))) sweepTemps(join(dir, sub));
}

/**
 * Rename a set of written temporary files into place as one: a journal listing every rename is
 * written first (atomically), then the renames, then the journal is removed. A process dying in
 * between leaves the journal, and the next `prepareOutputDir` of the directory completes the set.
 */
export function commitFiles(dir: string, pairs: readonly [string, string][]): void {
  const rel = pairs.map(([tmp, final]) => [relative(dir, tmp), relative(dir, final)]);
  const journal = join(dir, `.commit-${PROCESS_TAG}.json`);
  writeFileSync(`${journal}${TEMP_SUFFIX}`, JSON.stringify(rel));
  renameSync(`${journal}${TEMP_SUFFIX}`, journal);
  for (const [tmp, final] of pairs) renameSync(tmp, final);
  rmSync(journal, { force: true });
}

const relative = (dir: string, path: string) =>
  path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : basename(path);

/** Write `files` under temporary names in `dir`; the [temporary, final] pairs, for `commitFiles`. */
export function stageFiles(dir: string, files: Record<string, string>): [string, string][] {
  const pairs: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, name + TEMP_SUFFIX);
      pairs.push([tmp, join(dir, name)]);
      makeDirs(dirname(tmp));
      writeFileSync(tmp, content);
    }
  } catch (err) {
    // The one being written when it failed too: nothing half-written stays.
    for (const [tmp] of pairs) rmSync(tmp, { force: true });
    throw err;
  }
  return pairs;
}

/**
 * Writes a set of result files so that a reader never sees a half-written set: each file goes to a
 * temporary name first, and all are renamed into place only after every one was written. If anything
 * fails, the temporary files are removed and the previous results (if any) stay as they were.
 */
export function writeFilesAtomically(dir: string, files: Record<string, string>): string[] {
  makeDirs(dir);
  const pairs = stageFiles(dir, files);
  commitFiles(dir, pairs);
  return pairs.map(([, final]) => final);
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
    this.tmp = join(dir, `${name}${TEMP_SUFFIX}`);
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

/** Rename closed streaming files and any [temporary, final] pairs into place, as one set (`commitFiles`). */
export function commitAll(files: StreamingFile[], others: [string, string][] = []): void {
  const dir = files[0] ? dirname(files[0].finalPath) : others[0] ? dirname(others[0][1]) : ".";
  commitFiles(dir, [...files.map((f): [string, string] => [f.tempPath, f.finalPath]), ...others]);
}
