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
    });
  }
});

describe("results per workload", () => {
  it("tag every task row with its workload and break the summary down by workload", async () => {
    const file = `${EXAMPLES}scenarios/double11-peak.yaml`;
    const spec = loadScenarioFile(file, ["duration=10m"]);
    const rows: string[][] = [];
    const { summary } = await runScenario(spec, file, { onTaskRow: (l) => rows.push(l.split(",")) });
    const names = spec.workloads.map((w, i) => w.name ?? `w${i}`);
    expect(names.length).toBeGreaterThan(1);
    const by = (summary as { byWorkload: Record<string, { tasksSubmitted: number; waitMeanS: number }> }).byWorkload;
    expect(Object.keys(by).sort()).toEqual([...names].sort());
    // Rows: the workload is column 1; per workload, as many rows as tasks submitted.
    for (const n of names) expect(rows.filter((r) => r[1] === n)).toHaveLength(by[n].tasksSubmitted);
    expect(Object.values(by).reduce((a, w) => a + w.tasksSubmitted, 0)).toBe(
      (summary as Record<string, number>).tasksSubmitted,
    );
  });
});
