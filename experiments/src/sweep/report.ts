import { InputError } from "@clustersim/files";
import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { nearest } from "./nearest.js";
import type { SweepRun, SweepSpec } from "./sweep-spec.js";

/**
 * A sweep's results as tables and statistics: one row per run, and per metric, group (scenario and
 * parameter values) and scheduler the mean with a 95% Student-t confidence interval over seeds, the
 * paired difference against the baseline scheduler on the same seeds (common random numbers), and, for
 * ranked metrics, a win/tie/loss count where a difference whose interval excludes zero is a win or a loss.
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
  /**
   * Every value was the same (a trace replay that ignores the seed): the zero width says nothing about
   * uncertainty, as the seeds gave one sample, not n. Absent otherwise.
   */
  degenerate?: true;
}

export interface GroupReport {
  scenario: string;
  parameters: Record<string, unknown>;
  /** metric → scheduler → interval */
  means: Record<string, Record<string, Interval>>;
  /** metric → scheduler → paired difference (scheduler − baseline) over seeds where both runs succeeded */
  differences: Record<string, Record<string, Interval>>;
  /**
   * metric → scheduler → paired ratio (scheduler ÷ baseline): the geometric mean over the same seeds,
   * its interval the t interval of the log ratios taken back by exp. Only where every paired value is
   * above 0. A change that scales with the case (a policy that halves the wait, on windows of a trace
   * whose waits range over orders of magnitude) shows here when the differences' interval is swamped by
   * the largest cases.
   */
  ratios: Record<string, Record<string, Interval>>;
}

export interface WinTieLoss {
  win: number;
  tie: number;
  loss: number;
  /** Groups whose paired difference was the same non-zero number on every seed: neither win nor loss. */
  degenerate: number;
}

export interface SweepReport {
  name: string;
  /** What the sweep compares: schedulers, or variants of the scenario. */
  axis: "scheduler" | "variant";
  baseline: string;
  /** metric → the smallest paired difference that counts as a win or a loss (absent: any). */
  practical: Record<string, number>;
  metrics: string[];
  /** metric → which way is better, or "none" for a metric that does not rank schedulers */
  better: Record<string, Direction>;
  runs: number;
  failed: number;
  groups: GroupReport[];
  /** ranked metric → scheduler → counts over groups against the baseline; a group with no paired seed is in none */
  winTieLoss: Record<string, Record<string, WinTieLoss>>;
  /**
   * Fields the sweep sets that some of its scenarios do not read, left out of those scenarios' runs:
   * a line per field and reason, naming the runs and why (`omissionNotes`). Absent: none.
   */
  notApplied?: string[];
}

export type Direction = "higher" | "lower" | "none";

/**
 * How each numeric field of a run's summary ranks schedulers; the one place that says so. Every field
 * here is a count, duration, fraction, energy or cost, so none is ever below zero (plots clip their
 * intervals at 0). A field not listed is not ranked: a win claimed in a guessed direction would mislead.
 */
