import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep } from "@clustersim/experiments";
import { describe, expect, it } from "vitest";
import { buildReport, type RunOutcome } from "../src/sweep/report.js";
import { reportMarkdown } from "../src/sweep/report-markdown.js";
import { expandSweep, Sweep } from "../src/sweep/sweep-spec.js";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const ok = (summary: Record<string, unknown>): RunOutcome => ({ ok: true, summary });

describe("a sweep of variants: any change to the scenario, paired against a baseline", () => {
  it("applies each variant's scheduler and fields, and keys a scheduler-only entry as a schedulers sweep does", () => {
    const variants = Sweep.parse({
      scenarios: ["s.yaml"],
      variants: [
        { label: "reactive", scheduler: "best-fit" },
        { label: "tuned", set: { "services.0.autoscaler.tolerance": 0.05, controllers: [] } },
      ],
      seeds: [1],
    });
    const [reactive, tuned] = expandSweep(variants, "/sweeps/sweep.yaml");
    expect(reactive.overrides).toEqual([`scheduler=${JSON.stringify({ name: "best-fit", params: {} })}`]);
    // No scheduler named: the scenario's own stays.
    expect(tuned.overrides).toEqual(["services.0.autoscaler.tolerance=0.05", "controllers=[]"]);
    expect(tuned.scheduler).toBe("tuned");
    const schedulers = Sweep.parse({
      scenarios: ["s.yaml"],
      schedulers: [{ name: "best-fit", label: "reactive" }],
      seeds: [1],
    });
    // Saved runs of a schedulers sweep resume under the same ids when it is written as variants.
    expect(expandSweep(schedulers, "/sweeps/sweep.yaml")[0].id).toBe(reactive.id);
  });

  it("refuses both axes or neither, and a baseline that labels nothing", () => {
    expect(() => Sweep.parse({ scenarios: ["s.yaml"], seeds: [1] })).toThrow(
      /exactly one of schedulers and variants, found neither/,
    );
    expect(() =>
      Sweep.parse({ scenarios: ["s.yaml"], schedulers: ["best-fit"], variants: [{ label: "a" }], seeds: [1] }),
    ).toThrow(/found both/);
    expect(() =>
      Sweep.parse({ scenarios: ["s.yaml"], variants: [{ label: "a" }, { label: "b" }], baseline: "c", seeds: [1] }),
    ).toThrow(/expected one of the variants' labels \(a, b\), found /);
  });

  it("a difference below the metric's practical threshold is a tie, however narrow its interval", () => {
    const spec = Sweep.parse({
      scenarios: ["s.yaml"],
      variants: [{ label: "a" }, { label: "b", set: { x: 1 } }],
      seeds: [1, 2, 3],
      metrics: ["waitMeanS"],
      practical: { waitMeanS: 1 },
    });
    const runs = expandSweep(spec, "/sweeps/sweep.yaml");
    // b waits 0.27, 0.26 and 0.28 s less than a on every seed: sure, and too small to matter.
    const wait = (label: string, seed: number) => 211 + seed - (label === "b" ? 0.26 + 0.01 * ((seed + 1) % 3) : 0);
    const small = buildReport(
      spec,
      runs,
      runs.map((r) => ok({ waitMeanS: wait(r.scheduler, r.seed) })),
    );
    expect(small.groups[0].differences.waitMeanS.b.high).toBeLessThan(0);
    expect(small.winTieLoss.waitMeanS.b).toEqual({ win: 0, tie: 1, loss: 0, degenerate: 0 });
    expect(reportMarkdown(small).markdown).toContain("practical thresholds): waitMeanS 1.000");
    // 10 s less: a win.
    const big = buildReport(
      spec,
      runs,
      runs.map((r) => ok({ waitMeanS: wait(r.scheduler, r.seed) - (r.scheduler === "b" ? 10 : 0) })),
    );
    expect(big.winTieLoss.waitMeanS.b).toEqual({ win: 1, tie: 0, loss: 0, degenerate: 0 });
  });

  it("end to end: the pre-scaler against the HPA alone, as two variants of one scenario", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-variants-"));
    copyFileSync(`${EXAMPLES}controllers/pre-scaler.ts`, join(dir, "pre-scaler.ts"));
    copyFileSync(`${EXAMPLES}controllers/pre-scaler.yaml`, join(dir, "pre-scaler.yaml"));
    const sweep = join(dir, "sweep.yaml");
    writeFileSync(
      sweep,
      [
        "name: prescale",
        "scenarios: [pre-scaler.yaml]",
        "variants:",
        "  - { label: hpa, set: { controllers: [] } }",
        "  - { label: pre-scaled }",
        "baseline: hpa",
        "seeds: 2",
        "metrics: [serviceSloAttainment, serviceReplicaHours]",
        "",
      ].join("\n"),
    );
    const out = join(dir, "out");
    await runSweep(sweep, { out });
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const d = report.groups[0].differences.serviceSloAttainment["pre-scaled"];
    // The fluid model draws each tick's arrivals from the seed: the two seeds' differences differ.
    expect(d.n).toBe(2);
    expect(d.mean).toBeGreaterThan(0.01);
    const counts = report.winTieLoss.serviceSloAttainment["pre-scaled"];
    expect(counts.degenerate).toBe(0);
    expect(counts.win + counts.tie).toBe(1);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("paired by seed against **hpa**");
  });
});
