import type { RunScenarioOptions } from "./run-scenario-options.js";

/** What the main thread hands the run's thread (run-worker.ts): the command's file and options. */
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