const DIRECTIONS: Record<string, Direction> = {
  // Bookkeeping. Simulated time and event counts describe the simulation, not the schedule; tasks
  // submitted, too large for any node or without a run time are set by the workload and the cluster.
  simTimeS: "none",
  events: "none",
  tasksSubmitted: "none",
  tasksLargerThanAnyNode: "none",
  tasksWithoutRunTime: "none",
  // Replicas a controller removed (scaled down) and the requests offered to services: set by the
  // autoscalers and the traffic.
  tasksRemoved: "none",
  serviceRequests: "none",
  // Predicted run times: how often a prediction fell short and was raised. Describes the predictor,
  // not the schedule (the waits and slowdowns carry what it cost).
  jobsUnderpredicted: "none",
  runtimeCorrections: "none",
  // Load-aware placement: placements made, and how often their nodes' usage went past the threshold
  // they were placed under. The placements count the work placed (tasksStarted ranks it); how often
  // usage passed the forecast describes the forecast (its stated risk), not the schedule.
  loadAwarePlacements: "none",
  loadAwareLimitCrossedShare: "lower",
  loadAwareOverLimitShare: "lower",
  loadAwareUsageOverForecastShare: "none",
  batchReclaimUsageOverForecastShare: "none",
  // Levels with no better side: more tasks still running at the end, a higher peak allocation or more
  // use of the CXL pool can each come from a better schedule or from a backlog (cxlSlowdownMean and
  // memoryAllocatedFraction carry the pool's cost and benefit).
  tasksRunningAtEnd: "none",
  cpuAllocatedPeakFraction: "none",
  memoryAllocatedPeakFraction: "none",
  gpuAllocatedPeakFraction: "none",
  cxlPoolAllocatedFraction: "none",
  cxlPooledTasks: "none",
  // Work done and resources put to use.
  tasksStarted: "higher",
  tasksCompleted: "higher",
  cpuAllocatedFraction: "higher",
  memoryAllocatedFraction: "higher",
  gpuAllocatedFraction: "higher",
  // Tasks left waiting or lost, waits, response, slowdown, and what the hardware models charge.
  tasksWaitingAtEnd: "lower",
  tasksFailed: "lower",
  taskRunsKilled: "lower",
  tasksPreempted: "lower",
  waitMeanS: "lower",
  waitP50S: "lower",
  waitP95S: "lower",
  waitP99S: "lower",
  waitStartedMeanS: "lower",
  waitStartedP99S: "lower",
  completionMeanS: "lower",
  completionP50S: "lower",
  completionP95S: "lower",
  completionP99S: "lower",
  boundedSlowdownMean: "lower",
  boundedSlowdownCompletedMean: "lower",
  makespanS: "lower",
  // Energy grows with the work done as well as with where it runs: read it beside tasksCompleted.
  energyKWh: "lower",
  runTimeStretchMean: "lower",
  coldStarts: "lower",
  coldStartRate: "lower",
  appColdStartRateP75: "lower",
  warmIdleMemoryGiBh: "lower",
  startLatencyMeanS: "lower",
  cxlSlowdownMean: "lower",
  // Services: objective broken, requests lost, latency; replica-hours are their cost (read beside the
  // objective), and CPU in use is what co-location is after.
  serviceSloViolationMinutes: "lower",
  serviceSloAttainment: "higher",
  serviceRequestsDropped: "lower",
  serviceLatencyMeanS: "lower",
  // Calls retried are load the callees serve again, and timed-out attempts are work whose answer
  // nobody waited for: costs, read beside the objective (retries may buy it).
  serviceCallRetries: "lower",
  serviceCallTimeouts: "lower",
  serviceReplicaHours: "lower",
  // Containers killed over their memory limit, and started again by the kubelet (with memory modelled).
  serviceOomKills: "lower",
  serviceContainerRestarts: "lower",
  serverlessCost: "lower",
  costWithServerless: "lower",
  workLostCoreS: "lower",
  batchTierCoreHours: "higher",
  batchCpuSuppressedShare: "lower",
  // Node-hours and their price: fixed by the cluster unless an autoscaler or a controller scales it;
  // then they are what the capacity cost (read beside waits and objectives).
  nodeHours: "lower",
  cost: "lower",
  cpuUsedFraction: "higher",
};
/** Fields named after a load level (`…AtArrived130` for 1.3 × capacity arrived), the FGD protocol's figures. */
const DIRECTION_PATTERNS: [RegExp, Direction][] = [
  [/^gpuAllocatedFractionAtArrived\d+$/, "higher"],
  [/^gpuFragmentationFractionAtArrived\d+$/, "lower"],
];

/** Which way a summary field ranks schedulers; undefined for a field the table does not know. */
export function metricDirection(metric: string): Direction | undefined {
  if (Object.hasOwn(DIRECTIONS, metric)) return DIRECTIONS[metric];
  return DIRECTION_PATTERNS.find(([re]) => re.test(metric))?.[1];
}
export const higherIsBetter = (metric: string) => metricDirection(metric) === "higher";
/** Whether the metric can never be negative (every field the table knows), so that plots may clip at 0. */
export const isNonNegative = (metric: string) => metricDirection(metric) !== undefined;

const NOT_METRICS = new Set(["seed", "version", "tool", "scenario", "specHash", "scheduler", "notModelled"]);

/** The metrics to report: as asked, or every numeric summary field in the order the first run gives them. */
export function metricNames(spec: SweepSpec, outcomes: readonly (RunOutcome | undefined)[]): string[] {
  if (spec.metrics) {
    // A metric no successful run reports is a misspelling, not a column of blanks.
    const known = new Set<string>();
    for (const o of outcomes) {
      if (!o?.ok) continue;
      for (const [k, v] of Object.entries(o.summary ?? {})) if (typeof v === "number" || v === null) known.add(k);
    }
    const unknown = known.size > 0 ? spec.metrics.filter((m) => !known.has(m)) : [];
    if (unknown.length > 0) {
      throw new InputError(
        `metrics: expected summary metrics the runs report, found ${unknown
          .map((m) => `"${m}"${nearest(m, known) ? ` (did you mean "${nearest(m, known)}"?)` : ""}`)
          .join(", ")}; the runs are saved: correct the name and run the sweep again to write its report`,
      );
    }
    return spec.metrics;
  }
  const first = outcomes.find((o) => o?.ok)?.summary ?? {};
  return Object.keys(first).filter((k) => !NOT_METRICS.has(k) && typeof first[k] === "number");
}

