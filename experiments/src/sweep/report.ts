import quantileT from "@stdlib/stats-base-dists-t-quantile";
import type { SweepRun, SweepSpec } from "./sweep-spec.js";

/**
 * A sweep's results as tables and statistics: one row per run, and per metric, group (scenario and
 * parameter values) and scheduler the mean with a 95% Student-t confidence interval over seeds, the
 * paired difference against the baseline scheduler on the same seeds (common random numbers), and a
 * win/tie/loss count where a difference whose interval excludes zero is a win or a loss.
 */
export interface RunOutcome {
  ok: boolean;
  summary?: Record<string, unknown>;
  error?: string;
}

export interface Interval {
  n: number;
  mean: number;
  low: number;
  high: number;
}

export interface GroupReport {
  scenario: string;
  parameters: Record<string, unknown>;
  /** metric → scheduler → interval */
  means: Record<string, Record<string, Interval>>;
  /** metric → scheduler → paired difference (scheduler − baseline) */
  differences: Record<string, Record<string, Interval>>;
}

export interface SweepReport {
  name: string;
  baseline: string;
  metrics: string[];
  runs: number;
  failed: number;
  groups: GroupReport[];
  /** metric → scheduler → { win, tie, loss } against the baseline over groups */
  winTieLoss: Record<string, Record<string, { win: number; tie: number; loss: number }>>;
}

/** Metrics where more is better; every other one is better lower (waits, slowdown, energy, failures). */
const HIGHER_IS_BETTER = new Set([
  "tasksStarted",
  "tasksCompleted",
  "cpuAllocatedFraction",
  "memoryAllocatedFraction",
  "gpuAllocatedFraction",
]);
export const higherIsBetter = (metric: string) => HIGHER_IS_BETTER.has(metric);

const NOT_METRICS = new Set(["seed", "version", "tool", "scenario", "specHash", "scheduler", "notModelled"]);

/** The metrics to report: as asked, or every numeric summary field in the order the first run gives them. */
export function metricNames(spec: SweepSpec, outcomes: readonly (RunOutcome | undefined)[]): string[] {
  if (spec.metrics) return spec.metrics;
  const first = outcomes.find((o) => o?.ok)?.summary ?? {};
  return Object.keys(first).filter((k) => !NOT_METRICS.has(k) && typeof first[k] === "number");
}

/** Mean and 95% t interval; a single value has an unbounded interval. */
export function interval(xs: readonly number[]): Interval {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { n, mean: NaN, low: NaN, high: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, low: -Infinity, high: Infinity };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = quantileT(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, low: mean - half, high: mean + half };
}

export function buildReport(
  spec: SweepSpec,
  runs: readonly SweepRun[],
  outcomes: readonly (RunOutcome | undefined)[],
): SweepReport {
  const labels = spec.schedulers.map((s) => s.label);
  const baseline = spec.baseline ?? labels[0];
  const metrics = metricNames(spec, outcomes);
  const groups = new Map<string, { scenario: string; parameters: Record<string, unknown>; runs: SweepRun[] }>();
  for (const r of runs) {
    const key = JSON.stringify([r.scenario, r.parameters]);
    if (!groups.has(key)) groups.set(key, { scenario: r.scenario, parameters: r.parameters, runs: [] });
    groups.get(key)!.runs.push(r);
  }
  const value = (r: SweepRun, m: string) => {
    const o = outcomes[r.index];
    const x = o?.ok ? o.summary?.[m] : undefined;
    return typeof x === "number" ? x : NaN;
  };
  const wtl: SweepReport["winTieLoss"] = {};
  const out: GroupReport[] = [];
  for (const g of groups.values()) {
    const means: GroupReport["means"] = {};
    const differences: GroupReport["differences"] = {};
    for (const m of metrics) {
      means[m] = {};
      differences[m] = {};
      for (const s of labels) means[m][s] = interval(g.runs.filter((r) => r.scheduler === s).map((r) => value(r, m)));
      for (const s of labels) {
        if (s === baseline) continue;
        const base = new Map(g.runs.filter((r) => r.scheduler === baseline).map((r) => [r.seed, value(r, m)]));
        const d = g.runs
          .filter((r) => r.scheduler === s && base.has(r.seed))
          .map((r) => value(r, m) - base.get(r.seed)!);
        const iv = interval(d);
        differences[m][s] = iv;
        const t = ((wtl[m] ??= {})[s] ??= { win: 0, tie: 0, loss: 0 });
        if (!(iv.low > 0 || iv.high < 0)) t.tie++;
        else if (iv.low > 0 === higherIsBetter(m)) t.win++;
        else t.loss++;
      }
    }
    out.push({ scenario: g.scenario, parameters: g.parameters, means, differences });
  }
  return {
    name: spec.name ?? "sweep",
    baseline,
    metrics,
    runs: runs.length,
    failed: outcomes.filter((o) => o && !o.ok).length,
    groups: out,
    winTieLoss: wtl,
  };
}

/** results.csv: one row per run in sweep order, every metric; the same bytes whatever ran it. */
export function resultsCsv(
  spec: SweepSpec,
  runs: readonly SweepRun[],
  outcomes: readonly (RunOutcome | undefined)[],
  metrics: readonly string[],
): string {
  const params = Object.keys(spec.parameters);
  const head = ["run", "id", "scenario", "scheduler", "seed", ...params, "status", "error", ...metrics];
  const rows = runs.map((r) => {
    const o = outcomes[r.index];
    const status = !o ? "missing" : o.ok ? "ok" : "failed";
    return [
      String(r.index),
      r.id,
      r.scenario,
      r.scheduler,
      String(r.seed),
      ...params.map((p) => JSON.stringify(r.parameters[p])),
      status,
      o?.error ?? "",
      ...metrics.map((m) => {
        const x = o?.ok ? o.summary?.[m] : undefined;
        return typeof x === "number" && Number.isFinite(x) ? String(x) : "";
      }),
    ]
      .map(csvCell)
      .join(",");
  });
  return `${[head.map(csvCell).join(","), ...rows].join("\n")}\n`;
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
