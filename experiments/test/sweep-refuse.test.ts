/**
 * A sweep refuses, before it runs anything, what its runs would refuse before their first event: once,
 * a sweep over a scenario that validates but cannot start ran every job and failed each (exit 1).
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { SpecError } from "@clustersim/scenarios";
import { expect, it } from "vitest";

it("refuses up front a scenario whose runs could not start (a service time of no finite mean), running nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-sweep-refuse-"));
  writeFileSync(
    join(dir, "s.yaml"),
    [
      "name: s",
      "duration: 10m",
      'cluster: { nodeGroups: [{ name: a, count: 2, cpu: "8", memory: 32Gi }] }',
      "services:",
      '  - { name: web, replica: { cpu: "1", memory: 1Gi }, replicas: 2, cpuPerRequest: 0.01,',
      "      slo: { percentile: 99, target: 1s }, serviceTime: { dist: pareto, xm: 0.1, alpha: 0.9 },",
      "      rate: [{ type: constant, ratePerS: 10 }] }",
      "scheduler: { name: kubernetes-default }",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "sweep.yaml"),
    ["name: r", "scenarios: [s.yaml]", "schedulers: [{ name: kubernetes-default }]", "seeds: 3", ""].join("\n"),
  );
  const out = join(dir, "out");
  const error = await runSweep(join(dir, "sweep.yaml"), { out }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SpecError);
  const problems = (error as SpecError).problems;
  // One problem for the scenario, not one per seed.
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(
    /sweep\.yaml: run .* \(.*s\.yaml\): .*serviceTime: expected a distribution with a finite mean/,
  );
  expect(existsSync(join(out, "sweep.json"))).toBe(false);
  expect(existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")) : []).toEqual([]);
});
