import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;

describe("a sweep is validated before anything runs", () => {
  it("stops on a misspelt scheduler, naming every run it would break, with no run done", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-sweep-"));
    writeFileSync(join(dir, "scenario.yaml"), readFileSync(SCENARIO, "utf8"));
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(
      sweep,
      "name: v\nscenarios: [scenario.yaml]\nschedulers: [best-fit, bestfit]\nparameters: { duration: [10m] }\nseeds: 2\n",
    );
    const out = join(dir, "out");
    const err = await runSweep(sweep, { out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpecError);
    const problems = (err as SpecError).problems;
    // The two seeds of the bad scheduler share one scenario and overrides: one problem for them.
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/sweep\.yaml: run \w+ \(.*scenario\.yaml\): .*scheduler\.name: .*found "bestfit"/);
    expect(existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")) : []).toEqual([]);
  });

  it("refuses a sweep name that would write outside results/", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-sweep-"));
    writeFileSync(join(dir, "scenario.yaml"), readFileSync(SCENARIO, "utf8"));
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(sweep, 'name: "../../escape"\nscenarios: [scenario.yaml]\nschedulers: [best-fit]\nseeds: 1\n');
    await expect(runSweep(sweep, { out: join(dir, "out") })).rejects.toThrow(/:1: name: expected a name of letters/);
  });
});

describe("a sweep's seeds, metrics and variants, when they would count nothing or one thing twice", () => {
  it.each([
    ["seeds: [1, 1]", /:4: seeds: expected distinct seeds \(a seed twice is one sample counted twice\), found 1 twice/],
    ["metrics: []", /:4: metrics: expected at least 1 item/],
    ["parameters: { seed: [5, 6] }", /:4: parameters: expected no seed here: `seeds` gives the sweep's seeds/],
  ])("refuses %s, running nothing", async (line, message) => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-sweep-"));
    writeFileSync(join(dir, "scenario.yaml"), readFileSync(SCENARIO, "utf8"));
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(sweep, `name: s\nscenarios: [scenario.yaml]\nschedulers: [best-fit]\n${line}\n`);
    await expect(runSweep(sweep, { out: join(dir, "out") })).rejects.toThrow(message);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("refuses a variant that sets its own seed (it was ignored: the variant ran the sweep's seeds)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-sweep-"));
    writeFileSync(join(dir, "scenario.yaml"), readFileSync(SCENARIO, "utf8"));
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(
      sweep,
      "name: s\nscenarios: [scenario.yaml]\nvariants:\n  - { label: a }\n  - { label: b, set: { seed: 5 } }\n",
    );
    await expect(runSweep(sweep, { out: join(dir, "out") })).rejects.toThrow(
      /variants\[1\]\.set: expected no seed here: every variant runs on the sweep's `seeds`/,
    );
  });
});

describe("a sweep's metrics", () => {
  it("refuses a metric no run reports, suggesting the nearest, with the runs saved to resume", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-sweep-"));
    writeFileSync(join(dir, "scenario.yaml"), readFileSync(SCENARIO, "utf8"));
    const sweep = join(dir, "sweep.yaml");
    const text = (metric: string) =>
      `name: m\nscenarios: [scenario.yaml]\nschedulers: [best-fit]\nparameters: { duration: [10m] }\nseeds: 2\nmetrics: [${metric}]\n`;
    writeFileSync(sweep, text("waitMeanSeconds"));
    const out = join(dir, "out");
    await expect(runSweep(sweep, { out })).rejects.toThrow(
      /metrics: expected summary metrics the runs report, found "waitMeanSeconds" \(did you mean "waitMeanS"\?\)/,
    );
    expect(readdirSync(join(out, "runs")).length).toBe(2);
    // Corrected, the sweep resumes from its saved runs and writes its report.
    writeFileSync(sweep, text("waitMeanS"));
    const r = await runSweep(sweep, { out });
    expect(r).toBeDefined();
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).metrics).toEqual(["waitMeanS"]);
  });
});
