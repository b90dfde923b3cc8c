/**
 * `clustersim search`, run as a user runs it: its answer against a brute-force sweep over every value of
 * the range with the same seeds, the ends of the range, reuse of saved runs, bad input and its help.
 * Both scenarios run in well under a second.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures/search/", import.meta.url).pathname;
/** An M/M/c queue, 8 cores of load, on `cluster.nodeGroups.0.count` one-core nodes. */
const MMC = join(FIXTURES, "mmc-capacity.yaml");
/** A web service of 24 one-core replicas on two-core nodes: 3 nodes serve nothing in time, 4 nearly all. */
const WEB = join(FIXTURES, "web-capacity.yaml");
const COUNT = "cluster.nodeGroups.0.count";

function clustersim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tmp = () => mkdtempSync(join(tmpdir(), "clustersim-search-"));
const searchJson = (dir: string) => JSON.parse(readFileSync(join(dir, "search.json"), "utf8"));

/** One line of a CSV without quoted commas (results.csv's numbers and names). */
const rows = (csv: string) => {
  const [head, ...lines] = csv.trim().split("\n");
  const names = head.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i], v])));
};

describe("clustersim search", () => {
  it("finds the value that a brute-force sweep over the same range and seeds finds, and reuses its runs when run again", () => {
    const dir = tmp();
    const seeds = [1, 2, 3];
    // Every value of the range, with the search's seeds, through the sweep.
    const sweep = join(dir, "brute.yaml");
    const values = Array.from({ length: 15 }, (_, i) => 6 + i);
    writeFileSync(
      sweep,
      `name: brute\nscenarios: [${MMC}]\nvariants: [{ label: mmc }]\nparameters: { ${COUNT}: [${values.join(", ")}] }\nseeds: [${seeds.join(", ")}]\nmetrics: [waitMeanS]\n`,
    );
    const brute = clustersim("sweep", sweep, "--out", join(dir, "brute"), "--workers", "2", "--quiet");
    expect(brute.code, brute.stderr).toBe(0);
    const results = rows(readFileSync(join(dir, "brute", "results.csv"), "utf8"));
    const waits = (v: number) =>
      seeds.map((s) => Number(results.find((r) => r[COUNT] === String(v) && r.seed === String(s))!.waitMeanS));
    // waitMeanS <= 1 with 95% confidence: the upper one-sided bound, mean + t(0.95, 2) · sd / √3, at most 1;
    // t(0.95, 2) = 2.919986 from a table; the value itself when every seed gives the same.
    const upper = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      if (xs.every((x) => x === xs[0])) return xs[0];
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      return mean + (2.919986 * sd) / Math.sqrt(xs.length);
    };
    const meets = values.filter((v) => upper(waits(v)) <= 1);
    const smallest = meets[0];
    // The range holds both sides of the boundary, and the brute force finds it monotone.
    expect(smallest).toBeGreaterThan(6);
    expect(meets).toEqual(values.filter((v) => v >= smallest));

    const out = join(dir, "search");
    const args = [MMC, "--vary", COUNT, "--min", "6", "--max", "20", "--objective", "waitMeanS <= 1", "--out", out];
    const r = clustersim("search", ...args, "--seeds", "3", "--workers", "2");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `Answer: ${COUNT} = ${smallest}, the smallest value from 6 to 20 that meets the objective`,
    );
    const s = searchJson(out);
    expect(s).toMatchObject({ status: "found", answer: smallest, seeds, objective: "waitMeanS <= 1" });
    // Bisection: the two ends, then about log2(15) values, not all 15; each judged on the same seeds as
    // the sweep's runs, with the same results (common random numbers).
    expect(s.evaluations.length).toBeLessThanOrEqual(2 + 4);
    expect(s.evaluations.map((e: { value: number }) => e.value).slice(0, 2)).toEqual([20, 6]);
    for (const e of s.evaluations) {
      expect(e.metrics[0].values, `at ${e.value}`).toEqual(waits(e.value));
      expect(e.meets, `at ${e.value}`).toBe(meets.includes(e.value));
    }
    expect(s.runs).toEqual({ total: 3 * s.evaluations.length, ran: 3 * s.evaluations.length, reused: 0 });
    expect(readdirSync(join(out, "runs"))).toHaveLength(3 * s.evaluations.length);
    // The boundary: the answer and the value below it, both judged, with their bounds.
    const line = r.stdout.split("\n").find((l) => l.trim().startsWith("waitMeanS <= 1: at"))!;
    expect(line).toMatch(
      new RegExp(
        `at ${smallest}, mean [\\d.]+, upper 95% bound [\\d.]+ \\(meets\\); at ${smallest - 1}, mean [\\d.]+, upper 95% bound [\\d.]+ \\(fails\\)`,
      ),
    );
    expect(r.stdout).toMatch(/one-sided 95% Student-t bound over the 3 seeds/);

    // Run again into the same directory: every run is reused, the answer the same.
    const again = clustersim("search", ...args, "--seeds", "1,2,3");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`runs: ${3 * s.evaluations.length} (0 run now, ${3 * s.evaluations.length} reused)`);
    expect(searchJson(out).answer).toBe(smallest);
  });

  it("answers the smallest value when it meets already, with * for every service, and the cost there", () => {
    const out = tmp();
    const r = clustersim(
      "search",
      WEB,
      "--vary",
      COUNT,
      "--min",
      "4",
      "--max",
      "8",
      "--objective",
      "services.*.sloAttainment ≥ 0.9999",
      "--seeds",
      "2",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Answer: ${COUNT} = 4, the smallest value from 4 to 8 that meets the objective`);
    expect(r.stdout).toContain("at the boundary: 4 is the smallest value of the range (nothing below it was tried)");
    // 4 nodes at 0.5 an hour for the 20 minutes: 0.6667, on every seed.
    expect(r.stdout).toContain("cost at 4: nodes 0.666667 (same on every seed)");
    const s = searchJson(out);
    expect(s.evaluations.map((e: { value: number; meets: boolean }) => [e.value, e.meets])).toEqual([
      [8, true],
      [4, true],
    ]);
    expect(s.evaluations[0].metrics.map((m: { metric: string }) => m.metric)).toEqual(["services.web.sloAttainment"]);
    expect(s.cost.cost).toMatchObject({ mean: 2 / 3, degenerate: true });
  });

  it("says the objective is not met within the range when the largest value fails it, exit code 1", () => {
    const out = tmp();
    const r = clustersim(
      "search",
      WEB,
      "--vary",
      COUNT,
      "--min",
      "1",
      "--max",
      "3",
      "--objective",
      "services.*.sloAttainment >= 0.9999",
      "--seeds",
      "2",
      "--out",
      out,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Not met: ${COUNT} = 3, the largest value of the range, fails the objective`);
    expect(r.stdout).toContain("services.*.sloAttainment >= 0.9999: services.web.sloAttainment 0 (same on every seed)");
    const s = searchJson(out);
    expect(s).toMatchObject({ status: "not met", answer: null });
    // Nothing below the largest value is tried.
    expect(s.evaluations.map((e: { value: number }) => e.value)).toEqual([3]);
  });

  it("warns when a larger value does worse on the same seeds: an objective on cost, judged at both ends at once", () => {
    const out = tmp();
    // Four workers for two seeds: two values a round, so both ends are judged together.
    const r = clustersim(
      "search",
      WEB,
      "--vary",
      COUNT,
      "--min",
      "2",
      "--max",
      "8",
      "--objective",
      "services.*.sloAttainment >= 0.9999 and cost <= 0.7",
      "--seeds",
      "2",
      "--workers",
      "4",
      "--oversubscribe",
      "--out",
      out,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("2 values at a time");
    expect(r.stdout).toContain(`Not met: ${COUNT} = 8, the largest value of the range, fails the objective`);
    // 8 nodes cost 8 × 20 min × 0.5 an hour = 1.3333, 2 nodes 0.3333: 1 more on each seed.
    expect(r.stdout).toContain("warning: the objective may not be monotone in cluster.nodeGroups.0.count");
    expect(r.stdout).toContain(
      `cost is worse at ${COUNT} = 8 than at 2 on the same seeds (mean change 1, on every seed)`,
    );
    expect(searchJson(out).notes).toMatchObject([{ kind: "metric", smaller: 2, larger: 8, metric: "cost" }]);
  });

  it("refuses a bad objective, and a metric no run reports with the nearest one, exit code 2 and one line", () => {
    const base = [WEB, "--vary", COUNT, "--min", "1", "--max", "8", "--seeds", "2"];
    const syntax = clustersim("search", ...base, "--objective", "services.*.sloAttainment = 0.999", "--out", tmp());
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toBe(
      'clustersim: --objective "services.*.sloAttainment = 0.999": expected a comparison (>=, <=, >, <, ≥ or ≤), found "=" at character 26\n',
    );
    const out = tmp();
    const metric = clustersim("search", ...base, "--objective", "services.*.sloAtainment >= 0.999", "--out", out);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(
      /^clustersim: --objective: services\.\*\.sloAtainment: the runs report no such metric \(services\.web has no "sloAtainment"; did you mean services\.\*\.sloAttainment\?\)/,
    );
    expect(metric.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Refused at the first run's result: no more runs than that.
    expect(readdirSync(join(out, "runs")).length).toBeLessThanOrEqual(1);
    const vary = clustersim(
      "search",
      WEB,
      "--vary",
      "cluster.nodeGroup.0.count",
      "--min",
      "1",
      "--max",
      "8",
      "--objective",
      "cost <= 1",
      "--out",
      tmp(),
    );
    expect(vary).toMatchObject({
      code: 2,
      stderr: 'clustersim: --vary cluster.nodeGroup.0.count=1: cluster: unknown field "nodeGroup"\n',
    });
    // A sweep's directory is not a search's.
    const sweepDir = tmp();
    writeFileSync(join(sweepDir, "sweep.json"), "{}\n");
    expect(clustersim("search", ...base, "--objective", "cost <= 1", "--out", sweepDir)).toMatchObject({
      code: 2,
      stderr: `clustersim: --out ${sweepDir}: holds a sweep's results (sweep.json): choose another --out for the search\n`,
    });
    const range = clustersim("search", WEB, "--vary", COUNT, "--min", "1", "--max", "x", "--objective", "cost <= 1");
    expect(range).toMatchObject({ code: 2, stderr: 'clustersim: --max: expected a number, found "x"\n' });
    // A fractional step for a whole-number field: refused before any run (once, after two).
    const halves = tmp();
    const step = clustersim("search", ...base, "--step", "0.5", "--objective", "cost <= 1", "--out", halves);
    expect(step).toMatchObject({
      code: 2,
      stderr: `clustersim: --vary ${COUNT}=1.5: cluster.nodeGroups[0].count: expected int, found 1.5\n`,
    });
    expect(existsSync(join(halves, "runs"))).toBe(false);
  });

  it("documents its options, the objective language and its exit codes in --help", () => {
    const help = clustersim("search", "--help");
    expect(help.code).toBe(0);
    for (const option of [
      "--vary <path>",
      "--min <n>",
      "--max <n>",
      "--step <n>",
      "--objective <expr>",
      "--seeds <n|list>",
      "--confidence <p>",
      "--set <path=value>",
      "--workers <n>",
      "--out <dir>",
    ])
      expect(help.stdout).toContain(option);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("a path's * is every key at its level");
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "Exit 0 with an answer, 1 when --max fails the objective or a run fails",
    );
  });
});
