import { DEFAULT_MMC_CLUSTER, type MmcClusterParams, mmcTheory, runMmcCluster } from "@clustersim/experiments";
import { type ProcessBody, processes, Resource, Simulation } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

describe("Erlang C", () => {
  it("matches tabulated values", () => {
    // M/M/1: P(wait) = rho, Wq = rho / (mu − lambda).
    const mm1 = mmcTheory(0.5, 1, 1);
    expect(mm1.probWait).toBeCloseTo(0.5, 12);
    expect(mm1.waitMean).toBeCloseTo(1, 12);
    // M/M/2 with a = 1: C = 1/3, Wq = C / (2 − 1) = 1/3.
    const mm2 = mmcTheory(1, 1, 2);
    expect(mm2.probWait).toBeCloseTo(1 / 3, 12);
    expect(mm2.waitMean).toBeCloseTo(1 / 3, 12);
    expect(mm2.waitQuantile(0.5)).toBe(0); // two thirds never wait
    expect(mm2.waitQuantile(0.9)).toBeCloseTo(Math.log(1 / 3 / 0.1), 12);
    expect(() => mmcTheory(2, 1, 2)).toThrow(/unstable/);
  });
});

describe("built-in M/M/c cluster scenario", () => {
  const params: MmcClusterParams = { ...DEFAULT_MMC_CLUSTER, durationS: 2 * 24 * 3600 };

  it("reproduces Erlang C within the 99% confidence interval across independent seeds", () => {
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const runs = seeds.map((seed) => runMmcCluster(params, seed));
    const theory = runs[0].theory;
    for (const metric of ["waitMeanS", "probWait", "utilisation"] as const) {
      const xs = runs.map((r) => r.metrics[metric]);
      const mean = xs.reduce((a, b) => a + b) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
      const halfWidth = 3.25 * (sd / Math.sqrt(xs.length)); // Student t, 9 degrees of freedom, 99%
      expect(Math.abs(mean - theory[metric]), metric).toBeLessThan(halfWidth);
    }
    for (const r of runs) {
      expect(r.metrics.tasksCompleted).toBeLessThanOrEqual(r.metrics.tasksStarted);
      expect(r.metrics.tasksStarted).toBeLessThanOrEqual(r.metrics.tasksSubmitted);
      expect(r.simTimeS).toBe(params.durationS);
    }
  });

  it("gives batch-means 95% intervals of the mean wait that cover Erlang C about 95% of the time", () => {
    const seeds = Array.from({ length: 40 }, (_, i) => 100 + i);
    let covered = 0;
    for (const seed of seeds) {
      const { metrics, theory } = runMmcCluster(params, seed);
      expect(metrics.waitMeanCi95LowS).toBeLessThan(metrics.waitMeanS);
      expect(metrics.waitMeanCi95HighS).toBeGreaterThan(metrics.waitMeanS);
      if (metrics.waitMeanCi95LowS <= theory.waitMeanS && theory.waitMeanS <= metrics.waitMeanCi95HighS) covered++;
    }
    // Binomial(40, 0.95) falls below 34 with probability < 1%; a naive sigma/sqrt(n) interval covers far less.
    expect(covered).toBeGreaterThanOrEqual(34);
  });

  it("is deterministic for a seed", () => {
    const a = runMmcCluster(params, 5);
    const b = runMmcCluster(params, 5);
    expect({ ...a, wallS: 0 }).toEqual({ ...b, wallS: 0 });
    expect(runMmcCluster(params, 6).metrics.waitMeanS).not.toBe(a.metrics.waitMeanS);
  });

  it("agrees to the last bit with the same model written as generator processes", () => {
    // The same queue in SimPy style: a source process and one process per task on a Resource. Both
    // versions draw from the same named streams in the same order, so every wait must be identical.
    const p: MmcClusterParams = { ...params, durationS: 6 * 3600, warmupS: 600 };
    const lambda = (p.utilisation * p.nodes) / p.meanRunS;
    const sim = new Simulation({ seed: 11 });
    const procs = processes(sim);
    const arrivals = sim.rng("arrivals");
    const runTimes = sim.rng("run-times");
    const nodes = new Resource(procs, p.nodes);
    let sum = 0;
    let n = 0;
    function* task(arrivedAt: number, run: number): ProcessBody {
      yield nodes.request();
      if (arrivedAt >= p.warmupS) {
        sum += sim.now - arrivedAt;
        n++;
      }
      yield run;
      nodes.release();
    }
    function* source(): ProcessBody {
      let next = arrivals.exponential(lambda);
      while (next <= p.durationS) {
        yield next - sim.now;
        const run = runTimes.exponential(1 / p.meanRunS);
        next = sim.now + arrivals.exponential(lambda);
        procs.start(task(sim.now, run));
      }
    }
    procs.start(source());
    sim.run({ until: p.durationS });
    const events = runMmcCluster(p, 11);
    expect(n).toBe(events.metrics.tasksMeasured);
    expect(sum / n).toBe(events.metrics.waitMeanS);
  });

  it("names the field, the expectation and the value on bad parameters", () => {
    expect(() => runMmcCluster({ ...params, nodes: 0 }, 1)).toThrow("nodes: expected an integer >= 1, found 0");
    expect(() => runMmcCluster({ ...params, utilisation: 1 }, 1)).toThrow(
      "utilisation: expected a number in (0, 1), found 1",
    );
    expect(() => runMmcCluster({ ...params, warmupS: params.durationS }, 1)).toThrow(/warmupS: expected/);
  });
});
