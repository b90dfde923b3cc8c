import { mmcTheory } from "@clustersim/experiments";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/scenarios/mmc-queue.yaml", import.meta.url).pathname;

describe("queueing theory through the generic run", () => {
  it("an M/M/c queue written as a scenario file waits as Erlang C says (99% interval over 10 seeds covers it)", async () => {
    // One seed of 100,000 tasks at utilisation 0.8 has a 95% interval of about ±5% on the mean
    // wait; ten seeds of 200,000 give a Student-t interval of the mean of the seeds' means.
    const spec = loadScenarioFile(FILE);
    const means: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const s = (await runScenario(spec, FILE, { seed })).summary as Record<string, number>;
      expect(s.tasksSubmitted).toBeGreaterThan(190_000);
      means.push(s.waitMeanS);
    }
    const theory = mmcTheory((0.8 * 10) / 60, 1 / 60, 10).waitMean;
    const n = means.length;
    const mean = means.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const half = tQuantile(0.995, n - 1) * (sd / Math.sqrt(n));
    expect(Math.abs(mean - theory)).toBeLessThan(half);
    // And the interval is informative: within 6% of the theory.
    expect(half / theory).toBeLessThan(0.06);
  });
});
