import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { InputError, PROCESS_TAG } from "@clustersim/files";

/** What a sweep directory's lock file holds: who writes the directory, since when, for which sweep. */
export interface LockHolder {
  pid: number;
  /** This process's tag (pid and a random token), telling it from a dead process with the same pid. */
  tag: string;
  host: string;
  startedAt: string;
  /** The sweep file (for a merge: the first shard's), absolute. */
  sweep: string;
  /** What holds it: "sweep" or "merge". */
  command: string;
}

export const LOCK_FILE = ".lock";

/** A held lock: `release` removes the lock file (once; later calls do nothing). */
export interface SweepLock {
  holder: LockHolder;
  /** Set when a stale lock (a dead process's) was taken over: what it said. */
  tookOver?: LockHolder;
  release(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Lock `dir` for one writer. Two sweeps into one directory would each overwrite sweep.json and the
 * outputs, leaving a sweep.json of one beside a results.csv of the other, both exiting 0; so a second
 * writer is refused (InputError, exit 2) naming the holder. The lock file is created with exclusive
 * create (`wx`), so of two writers starting at once one wins. A lock whose process is gone (killed by
 * SIGKILL, or lost in a crash) is taken over, and `tookOver` says whose it was. One held on another
 * host cannot be checked from here, and one whose pid a new process took (after a restart) looks
 * alive: both are refused, with how to remove the lock by hand.
 *
 * The lock is removed on release, on process exit, and on SIGINT, SIGTERM and SIGHUP (then the signal
 * is raised again, so that the process ends as it would have). SIGKILL leaves it behind: the next
 * writer finds its process gone and takes it over.
 */
export function lockSweepDir(dir: string, sweep: string, command: string): SweepLock {
  const path = join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    tag: PROCESS_TAG,
    host: hostname(),
    startedAt: new Date().toISOString(),
    sweep,
    command,
  };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Only our own: a lock taken over by another writer after ours was judged stale is theirs.
    const current = readHolder(path);
    if (typeof current === "object" && current.tag === holder.tag && current.startedAt === holder.startedAt)
      rmSync(path, { force: true });
    process.removeListener("exit", release);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    // With our listener gone, the default action (or the other listeners) takes the signal as if we
    // had never listened.
    process.kill(process.pid, signal);
  };
  // Listening before the lock file exists: a signal between its creation and our listener would end
  // the process by the default action and leave the lock behind. Until then, release finds no lock of
  // ours and only stops listening.
  process.on("exit", release);
  for (const s of SIGNALS) process.on(s, onSignal);
  let tookOver: LockHolder | undefined;
  try {
    // A few rounds at most: each either creates the lock, or finds it live (refused), or gone or stale
    // (then again); writers starting at once settle in a round or two.
    for (let round = 0; !create(path, holder); round++) {
      const found = readHolder(path);
      if (found === "gone" && round < 5) continue; // released between our create and read
      if (typeof found !== "object" || isAlive(found) || round >= 5)
        throw new InputError(refusal(dir, typeof found === "object" ? found : undefined));
      // Stale: move it aside under a name of our own (of writers taking it over at once, one rename
      // wins), check that what was moved is the stale lock read above, and remove it.
      const aside = `${path}.stale-${PROCESS_TAG}`;
      try {
        renameSync(path, aside);
      } catch {
        continue; // another writer moved it first
      }
      const moved = readHolder(aside);
      if (!(typeof moved === "object" && moved.tag === found.tag && moved.startedAt === found.startedAt)) {
        // A live writer's lock, created after we read the stale one: put it back (link: never over a
        // newer one), and meet it as live in the next round.
        try {
          linkSync(aside, path);
        } catch {
          // another lock is in place already
        }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      tookOver = found;
    }
  } catch (err) {
    release();
    throw err;
  }
  return { holder, tookOver, release };
}

/** Create the lock file holding `holder`, exclusively; false if it exists. */
function create(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder a lock file names; "gone" if there is none; undefined if it cannot be read as one. */
function readHolder(path: string): LockHolder | "gone" | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : undefined;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (!(typeof h.pid === "number" && typeof h.host === "string" && typeof h.tag === "string")) return undefined;
    // The rest only describes the holder in messages.
    const or = (v: unknown, fallback: string) => (typeof v === "string" ? v : fallback);
    return {
      pid: h.pid,
      tag: h.tag,
      host: h.host,
      startedAt: or(h.startedAt, "an unknown time"),
      sweep: or(h.sweep, "an unknown sweep file"),
      command: or(h.command, "sweep"),
    };
  } catch {
    // Created but not yet written (we read between its create and write), or damaged: not ours to judge.
    return undefined;
  }
}

/**
 * Whether the lock's process may still be running: on another host we cannot tell (so yes); here, a
 * process with its pid exists (signal 0 reaches it, or is refused to us) and, if the pid is ours, it
 * is this very process (a container's sweep is often pid 1 every time).
 */
function isAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return h.tag === PROCESS_TAG;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function refusal(dir: string, h: LockHolder | undefined): string {
  const lock = join(dir, LOCK_FILE);
  if (!h)
    return `--out ${dir}: another sweep is writing this directory (its lock file ${lock} is being written or cannot be read); if none is, remove ${lock}`;
  const here = h.host === hostname();
  return `--out ${dir}: locked by a ${h.command} of ${h.sweep} (pid ${h.pid}${here ? "" : ` on host ${h.host}`}, since ${h.startedAt}): wait for it to finish or choose another --out; if it no longer runs${here ? "" : ` on ${h.host}`}, remove ${lock}`;
}
