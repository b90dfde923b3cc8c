import { Worker } from "node:worker_threads";
import { recoverOutputDir } from "@clustersim/files";
import { ChecksFailed, UserError } from "../errors.js";
import type { RunScenarioOptions } from "./run-scenario-options.js";
import type { RunWorkerData, RunWorkerMessage, ThrownError } from "./run-worker-protocol.js";

const RUN_WORKER = new URL("../../dist/commands/run-worker.js", import.meta.url);

/** The heap a run with plug-ins may use unless --plugin-heap-limit says otherwise, in MiB. */
export const DEFAULT_PLUGIN_HEAP_MIB = 4096;

/**
 * A run with plug-ins, in a worker thread whose heap is limited. A plug-in is code the user runs, and
 * one that allocates without bound would otherwise take the whole process down with V8's abort
 * (exit 134, a native stack, the run's temporary files left behind). In a thread, V8 ends only the
 * thread at the limit: the run stops with one line, its temporary files are removed, and earlier results
 * stay as they were. Everything else is as in one thread: the same lines, files and exit codes.
 */
export async function runInWorker(
  file: string,
  options: RunScenarioOptions,
  outDir: string,
  heapMiB: number,
  print: (line: string) => void,
): Promise<void> {
  const data: RunWorkerData = {
    file,
    options: { ...options, progress: options.progress ?? (!options.quiet && process.stderr.isTTY) },
  };
  const worker = new Worker(RUN_WORKER, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMiB } });
  let ended: RunWorkerMessage | undefined;
  worker.on("message", (m: RunWorkerMessage) => {
    if ("line" in m) print(m.line);
    else ended = m;
  });
  const failure = await new Promise<Error | undefined>((settle) => {
    let error: Error | undefined;
    worker.once("error", (err) => {
      error = err instanceof Error ? err : new Error(String(err));
    });
    worker.once("exit", () => settle(error));
  });
  if (ended && "ended" in ended) {
    if (ended.ended === "ok") return;
    throw rebuilt(ended.error);
  }
  // The thread died before it could say how the command ended: the run's files are not committed.
  recoverOutputDir(outDir);
  if ((failure as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    process.stderr.write(
      `clustersim: the run ran out of memory: its heap reached the limit of ${heapMiB} MiB (--plugin-heap-limit), as a plug-in allocating without bound makes it; no results were written\n`,
    );
    throw new ChecksFailed("out of memory");
  }
  throw failure ?? new Error("the run's thread ended without a result");
}

/** The error the worker threw, as this thread's own, so that main() reports it as in one thread. */
function rebuilt(e: ThrownError): Error {
  if (e.kind === "user") return new UserError(e.message);
  if (e.kind === "checks") return new ChecksFailed(e.message);
  const err = Object.assign(new Error(e.message), { code: e.code, path: e.path });
  Object.defineProperty(err, "name", { value: e.name });
  if (e.stack) err.stack = e.stack;
  return err;
}
