import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fuzz } from "../src/fuzz/fuzz.js";
import { servicesJudged } from "../src/fuzz/services-judged.js";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures/fuzz/", import.meta.url).pathname;

describe("fuzzing the command's inputs", () => {
  it.each([
    [
      "empty.yaml",
      ["--set", "duration=60s"],
      /empty\.yaml: expected a scenario \(a mapping of fields\) to apply --set to, found an empty document/,
    ],
    ["alias-before-anchor.yaml", [], /alias-before-anchor\.yaml: expected valid YAML or JSON, found Unresolved alias/],
  ])("an input that once failed, %s, gets one line and exit code 2", (file, extra, message) => {
    const r = spawnSync(process.execPath, [BIN, "run", FIXTURES + file, "--out", "/nonexistent/x", ...extra], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("a short run on mutated examples and trace heads: every input ends with exit 0 or 2, no internal error", async () => {
    // A count of inputs, not a time: a busy machine feeds the same ones, only later.
    const report = await fuzz({ seconds: 3600, inputs: 12, seed: 7, parallel: 2, timeoutMs: 60_000 });
    expect(report.inputs).toBe(12);
    expect(report.findings.map((f) => `${f.target}: ${f.why}\n${f.stderr}`)).toEqual([]);
  });

  it("generated services scenarios run under --check, and their figures keep to their definitions", async () => {
    const report = await fuzz({
      seconds: 3600,
      inputs: 4,
      seed: 3,
      parallel: 2,
      timeoutMs: 60_000,
      only: "generated services",
    });
    expect(report.findings.map((f) => `${f.target}: ${f.why}\n${f.stderr}`)).toEqual([]);
    // Most generated scenarios are valid: the runs, not only the validator, were reached.
    expect(report.exits["0"]).toBeGreaterThanOrEqual(2);
  });
});

describe("judging a services run that exited 0", () => {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-judge-"));
  const GOOD = {
    requests: 100,
    requestsServed: 60,
    requestsDropped: 30,
    requestsFailed: 10,
    replicaHours: 2,
    readyReplicaHours: 1.5,
    cpuUsedCoreHours: 0.1,
    cpuRequestedCoreHours: 1,
    serverlessCost: 0,
    sloAttainment: 0.9,
    latencyP50S: 0.1,
    latencyP90S: 0.2,
    latencyP99S: null,
    latencyP999S: 0.5,
  };
  const judged = (service: Record<string, unknown>, cpuUsedFraction = 0.5) => {
    const out = join(dir, String(Math.random()));
    mkdirSync(out);
    writeFileSync(join(out, "summary.json"), JSON.stringify({ cpuUsedFraction, services: { api: service } }));
    return servicesJudged(out);
  };

  it("passes figures that keep to their definitions (a percentile left out is skipped)", () => {
    expect(judged(GOOD)).toBeUndefined();
  });

  it.each([
    ["served and dropped above the requests", { requestsDropped: 41 }, /served and dropped add to 101/],
    ["more failed than served", { requestsFailed: 61 }, /requestsFailed 61 above requestsServed 60/],
    ["a count that is null (a NaN written out)", { requests: null }, /requests is null/],
    ["ready above placed", { readyReplicaHours: 2.5 }, /readyReplicaHours 2.5 above replicaHours 2/],
    ["attainment above 1", { sloAttainment: 1.2 }, /sloAttainment 1.2/],
    ["a percentile below the one before", { latencyP999S: 0.15 }, /latencyP999S is 0.15, below .* \(0.2\)/],
  ])("finds %s", (_, change, message) => {
    expect(judged({ ...GOOD, ...change })).toMatch(message);
  });

  it("finds CPU in use above the cluster's, and a missing summary", () => {
    expect(judged(GOOD, 1.17)).toMatch(/cpuUsedFraction 1.17/);
    expect(servicesJudged(join(dir, "none"))).toMatch(/without a readable summary\.json/);
  });
});
