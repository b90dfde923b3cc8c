import { parentPort, workerData } from "node:worker_threads";
import { ChecksFailed, UserError } from "../errors.js";
import { runScenarioCommand } from "./run-scenario.js";
import type { RunWorkerData, RunWorkerMessage, ThrownError } from "./run-worker-protocol.js";

/**
 * The thread a run with plug-ins runs in (see run-in-worker.ts): the run command itself, its printed
 * lines and its outcome posted to the main thread, which prints them and exits as the command would.
 */
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
