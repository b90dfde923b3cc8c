/**
 * Every figure the docs mark (<!--fig SOURCE PATH FORMAT-->…<!--/fig-->, cli/src/docs/figures.ts) reads
 * what a fresh run of its command prints: a figure that drifts from its run fails here, and
 * `npm run docs:figures` rewrites it.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FIGURE_SOURCES } from "../cli/src/docs/figure-sources.js";
import { FORMATS, figuresIn, printed, rewritten } from "../cli/src/docs/figures.js";
import { markdownPages, runSources, updateFigures } from "../cli/src/docs/update-figures.js";

const ROOT = new URL("..", import.meta.url).pathname;
const pages = markdownPages().map((path) => ({ page: relative(ROOT, path), text: readFileSync(path, "utf8") }));
const marked = pages.flatMap((p) => figuresIn(p.text).map((f) => ({ ...f, page: p.page })));

describe("figures the docs quote", () => {
  it("marks read as the formats say, and a page is rewritten figure by figure", () => {
    const text = "a <!--fig s x.y pct1-->1%<!--/fig--> b <!--fig s n int-->0<!--/fig--> c";
    const results = new Map([["s", { x: { y: 0.7794 }, n: 4887.7 }]]);
    expect(figuresIn(text).map((f) => printed(f, results.get("s")))).toEqual(["77.9%", "4,888"]);
    expect(rewritten(text, results)).toBe(
      "a <!--fig s x.y pct1-->77.9%<!--/fig--> b <!--fig s n int-->4,888<!--/fig--> c",
    );
    expect(FORMATS.interval3({ mean: 0.9531, low: 0.95, high: 0.9564 })).toBe("0.953 [0.950, 0.956]");
    expect(() => printed(figuresIn(text)[0], { x: {} })).toThrow(/no such field/);
  });

  it("with --only, the sources not rerun keep their figures as they read", () => {
    const text = "a <!--fig s n int-->0<!--/fig--> b <!--fig t n int-->7<!--/fig--> c";
    const results = new Map([["s", { n: 4887.7 }]]);
    expect(rewritten(text, results, true)).toBe(
      "a <!--fig s n int-->4,888<!--/fig--> b <!--fig t n int-->7<!--/fig--> c",
    );
    expect(() => rewritten(text, results)).toThrow(/no such field/);
    // With a list for problems, a figure its run cannot print keeps its text; the others are written.
    const problems: string[] = [];
    const both = new Map<string, unknown>([...results, ["t", { m: 1 }]]);
    expect(rewritten(text, both, true, problems)).toBe(
      "a <!--fig s n int-->4,888<!--/fig--> b <!--fig t n int-->7<!--/fig--> c",
    );
    expect(problems).toEqual(["figure t n: the run has no such field"]);
    expect(() => updateFigures(["no-such-source"])).toThrow(/--only: expected figure sources .*found "no-such-source"/);
    expect(() => updateFigures([])).toThrow(/--only: expected figure sources, found none/);
  });

  it("name known sources and formats, in README and the guide, and never begin a line", () => {
    expect(marked.length).toBeGreaterThan(10);
    // A comment that begins a line starts an HTML block in Markdown: the paragraph around it would break.
    for (const p of pages) expect(p.text, p.page).not.toMatch(/^<!--fig/m);
    for (const f of marked) {
      expect(Object.keys(FIGURE_SOURCES), `${f.page}: ${f.source}`).toContain(f.source);
      expect(Object.keys(FORMATS), `${f.page}: ${f.format}`).toContain(f.format);
    }
  });

  it("each read what a fresh run of its command prints (heavy sources: by npm run docs:figures)", () => {
    const checked = marked.filter((f) => !FIGURE_SOURCES[f.source]?.heavy);
    const results = runSources(checked.map((f) => f.source));
    for (const f of checked) {
      expect(f.text, `${f.page}: ${f.source} ${f.path} (npm run docs:figures rewrites it)`).toBe(
        printed(f, results.get(f.source)),
      );
    }
    // The README's comparison, as it says: FGD ahead of best fit at 130% arrived load on every seed.
    const report = results.get("compare-fgd") as { winTieLoss: Record<string, Record<string, { win: number }>> };
    expect(report.winTieLoss.gpuAllocatedFractionAtArrived130.fgd.win).toBe(1);
    // Load-aware placement (docs/guide/schedulers.md), as it says: every load-aware variant keeps the
    // objective whole on every seed; only the default and average-80 preempt (3 and 2 jobs over 10
    // seeds); the trend ties its reactive twin on minutes over the limit and loses on use and jobs.
    const placement = results.get("load-aware-placement") as {
      winTieLoss: Record<string, Record<string, { win: number; tie: number; loss: number }>>;
      groups: { means: Record<string, Record<string, { mean: number; degenerate?: boolean }>> }[];
    };
    const means = placement.groups[0].means;
    for (const variant of ["average", "trend", "average-80", "trend-80", "estimate-85"]) {
      expect(means.serviceSloViolationMinutes[variant], variant).toMatchObject({ mean: 0, degenerate: true });
    }
    for (const variant of ["average", "trend", "trend-80", "estimate-85"]) {
      expect(means.tasksPreempted[variant], variant).toMatchObject({ mean: 0, degenerate: true });
    }
    expect(means.tasksPreempted.default.mean * 10).toBeCloseTo(3, 9);
    expect(means.tasksPreempted["average-80"].mean * 10).toBeCloseTo(2, 9);
    const trend = (metric: string) => placement.winTieLoss[metric].trend;
    expect(trend("serviceSloAttainment").tie).toBe(1);
    expect(trend("loadAwareOverLimitShare").tie).toBe(1);
    expect(trend("cpuUsedFraction").loss).toBe(1);
    expect(trend("tasksCompleted").loss).toBe(1);
  });
});
