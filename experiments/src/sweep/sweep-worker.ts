/**
 * The worker thread of a sweep (`runSweep`): runs one scenario run per call and returns its summary.
 * Errors come back to the pool as rejected calls; a crash of the thread fails only the run it had.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadScenarioFile, runScenario, type ScenarioSpec } from "@clustersim/scenarios";
import { serveInWorker } from "@clustersim/sim-core";

export interface SweepJob {
  scenarioFile: string;
  overrides: string[];
  /**
   * The scenario after overrides, as the runner validated it (for the run's fingerprint): the run needs
   * no parsing or validation of its own. Without it the worker loads the file (and meets its error).
   */
  spec?: ScenarioSpec;
  seed: number;
  /** Collect garbage after the run so that `heapMiB` is the live heap (costs a little time). */
  measureHeap?: boolean;
  /** Seconds a plug-in may take to load and per event (runScenario's pluginTimeLimitS). */
  pluginTimeLimitS?: number;
}

let gc: (() => void) | undefined;
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

export interface SweepJobResult {
  summary: Record<string, unknown>;
  wallS: number;
  events: number;
  /** This worker's JavaScript heap after the run, MiB (to see that memory stays flat across runs). */
  heapMiB: number;
}

const api = {
  async run(job: SweepJob): Promise<SweepJobResult> {
    const spec = job.spec ?? loadScenarioFile(job.scenarioFile, job.overrides);
    const r = await runScenario(spec, job.scenarioFile, { seed: job.seed, pluginTimeLimitS: job.pluginTimeLimitS });
    if (job.measureHeap) collectGarbage();
    return {
      summary: r.summary,
      wallS: r.wallS,
      events: r.events,
      heapMiB: getHeapStatistics().used_heap_size / 2 ** 20,
    };
  },
};

export type SweepWorkerApi = typeof api;

await serveInWorker(api);
