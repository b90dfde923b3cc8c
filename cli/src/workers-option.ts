import { availableParallelism } from "node:os";
import { UserError } from "./errors.js";

/**
 * `--workers N` for the commands that run scenarios on worker threads (sweep, search): a positive whole
 * number, capped at the machine's cores unless `oversubscribe`: more workers only share the cores and
 * add each a heap (80 workers on 2 cores took 4.5 GB). The cap is said on stderr unless `quiet`.
 */
export function workerCount(text: string | undefined, o: { oversubscribe?: boolean; quiet?: boolean } = {}): number {
  const workers = text === undefined ? 1 : Number(text);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UserError(`--workers: expected a positive integer, found "${text}"`);
  const cores = availableParallelism();
  if (workers <= cores || o.oversubscribe) return workers;
  if (!o.quiet)
    process.stderr.write(
      `clustersim: --workers ${workers} capped at ${cores}, the cores here (--oversubscribe keeps ${workers})\n`,
    );
  return cores;
}
