/**
 * The worker thread of `clustersim sweep`: runs one scenario run per call and returns its summary.
 * Errors come back to the pool as rejected calls; a crash of the thread fails only the run it had.
 */
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { serveInWorker } from "@clustersim/sim-core";

export interface SweepJob {
  scenarioFile: string;
  overrides: string[];
  seed: number;
}

export interface SweepJobResult {
  summary: Record<string, unknown>;
  wallS: number;
  events: number;
}

const api = {
  async run(job: SweepJob): Promise<SweepJobResult> {
    const spec = loadScenarioFile(job.scenarioFile, job.overrides);
    const r = await runScenario(spec, job.scenarioFile, { seed: job.seed });
    return { summary: r.summary, wallS: r.wallS, events: r.events };
  },
};

export type SweepWorkerApi = typeof api;

await serveInWorker(api);
