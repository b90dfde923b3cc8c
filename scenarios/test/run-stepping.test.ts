import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

/** Every output of a scenario run as text: summary, task rows, time series, replay. */
async function outputs(file: string, stepS?: number): Promise<string[]> {
  const out: string[] = [];
  const spec = loadScenarioFile(file, ["outputs.replay=true"]);
  const r = await runScenario(spec, file, {
    stepS,
    onTaskRow: (l) => out.push(`t ${l}`),
    onTimeseriesRow: (l) => out.push(`s ${l}`),
    onReplayLine: (l) => out.push(`r ${l}`),
  });
  out.push(JSON.stringify(r.summary));
  return out;
}

describe("a scenario run stepped from outside", () => {
  for (const name of [
    "hardware/rack-outage.yaml",
    "controllers/queue-autoscale.yaml",
    "scenarios/lublin-window.yaml",
  ]) {
    it(`reproduces the run to its end byte for byte: ${name}`, async () => {
      const file = EXAMPLES + name;
      const once = await outputs(file);
      expect(once.length).toBeGreaterThan(100);
      for (const stepS of [1, 977]) expect(await outputs(file, stepS)).toEqual(once);
    }, 60_000);
  }
});
