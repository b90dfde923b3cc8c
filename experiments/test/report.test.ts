import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";
import { buildReport, metricDirection, type RunOutcome } from "../src/sweep/report.js";
import { reportMarkdown } from "../src/sweep/report-markdown.js";
import { expandSweep, Sweep, type SweepRun } from "../src/sweep/sweep-spec.js";

const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;
// t quantile 0.975 with 2 degrees of freedom.
const T2 = 4.302652729749462;

/** A sweep of poisson-small with best-fit (the baseline) and k8s, and a report of the given outcomes. */
function report(
  o: { seeds: number[]; parameters?: Record<string, unknown[]>; metrics?: string[] },
  outcome: (r: SweepRun) => RunOutcome | undefined,
) {
  const spec = Sweep.parse({
    name: "t",
    scenarios: ["scenarios/poisson-small.yaml"],
    schedulers: ["best-fit", { name: "kubernetes-default", label: "k8s" }],
    seeds: o.seeds,
    parameters: o.parameters ?? {},
    ...(o.metrics && { metrics: o.metrics }),
  });
  const runs = expandSweep(spec, "/sweeps/sweep.yaml");
  const r = buildReport(spec, runs, runs.map(outcome));
  return { report: r, ...reportMarkdown(r), runs };
}
const ok = (summary: Record<string, unknown>): RunOutcome => ({ ok: true, summary });
const failed: RunOutcome = { ok: false, error: "worker crashed" };
const svgLines = (svg: string) => [
  ...svg.matchAll(/<line x1="[^"]+" y1="([^"]+)" x2="[^"]+" y2="([^"]+)" stroke="#222"/g),
];

describe("sweep report", () => {
  it("calls an interval degenerate when every seed gives the same value, and scores no such difference", () => {
    // A replay that ignores the seed: best-fit waits 10 s on every seed, k8s 7 s.
    const { report: r, markdown } = report({ seeds: [1, 2, 3] }, (run) =>
      ok(
        run.scheduler === "best-fit"
          ? { waitMeanS: 10, tasksCompleted: 100, cpuAllocatedFraction: 0.3 }
          : { waitMeanS: 7, tasksCompleted: 100, cpuAllocatedFraction: 0.2 },
      ),
    );
    const g = r.groups[0];
    expect(g.means.waitMeanS["best-fit"]).toEqual({ n: 3, mean: 10, low: 10, high: 10, degenerate: true });
    expect(g.differences.waitMeanS.k8s).toEqual({ n: 3, mean: -3, low: -3, high: -3, degenerate: true });
    // The mean of equal values is that value exactly (0.2 + 0.2 + 0.2 = 0.6000000000000001).
    expect(g.means.cpuAllocatedFraction.k8s).toEqual({ n: 3, mean: 0.2, low: 0.2, high: 0.2, degenerate: true });
    // −3 s on every seed is one sample, not evidence: neither a win nor a loss; exactly 0 is a tie.
    expect(r.winTieLoss.waitMeanS.k8s).toEqual({ win: 0, tie: 0, loss: 0, degenerate: 1 });
    expect(r.winTieLoss.cpuAllocatedFraction.k8s).toEqual({ win: 0, tie: 0, loss: 0, degenerate: 1 });
    expect(r.winTieLoss.tasksCompleted.k8s).toEqual({ win: 0, tie: 1, loss: 0, degenerate: 0 });
    expect(markdown).toContain("| waitMeanS | 10.000 (same on every seed) | 7.000 (same on every seed) |");
    expect(markdown).toContain("| waitMeanS | -3.000 (same on every seed) |");
    expect(markdown).toContain("| waitMeanS | 0 / 0 / 0 (1 same on every seed) |");
    expect(markdown).toContain("| tasksCompleted | 0 / 1 / 0 |");
  });

  it("takes a difference no larger than rounding as 0: a tie, not an interval around 6e-18", () => {
    // The same schedule summed in another order: 0.1 + 0.2 against 0.3, on every seed.
    const { report: r, markdown } = report({ seeds: [1, 2, 3], metrics: ["cpuAllocatedFraction"] }, (run) =>
      ok({ cpuAllocatedFraction: run.scheduler === "best-fit" ? 0.3 : 0.1 + 0.2 + run.seed * 1e-17 }),
    );
    expect(r.groups[0].differences.cpuAllocatedFraction.k8s).toEqual({
      n: 3,
      mean: 0,
      low: 0,
      high: 0,
      degenerate: true,
    });
    expect(r.winTieLoss.cpuAllocatedFraction.k8s).toEqual({ win: 0, tie: 1, loss: 0, degenerate: 0 });
    expect(markdown).toContain("| cpuAllocatedFraction | 0.00 (same on every seed) |");
  });

  it("with one scheduler, writes its means and no comparison tables (no empty markdown tables)", () => {
    const spec = Sweep.parse({
      name: "one",
      scenarios: ["scenarios/poisson-small.yaml"],
      schedulers: ["best-fit"],
      seeds: [1, 2],
    });
    const runs = expandSweep(spec, "/sweeps/sweep.yaml");
    const { markdown } = reportMarkdown(
      buildReport(
        spec,
        runs,
        runs.map(() => ok({ waitMeanS: 5 })),
      ),
    );
    expect(markdown).toContain("One scheduler (**best-fit**): nothing to compare it with.");
    expect(markdown).toContain("| waitMeanS | 5.000 (same on every seed) |");
    expect(markdown).not.toContain("|---||");
    expect(markdown).not.toContain("Paired differences");
  });

  it("shows labels from the sweep file as text: HTML's specials as entities, a | kept in its cell", () => {
    const spec = Sweep.parse({
      name: "n",
      scenarios: ["scenarios/poisson-small.yaml"],
      schedulers: [
        { name: "best-fit", label: "<script>alert(1)</script>" },
        { name: "kubernetes-default", label: "a|b & c" },
      ],
      seeds: [1, 2],
    });
    const runs = expandSweep(spec, "/sweeps/sweep.yaml");
    const { markdown } = reportMarkdown(
      buildReport(
        spec,
        runs,
        runs.map(() => ok({ waitMeanS: 5 })),
      ),
    );
    expect(markdown).not.toMatch(/<script>/);
    expect(markdown).toContain("| metric | &lt;script&gt;alert(1)&lt;/script&gt; | a\\|b &amp; c |");
  });

  it("pairs only seeds where both runs succeeded, and counts a group without such a seed nowhere", () => {
    const waits: Record<string, Record<string, (number | undefined)[]>> = {
      // k8s failed on every seed of the first group.
      '"20m"': { "best-fit": [10, 11, 12, 13, 14], k8s: [] },
      // best-fit failed on seed 1, k8s on seed 2: seeds 3, 4 and 5 are paired.
      '"40m"': { "best-fit": [undefined, 50, 10, 11, 12], k8s: [100, undefined, 7, 9, 9] },
    };
    const { report: r } = report(
      { seeds: [1, 2, 3, 4, 5], parameters: { duration: ["20m", "40m"] }, metrics: ["waitMeanS"] },
      (run) => {
        const w = waits[JSON.stringify(run.parameters.duration)][run.scheduler][run.seed - 1];
        return w === undefined ? failed : ok({ waitMeanS: w });
      },
    );
    expect(r.failed).toBe(7);
    const [g20, g40] = r.groups;
    expect(g20.differences.waitMeanS.k8s.n).toBe(0);
    expect(g40.means.waitMeanS["best-fit"]).toMatchObject({ n: 4, mean: 83 / 4 });
    expect(g40.means.waitMeanS.k8s).toMatchObject({ n: 4, mean: 125 / 4 });
    // Differences −3, −2, −3: mean −8/3, sd √(1/3), so the half-width is T2 × (1/3).
    const d = g40.differences.waitMeanS.k8s;
    expect(d.n).toBe(3);
    expect(d.mean).toBeCloseTo(-8 / 3, 12);
    expect(d.low).toBeCloseTo(-4.100884243249821, 12);
    expect(d.high).toBeCloseTo(-8 / 3 + T2 / 3, 12);
    // One win (40m); the 20m group, with no pair, is not a tie.
    expect(r.winTieLoss.waitMeanS.k8s).toEqual({ win: 1, tie: 0, loss: 0, degenerate: 0 });
  });

  it("gives paired ratios as a geometric mean with the log ratios' interval, where every value is above 0", () => {
    // k8s ÷ best-fit: 2, 8 and 4 on seeds 1-3. Log ratios ln 2, ln 8, ln 4: mean ln 4, sd ln 2.
    const base = [1, 10, 100];
    const ratio = [2, 8, 4];
    const { report: r, markdown } = report({ seeds: [1, 2, 3], metrics: ["waitMeanS", "tasksWaitingAtEnd"] }, (run) => {
      const b = base[run.seed - 1];
      return ok({
        waitMeanS: run.scheduler === "best-fit" ? b : b * ratio[run.seed - 1],
        // A zero on one seed: no ratio.
        tasksWaitingAtEnd: run.seed === 2 ? 0 : run.scheduler === "best-fit" ? 3 : 5,
      });
    });
    const q = r.groups[0].ratios.waitMeanS.k8s;
    expect(q.n).toBe(3);
    expect(q.mean).toBeCloseTo(4, 12);
    expect(q.low).toBeCloseTo(4 * Math.exp((-T2 * Math.LN2) / Math.sqrt(3)), 12);
    expect(q.high).toBeCloseTo(4 * Math.exp((T2 * Math.LN2) / Math.sqrt(3)), 12);
    expect(r.groups[0].ratios.tasksWaitingAtEnd.k8s.n).toBe(0);
    expect(markdown).toContain("| waitMeanS | 4.00× [");
    expect(markdown).not.toContain("| tasksWaitingAtEnd | –");
  });

  it("does not rank bookkeeping fields", () => {
    const {
      report: r,
      markdown,
      plots,
    } = report({ seeds: [1, 2, 3] }, (run) =>
      ok({
        scheduler: run.scheduler,
        simTimeS: 7200,
        events:
          (run.scheduler === "k8s" ? 8000 : 7000) +
          run.seed * 100 +
          (run.scheduler === "k8s" && run.seed === 3 ? 50 : 0),
        tasksSubmitted: 3500 + run.seed,
        tasksLargerThanAnyNode: 2,
        waitMeanS: run.seed,
        tasksCompleted: 3000 + run.seed,
      }),
    );
    expect(r.metrics).toEqual([
      "simTimeS",
      "events",
      "tasksSubmitted",
      "tasksLargerThanAnyNode",
      "waitMeanS",
      "tasksCompleted",
    ]);
    expect(r.better).toEqual({
      simTimeS: "none",
      events: "none",
      tasksSubmitted: "none",
      tasksLargerThanAnyNode: "none",
      waitMeanS: "lower",
      tasksCompleted: "higher",
    });
    // k8s processed 1000, 1000 and 1050 more events: reported as a difference, but no loss.
    expect(r.groups[0].differences.events.k8s.mean).toBeCloseTo(3050 / 3, 9);
    expect(Object.keys(r.winTieLoss)).toEqual(["waitMeanS", "tasksCompleted"]);
    const table = markdown.slice(markdown.indexOf("## Win / tie / loss"), markdown.indexOf("## scenarios/"));
    expect(table).not.toMatch(/\| (simTimeS|events|tasksSubmitted|tasksLargerThanAnyNode) \|/);
    expect(table).toContain("| waitMeanS | 0 / 1 / 0 |");
    expect(markdown).toContain(
      "Not ranked (bookkeeping, or no better side): simTimeS, events, tasksSubmitted, tasksLargerThanAnyNode.",
    );
    expect(plots["plots/events.svg"]).toContain(">events (not ranked)</text>");
    expect(plots["plots/events.svg"]).not.toMatch(/better/);
    expect(plots["plots/waitMeanS.svg"]).toContain(">waitMeanS (lower is better");
  });

  it("classifies every numeric field a run's summary holds", async () => {
    // Fields written only with hardware effects, prices, CXL pools, GPU load checkpoints or services.
    const conditional = {
      energyKWh: "lower",
      cost: "lower",
      runTimeStretchMean: "lower",
      coldStarts: "lower",
      coldStartRate: "lower",
      appColdStartRateP75: "lower",
      warmIdleMemoryGiBh: "lower",
      startLatencyMeanS: "lower",
      cxlPoolAllocatedFraction: "none",
      cxlPooledTasks: "none",
      cxlSlowdownMean: "lower",
      gpuAllocatedFractionAtArrived130: "higher",
      gpuFragmentationFractionAtArrived90: "lower",
      // Written with services.
      serviceSloViolationMinutes: "lower",
      serviceRequestsDropped: "lower",
      serviceLatencyMeanS: "lower",
      serviceCallRetries: "lower",
      serviceCallTimeouts: "lower",
      serviceReplicaHours: "lower",
      serviceRequests: "none",
      cpuUsedFraction: "higher",
      serverlessCost: "lower",
      costWithServerless: "lower",
      batchTierCoreHours: "higher",
      // Written with predicted run times.
      jobsUnderpredicted: "none",
      runtimeCorrections: "none",
    };
    for (const [k, d] of Object.entries(conditional)) expect(metricDirection(k), k).toBe(d);
    for (const k of ["simTimeS", "events", "tasksSubmitted", "tasksLargerThanAnyNode"])
      expect(metricDirection(k), k).toBe("none");
    expect(metricDirection("noSuchField")).toBeUndefined();
    const spec = loadScenarioFile(SCENARIO, ['duration="10m"']);
    const summary = (await runScenario(spec, SCENARIO, { seed: 1 })).summary;
    const numeric = Object.keys(summary).filter((k) => typeof summary[k] === "number");
    expect(numeric.length).toBeGreaterThan(30);
    expect(numeric.filter((k) => metricDirection(k) === undefined)).toEqual([]);
  });

  it("clips the drawn interval of a non-negative metric at 0 and says so, reporting it as it is", () => {
    // best-fit waits 0, 0 and 3 s: mean 1, sd √3, so the interval is 1 ± T2 and reaches below 0.
    const { report: r, plots } = report({ seeds: [1, 2, 3], metrics: ["waitMeanS", "tasksCompleted"] }, (run) =>
      ok({
        waitMeanS: run.scheduler === "best-fit" ? [0, 0, 3][run.seed - 1] : 1,
        tasksCompleted: 9 + run.seed,
      }),
    );
    expect(r.groups[0].means.waitMeanS["best-fit"].low).toBeCloseTo(1 - T2, 12);
    const svg = plots["plots/waitMeanS.svg"];
    expect(svg).toContain(">waitMeanS (lower is better; interval clipped at 0)</text>");
    // The axis runs from 0 (y = 30 + 210 = 240) to the top of the interval, 1 + T2 (y = 30).
    expect(svg).toContain('<text x="56" y="244" text-anchor="end">0.00</text>');
    const whiskers = svgLines(svg);
    expect(whiskers.map((m) => [m[1], m[2]])).toEqual([["240.0", "30.0"]]);
    expect(svg).toContain("best-fit: [-3.30, 5.30], interval clipped at 0");
    // tasksCompleted 10, 11, 12: 11 ± T2/√3 stays above 0, nothing to clip.
    expect(plots["plots/tasksCompleted.svg"]).toContain(">tasksCompleted (higher is better)</text>");
  });

  it("labels each group of a plot with its scenario and parameter values", () => {
    const { plots } = report(
      { seeds: [1, 2], parameters: { utilisation: [0.5, 0.9], duration: ["20m"] }, metrics: ["waitMeanS"] },
      (run) => ok({ waitMeanS: run.seed }),
    );
    const svg = plots["plots/waitMeanS.svg"];
    for (const u of ["0.5", "0.9"]) {
      expect(svg).toContain(`<title>poisson-small, utilisation=${u}, duration=20m</title>`);
      expect(svg).toContain(`>utilisation=${u}</tspan>`);
    }
    expect(svg).toContain(">duration=20m</tspan>");
  });
});
