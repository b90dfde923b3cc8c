import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mergeSweeps, runSweep } from "@clustersim/experiments";
import { SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";
import { unreadReason } from "../src/sweep/field-reads.js";
import { arrivalsTrace, column, tmp } from "./sweep-fixtures.js";

// Fields a sweep sets that its scenarios do not read: refused when no run reads them, left out of the
// runs that do not (and said so) otherwise. The rule is in docs/guide/sweeps.md.

const CLUSTER = 'cluster: { nodeGroups: [{ name: workers, count: 2, cpu: "16", memory: 64Gi }] }';
const POISSON = [
  "duration: 10m",
  CLUSTER,
  'workloads: [{ type: poisson, ratePerS: 0.05, task: { run: 60, cpu: "1", memory: 1Gi } }]',
  "scheduler: { name: best-fit }",
];
const TRACE = [
  "duration: 10m",
  CLUSTER,
  "workloads: [{ type: trace, format: swf, path: jobs.swf }]",
  "scheduler: { name: best-fit }",
];

/** A directory with poisson.yaml, trace.yaml (80 jobs of an SWF trace) and sweep.yaml of these lines. */
function sweepDir(lines: string[]): { dir: string; sweep: string } {
  const dir = tmp();
  writeFileSync(join(dir, "poisson.yaml"), `${POISSON.join("\n")}\n`);
  writeFileSync(join(dir, "trace.yaml"), `${TRACE.join("\n")}\n`);
  writeFileSync(join(dir, "jobs.swf"), arrivalsTrace(80));
  const sweep = join(dir, "sweep.yaml");
  writeFileSync(sweep, `${lines.join("\n")}\n`);
  return { dir, sweep };
}

async function refusal(sweep: string, out: string): Promise<string[]> {
  const err = await runSweep(sweep, { out }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecError);
  return (err as SpecError).problems;
}

describe("a sweep's fields that no scenario reads", () => {
  it("are refused before the output directory exists, every one at once, with the nearest path", async () => {
    const { dir, sweep } = sweepDir([
      "name: unread",
      "scenarios: [poisson.yaml, trace.yaml]",
      "schedulers: [best-fit, { name: fgd, params: { tiebreak: first } }]",
      "parameters:",
      "  workloads.0.rate: [1]",
      "  workloads.0.ratePerS: [1]",
      "  workloads.3.ratePerS: [1]",
      "  colocation.interference: [0.2]",
      "  workloads.0.task.memory.mean: [1]",
      "seeds: 1",
    ]);
    const out = join(dir, "out");
    expect(await refusal(sweep, out)).toEqual([
      `${sweep}: schedulers.1.params.tiebreak: expected a parameter fgd declares (percentageOfNodesToScore, tieBreak, coverage), found "tiebreak" (did you mean schedulers.1.params.tieBreak?)`,
      `${sweep}: parameters.workloads.0.rate: expected a field that a scenario of the sweep reads, found none that does: poisson.yaml: workloads.0 (type: poisson) has no field "rate" (did you mean workloads.0.ratePerS?); trace.yaml: workloads.0 (type: trace) has no field "rate" (a field of type: rate-curve, functions)`,
      // workloads.0.ratePerS is read by poisson.yaml: left out of trace.yaml's runs, not refused.
      `${sweep}: parameters.workloads.3.ratePerS: expected a field that a scenario of the sweep reads, found none that does: poisson.yaml, trace.yaml: workloads has 1 item, no workloads.3 (did you mean workloads.0.ratePerS?)`,
      `${sweep}: parameters.colocation.interference: expected a field that a scenario of the sweep reads, found none that does: poisson.yaml, trace.yaml: the scenario has no colocation (give colocation whole to add it)`,
      `${sweep}: parameters.workloads.0.task.memory.mean: expected a field that a scenario of the sweep reads, found none that does: poisson.yaml: workloads.0.task.memory is "1Gi", not a section; trace.yaml: workloads.0 (type: trace) has no field "task" (a field of type: poisson, rate-curve, mmpp)`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("are refused in variants too: a strategy's parameter, a field set, a parameter", async () => {
    const { dir, sweep } = sweepDir([
      "name: unread-variants",
      "scenarios: [trace.yaml]",
      "variants:",
      "  - { label: a, scheduler: { name: fgd, params: { coverge: 0.9 } } }",
      "  - { label: b, set: { workloads.0.ratePerS: 1, workloads.0.onBadLine: skip, outputs.warmup: 1m } }",
      "  - { label: c, scheduler: { name: best-fit, params: { tieBreak: first } } }",
      "parameters: { workloads.0.onbadline: [skip] }",
      "seeds: 1",
    ]);
    expect(await refusal(sweep, join(dir, "out"))).toEqual([
      `${sweep}: variants.0.scheduler.params.coverge: expected a parameter fgd declares (percentageOfNodesToScore, tieBreak, coverage), found "coverge" (did you mean variants.0.scheduler.params.coverage?)`,
      `${sweep}: variants.2.scheduler.params.tieBreak: expected no parameters (best-fit declares none), found "tieBreak"`,
      `${sweep}: variants.1.set.workloads.0.ratePerS: expected a field that a scenario of the sweep reads, found none that does: trace.yaml: workloads.0 (type: trace) has no field "ratePerS" (a field of type: poisson)`,
      `${sweep}: parameters.workloads.0.onbadline: expected a field that a scenario of the sweep reads, found none that does: trace.yaml: workloads.0 (type: trace) has no field "onbadline" (did you mean workloads.0.onBadLine?)`,
    ]);
  });
});

describe("a sweep's fields that some scenarios read", () => {
  it("are left out of the runs of the others, said before the runs and in the report, sharded or not", async () => {
    const { dir, sweep } = sweepDir([
      "name: partly",
      "scenarios: [poisson.yaml, trace.yaml]",
      "schedulers: [best-fit, kubernetes-default]",
      "parameters: { workloads.0.ratePerS: [0.05, 0.1], scheduler.params.tieBreak: [first] }",
      "seeds: 1",
      "metrics: [tasksSubmitted]",
    ]);
    const notes = [
      'parameters.workloads.0.ratePerS: not read by trace.yaml, so left out of its runs: workloads.0 (type: trace) has no field "ratePerS" (a field of type: poisson)',
      'parameters.scheduler.params.tieBreak: not read by poisson.yaml with best-fit, trace.yaml with best-fit, so left out of their runs: scheduler.params (best-fit\'s parameters) has no field "tieBreak" (it has none)',
    ];
    const out = join(dir, "out");
    const said: string[] = [];
    const r = await runSweep(sweep, { out, onNote: (l) => said.push(l) });
    expect(said).toEqual(notes);
    expect(r.runs).toBe(8);
    expect(r.failed).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.notApplied).toEqual(notes);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain(`\n- ${notes[0]}\n- ${notes[1]}\n`);
    // Rows: poisson.yaml at 0.05 (best-fit, kubernetes-default), at 0.1, then trace.yaml likewise. The
    // trace's runs are one run at each value; poisson.yaml's twice the rate submits more.
    const submitted = column(out, "tasksSubmitted");
    expect(submitted.slice(4)).toEqual([80, 80, 80, 80]);
    expect(submitted[2]).toBeGreaterThan(submitted[0]);
    // Shards find the same omissions, and their merge states them.
    for (const i of [0, 1]) await runSweep(sweep, { out: join(dir, `s${i}`), shard: `${i}/2` });
    await mergeSweeps([join(dir, "s0"), join(dir, "s1")], join(dir, "merged"));
    for (const f of ["report.json", "results.csv"])
      expect(readFileSync(join(dir, "merged", f), "utf8")).toBe(readFileSync(join(out, f), "utf8"));
  });
});

describe("whether a scenario reads a path", () => {
  const data = {
    duration: "10m",
    cluster: { nodeGroups: [{ name: "workers", count: 2, cpu: "16", memory: "64Gi" }] },
    workloads: [{ type: "poisson", ratePerS: 1, task: { run: 60, cpu: "1", memory: "1Gi" } }],
    scheduler: { name: "best-fit" },
  };
  const reason = (path: string, d: unknown = data) => unreadReason(d, path.split("."));

  it("reads a field of a section it has, one the schema defaults, an optional field of its kind, a whole section", () => {
    for (const path of [
      "workloads.0.ratePerS",
      "workloads.0",
      "outputs.warmup",
      "scheduler.preemption.victims",
      "workloads.0.task.gpus",
      "colocation",
    ])
      expect(reason(path), path).toBeUndefined();
  });

  it("counts as read what only validation or the plug-in can judge", () => {
    const plugin = { ...data, scheduler: { name: "mine", plugin: "mine.ts" } };
    expect(reason("scheduler.params.anything", plugin)).toBeUndefined();
    expect(reason("scheduler.params.anything", { ...data, scheduler: { name: "bestfit" } })).toBeUndefined();
    expect(reason("workloads.0.ratePerS", { ...data, workloads: [{ type: "posson" }] })).toBeUndefined();
  });

  it("names where the path leaves the scenario", () => {
    expect(reason("workloads.1")).toBe("workloads has 1 item, no workloads.1 (did you mean workloads.0?)");
    expect(reason("services.0.replicas")).toBe("services has no items, no services.0");
    expect(reason("workloads.first")).toBe('workloads is a list, indexed by number (workloads.0), not by "first"');
    expect(reason("workloads.0.task.run.mean")).toBe("workloads.0.task.run is 60, not a section");
    expect(reason("scheduler.params.tieBreak", { ...data, scheduler: { name: "fgd" } })).toBeUndefined();
    expect(reason("scheduler.preemtion.victims")).toBe(
      'scheduler has no field "preemtion" (did you mean scheduler.preemption.victims?)',
    );
  });
});
