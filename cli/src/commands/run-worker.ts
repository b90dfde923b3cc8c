import { parentPort, workerData } from "node:worker_threads";
import { ChecksFailed, UserError } from "../errors.js";
import { type RunScenarioOptions, runScenarioCommand } from "./run-scenario.js";

/**
 * The thread a run with plug-ins runs in (see run-in-worker.ts): the run command itself, its printed
 * lines and its outcome posted to the main thread, which prints them and exits as the command would.
 */
export interface RunWorkerData {
  file: string;
  options: RunScenarioOptions;
}

/** What the thread posts: a line to print, or how the command ended. */
export type RunWorkerMessage = { line: string } | { ended: "ok" } | { ended: "failed"; error: ThrownError };

/** An error that crossed the threads: what main() needs to report it as it would in one thread. */
export interface ThrownError {
  kind: "user" | "checks" | "other";
  name: string;
  message: string;
  code?: string;
  path?: string;
  stack?: string;
}

const port = parentPort;
if (port) {
  const { file, options } = workerData as RunWorkerData;
  const post = (m: RunWorkerMessage) => port.postMessage(m);
  try {
    await runScenarioCommand(file, { ...options, inThisThread: true }, (line) => post({ line }));
    post({ ended: "ok" });
  } catch (err) {
    post({ ended: "failed", error: thrown(err) });
  }
}

function thrown(err: unknown): ThrownError {
  if (!(err instanceof Error)) return { kind: "other", name: "Error", message: String(err) };
  const e = err as NodeJS.ErrnoException;
  const kind = err instanceof UserError ? "user" : err instanceof ChecksFailed ? "checks" : "other";
  return { kind, name: err.name, message: err.message, code: e.code, path: e.path, stack: err.stack };
}