/**
 * Mean and 95% t interval of the finite values; a single value has an unbounded interval. Values all
 * equal give that value exactly (summing them could round it) and a degenerate interval.
 */
export function interval(xs: readonly number[]): Interval {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { n, mean: NaN, low: NaN, high: NaN };
  if (n === 1) return { n, mean: v[0], low: -Infinity, high: Infinity };
  if (v.every((x) => x === v[0])) return { n, mean: v[0], low: v[0], high: v[0], degenerate: true };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = quantileT(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, low: mean - half, high: mean + half };
}

/**
 * A paired difference as a win, tie or loss: nowhere without a pair; a win or a loss by the metric's
 * direction when its interval excludes 0 and its mean is at least the metric's practical threshold; a
 * tie otherwise (a difference too small to matter is not a finding, however sure); "degenerate" when
 * every pair differed by the same non-zero amount, as a zero-width interval is no evidence.
 */
function score(d: Interval, direction: "higher" | "lower", practical = 0): keyof WinTieLoss | undefined {
  if (d.n === 0) return undefined;
  if (d.degenerate) return d.mean === 0 || Math.abs(d.mean) < practical ? "tie" : "degenerate";
  if (!(d.low > 0 || d.high < 0) || Math.abs(d.mean) < practical) return "tie";
  return d.low > 0 === (direction === "higher") ? "win" : "loss";
}

/**
 * a − b, or exactly 0 when they differ by no more than rounding (1e-12 of the larger): two schedulers
 * that made the same decisions can sum the same figures in another order, and a difference of 6e-18
 * printed with an interval would read as a finding.
 */
function pairedDifference(a: number, b: number): number {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) ? 0 : a - b;
}

/** The geometric mean of paired ratios a ÷ b and its interval; empty unless every value is above 0. */
export function ratioInterval(pairs: readonly (readonly [number, number])[]): Interval {
  if (pairs.some(([a, b]) => !(a > 0 && b > 0))) return { n: 0, mean: NaN, low: NaN, high: NaN };
  const logs = interval(pairs.map(([a, b]) => (pairedDifference(a, b) === 0 ? 0 : Math.log(a / b))));
  return {
    n: logs.n,
    mean: Math.exp(logs.mean),
    low: Math.exp(logs.low),
    high: Math.exp(logs.high),
    ...(logs.degenerate && { degenerate: true }),
  };
}

export function buildReport(
  spec: SweepSpec,
  runs: readonly SweepRun[],
  outcomes: readonly (RunOutcome | undefined)[],
  notApplied: readonly string[] = [],
): SweepReport {
  const labels = spec.schedulers.map((s) => s.label);
  const baseline = spec.baseline ?? labels[0];
  const metrics = metricNames(spec, outcomes);
  const better = Object.fromEntries(metrics.map((m) => [m, metricDirection(m) ?? "none"]));
  const groups = new Map<string, { scenario: string; parameters: Record<string, unknown>; runs: SweepRun[] }>();
  for (const r of runs) {
    const key = JSON.stringify([r.scenario, r.parameters]);
    if (!groups.has(key)) groups.set(key, { scenario: r.scenario, parameters: r.parameters, runs: [] });
    groups.get(key)!.runs.push(r);
  }
  // NaN for a run that failed, is missing or has no finite value (JSON keeps NaN as null).
  const value = (r: SweepRun, m: string) => {
    const o = outcomes[r.index];
    const x = o?.ok ? o.summary?.[m] : undefined;
    return typeof x === "number" && Number.isFinite(x) ? x : NaN;
  };
  const wtl: SweepReport["winTieLoss"] = {};
  const out: GroupReport[] = [];
  for (const g of groups.values()) {
    const means: GroupReport["means"] = {};
    const differences: GroupReport["differences"] = {};
    const ratios: GroupReport["ratios"] = {};
    for (const m of metrics) {
      means[m] = {};
      differences[m] = {};
      ratios[m] = {};
      for (const s of labels) means[m][s] = interval(g.runs.filter((r) => r.scheduler === s).map((r) => value(r, m)));
      // Only seeds where both the baseline's and the scheduler's runs succeeded are paired.
      const base = new Map(
        g.runs.filter((r) => r.scheduler === baseline && !Number.isNaN(value(r, m))).map((r) => [r.seed, value(r, m)]),
      );
      for (const s of labels) {
        if (s === baseline) continue;
        const pairs = g.runs
          .filter((r) => r.scheduler === s && base.has(r.seed) && !Number.isNaN(value(r, m)))
          .map((r) => [value(r, m), base.get(r.seed)!] as const);
        const iv = interval(pairs.map(([a, b]) => pairedDifference(a, b)));
        differences[m][s] = iv;
        ratios[m][s] = ratioInterval(pairs);
        const direction = better[m];
        if (direction === "none") continue;
        const t = ((wtl[m] ??= {})[s] ??= { win: 0, tie: 0, loss: 0, degenerate: 0 });
        const k = score(iv, direction, spec.practical[m]);
        if (k) t[k]++;
      }
    }
    out.push({ scenario: g.scenario, parameters: g.parameters, means, differences, ratios });
  }
  return {
    name: spec.name ?? "sweep",
    axis: spec.axis,
    baseline,
    practical: spec.practical,
    metrics,
    better,
    runs: runs.length,
    failed: outcomes.filter((o) => o && !o.ok).length,
    groups: out,
    winTieLoss: wtl,
    ...(notApplied.length > 0 && { notApplied: [...notApplied] }),
  };
}

