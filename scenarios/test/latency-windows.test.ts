/**
 * What a services scenario measures: the warm-up left out, named windows reported apart, and
 * windows that cannot be measured refused at their field.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario, SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-windows-"));
let n = 0;
const write = (text: string) => {
  const path = join(dir, `s${n++}.yaml`);
  writeFileSync(path, text);
  return path;
};

// Four replicas ready after 30 s while 20 requests/s flow from 0 s (M/M/4 at ρ 0.5 once ready), then a
// 2-minute peak at 3.8 times the rate (ρ 0.95) from 600 s.
const scenario = (outputs: string) => `name: w
duration: 20m
cluster:
  nodeGroups:
    - { name: a, count: 2, cpu: "8", memory: 32Gi }
services:
  - name: web
    replica: { cpu: "1", memory: 1Gi }
    replicas: 4
    serviceTime: { dist: exponential, mean: 0.1 }
    cpuPerRequest: 0.05
    slo: { percentile: 99, target: 1s }
    readinessDelay: 30s
    rate:
      - { type: constant, ratePerS: 20 }
      - { type: piecewise, points: [[0, 1], [600, 1], [600, 3.8], [720, 3.8], [720, 1]] }
scheduler: { name: kubernetes-default }
${outputs}`;

type Summary = Record<string, unknown> & {
  services: Record<string, Record<string, number>>;
  serviceWindows?: Record<string, Record<string, Record<string, number>>>;
};

async function run(outputs: string): Promise<Summary> {
  const file = write(scenario(outputs));
  return (await runScenario(loadScenarioFile(file), file)).summary as Summary;
}

describe("measurement windows", () => {
  it("the start-up breaks the objective; a warm-up past it leaves it out, and the peak is reported apart", async () => {
    const all = await run("");
    const warm = await run("outputs:\n  warmup: 2m\n  windows: [{ name: peak, from: 600, to: 720 }]\n");
    const a = all.services.web;
    const w = warm.services.web;
    // 600 requests arrive before any replica is ready and wait beyond the 1 s target: the first minute breaks it.
    expect(a.sloViolationMinutes).toBeGreaterThanOrEqual(1);
    expect(a.sloAttainment).toBeLessThan(1 - 500 / 24_000);
    expect(a.latencyP999S).toBeGreaterThan(10);
    // After the warm-up: M/M/4 at ρ 0.5 and the peak's M/M/4 at ρ 0.95 (whose p99 is above the target).
    expect(w.latencyP50S).toBeLessThan(0.2);
    expect(w.sloAttainment).toBeGreaterThan(a.sloAttainment);
    // The totals are the run's either way.
    expect(w.requests).toBe(a.requests);
    const peak = warm.serviceWindows?.peak.web;
    expect(peak).toBeDefined();
    // 76 requests/s for 120 s: a Poisson count (arrivals are drawn per tick), within 4 standard deviations.
    expect(Math.abs((peak?.requests ?? 0) - 76 * 120)).toBeLessThan(4 * Math.sqrt(76 * 120));
    expect(peak?.latencyP99S).toBeGreaterThan(w.latencyP99S);
    expect(peak?.latencyP99S).toBeGreaterThan(1);
    expect(peak?.sloViolationMinutes).toBeGreaterThanOrEqual(1);
  });

  it("a warm-up as long as the run, a window past its end, or two windows of one name are refused at their field", () => {
    const problems = (outputs: string) => {
      try {
        loadScenarioFile(write(scenario(outputs)));
      } catch (err) {
        expect(err).toBeInstanceOf(SpecError);
        return (err as SpecError).problems.join("\n");
      }
      return "";
    };
    expect(problems("outputs: { warmup: 20m }")).toMatch(
      /outputs\.warmup.*shorter than the run \(1200 s\), found 1200 s/,
    );
    expect(problems("outputs: { windows: [{ name: p, from: 600, to: 1300 }] }")).toMatch(
      /outputs\.windows\[0\]\.to.*within the run \(1200 s\), found 1300 s/,
    );
    expect(problems("outputs: { windows: [{ name: p, from: 600, to: 500 }] }")).toMatch(/ending after it starts/);
    // Minutes and windows are counted in whole ticks.
    expect(problems("serviceTick: 7\n")).toMatch(/serviceTick.*divides a minute.*found 7 s/);
    expect(problems("serviceTick: 5\noutputs: { warmup: 62 }")).toMatch(
      /outputs\.warmup.*whole service ticks \(5 s\), found 62 s/,
    );
    expect(problems("outputs: { windows: [{ name: p, from: 0, to: 60 }, { name: p, from: 60, to: 120 }] }")).toMatch(
      /outputs\.windows\[1\]\.name.*"p" twice/,
    );
  });

  it("carries the scenario's clock and its windows into the replay, for the viewer; a clock that is no time of day is refused", async () => {
    const file = write(
      scenario('outputs:\n  replay: true\n  clock: "23:00"\n  windows: [{ name: peak, from: 600, to: 720 }]\n'),
    );
    const lines: string[] = [];
    await runScenario(loadScenarioFile(file), file, { onReplayLine: (l) => lines.push(l) });
    const header = JSON.parse(lines[0]);
    // 23:00 is 82,800 s after midnight.
    expect(header.clockStartS).toBe(82_800);
    expect(header.windows).toEqual([["peak", 600, 720]]);
    let message = "";
    try {
      loadScenarioFile(write(scenario('outputs: { clock: "24:30" }')));
    } catch (err) {
      message = (err as SpecError).problems.join("\n");
    }
    expect(message).toMatch(/outputs\.clock.*time of day/);
  });
});
