import { dirname, relative, resolve } from "node:path";

/**
 * The data files a checkpoint names (its trace, or its pod and node lists) are kept relative to the
 * checkpoint's own folder, and read the same way: a results directory moved together with the data
 * (or a checkpoint shipped beside examples that name the same data) still finds them, and the path
 * does not depend on the folder of the environment file it was trained from, nor on the working
 * directory of whoever reads it.
 */

/** A data file's path as a checkpoint written in `dir` keeps it. */
export function checkpointPath(dir: string, file: string): string {
  return relative(dir, resolve(file));
}

/** A path a checkpoint keeps, as the file it names: resolved against the checkpoint file's folder. */
export function resolveCheckpointPath(checkpointFile: string, path: string): string {
  return resolve(dirname(resolve(checkpointFile)), path);
}