/** A results table: typed columns and one row per run (NaN: an empty cell). */
export interface ResultsTable {
  columns: { name: string; type: "int" | "float" | "text" }[];
  rows: (number | string)[][];
}

/**
 * The results, one row per run in sweep order, every metric; the same whatever ran it. A parameter
 * column holds numbers when every value of it is one (as the scenario resolves it: a duration in
 * seconds, CPU in millicores, memory in MiB), text when every value is text, and JSON otherwise.
 */
export function resultsTable(
  spec: SweepSpec,
  runs: readonly SweepRun[],
  outcomes: readonly (RunOutcome | undefined)[],
  metrics: readonly string[],
  /** A parameter's value as the run's scenario resolved it (`10m` → 600), when it can tell. */
  resolve: (run: SweepRun, parameter: string) => unknown = (r, p) => r.parameters[p],
): ResultsTable {
  const params = Object.keys(spec.parameters);
  const value = (r: SweepRun, p: string) => resolve(r, p);
  const kind = (p: string) => {
    const values = runs.map((r) => value(r, p));
    if (values.every((v) => typeof v === "number")) return "float" as const;
    return values.every((v) => typeof v === "string") ? ("text" as const) : ("json" as const);
  };
  const kinds = params.map(kind);
  const columns: ResultsTable["columns"] = [
    { name: "run", type: "int" },
    { name: "id", type: "text" },
    { name: "scenario", type: "text" },
    { name: "scheduler", type: "text" },
    { name: "seed", type: "int" },
    ...params.map((name, i) => ({ name, type: kinds[i] === "float" ? ("float" as const) : ("text" as const) })),
    { name: "status", type: "text" },
    { name: "error", type: "text" },
    ...metrics.map((name) => ({ name, type: "float" as const })),
  ];
  const rows = runs.map((r) => {
    const o = outcomes[r.index];
    const status = !o ? "missing" : o.ok ? "ok" : "failed";
    return [
      r.index,
      r.id,
      r.scenario,
      r.scheduler,
      r.seed,
      ...params.map((p, i) => {
        const v = value(r, p);
        return kinds[i] === "json" ? JSON.stringify(v) : (v as number | string);
      }),
      status,
      o?.error ?? "",
      ...metrics.map((m) => {
        const x = o?.ok ? o.summary?.[m] : undefined;
        return typeof x === "number" && Number.isFinite(x) ? x : Number.NaN;
      }),
    ];
  });
  return { columns, rows };
}

/** results.csv from the results table (an empty cell for NaN). */
export function resultsCsv(
  spec: SweepSpec,
  runs: readonly SweepRun[],
  outcomes: readonly (RunOutcome | undefined)[],
  metrics: readonly string[],
  resolve?: (run: SweepRun, parameter: string) => unknown,
): string {
  const t = resultsTable(spec, runs, outcomes, metrics, resolve);
  const cell = (v: number | string) => (typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : csvCell(v));
  const head = t.columns.map((c) => csvCell(c.name)).join(",");
  return `${[head, ...t.rows.map((r) => r.map(cell).join(","))].join("\n")}\n`;
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
