import { type CrossedInterval, crossedInterval, interval } from "@clustersim/experiments";

/** A queue policy's bounded slowdown on each evaluation window (its name carries "+easy" with EASY). */
export interface WindowFigures {
  trace: string;
  policy: string;
  windows: readonly number[];
}

/** An agent's paired difference against one heuristic, over the windows both ran. */
export interface PairedDifference {
  trace: string;
  agent: string;
  heuristic: string;
  mean: number;
  low: number;
  high: number;
}

/**
 * Each agent against each heuristic of the same trace and backfilling mode, paired window by window
 * (agent − heuristic: below zero the agent's slowdown is lower): the mean difference with its 95%
 * Student-t interval. The windows differ in load far more than the policies do, so pairing is what
 * shows a difference; two means' own intervals overlap even where one policy wins on every window.
 */
export function pairedDifferences(figures: readonly WindowFigures[], agents: readonly string[]): PairedDifference[] {
  const mode = (policy: string) => (policy.endsWith("+easy") ? "+easy" : "");
  const base = (policy: string) => policy.replace(/\+easy$/, "");
  const out: PairedDifference[] = [];
  for (const a of figures) {
    if (!agents.includes(base(a.policy))) continue;
    for (const h of figures) {
      if (h.trace !== a.trace || mode(h.policy) !== mode(a.policy) || agents.includes(base(h.policy))) continue;
      if (h.windows.length !== a.windows.length)
        throw new Error(`${a.trace}: ${a.policy} and ${h.policy} ran different windows`);
      const i = interval(a.windows.map((x, k) => x - h.windows[k]!));
      out.push({ trace: a.trace, agent: a.policy, heuristic: h.policy, mean: i.mean, low: i.low, high: i.high });
    }
  }
  return out;
}

/** A queue figure with its value on each window and its metric, as eval-rl keeps them. */
export interface MetricWindows extends WindowFigures {
  metric: string;
}

/** Training seeds of one agent, pooled: its mean over seeds × windows, or its difference against a heuristic. */
export interface PooledFigure {
  trace: string;
  /** The pool's name, with "+easy" in the EASY mode. */
  policy: string;
  /** For a paired difference: the heuristic (pool − heuristic). */
  against?: string;
  metric: string;
  mean: number;
  low: number;
  high: number;
  seeds: number;
  windows: number;
}

/**
 * Several training seeds of one agent (`members`, by policy name), pooled per trace and backfilling
 * mode: the mean over every seed and window with its 95% interval over both (crossedInterval: the
 * seeds and the windows are each a sample, so the interval is wider than one over the windows of one
 * seed); then, per heuristic of the same mode, the difference pool − heuristic in each (seed, window)
 * cell, pooled the same way. A heuristic runs each window once, so it is the same for every seed.
 */
export function pooledFigures(
  figures: readonly MetricWindows[],
  pool: { name: string; members: readonly string[] },
): PooledFigure[] {
  const mode = (policy: string) => (policy.endsWith("+easy") ? "+easy" : "");
  const base = (policy: string) => policy.replace(/\+easy$/, "");
  const out: PooledFigure[] = [];
  const keys = [...new Set(figures.map((f) => JSON.stringify([f.trace, mode(f.policy), f.metric])))];
  for (const key of keys) {
    const [trace, m, metric] = JSON.parse(key) as [string, string, string];
    const here = figures.filter((f) => f.trace === trace && mode(f.policy) === m && f.metric === metric);
    const members = pool.members.map((name) => {
      const f = here.find((x) => base(x.policy) === name);
      if (!f) throw new Error(`${trace}: no ${metric} figures for ${name}${m}`);
      return f.windows;
    });
    const policy = `${pool.name}${m}`;
    const c = crossedInterval(members);
    out.push({ trace, policy, metric, mean: c.mean, low: c.low, high: c.high, seeds: c.seeds, windows: c.windows });
    if (metric !== "boundedSlowdown") continue;
    for (const h of here) {
      if (pool.members.includes(base(h.policy))) continue;
      const d = crossedInterval(members.map((w) => w.map((x, k) => x - h.windows[k]!)));
      out.push({ trace, policy, against: h.policy, metric: "boundedSlowdownDifference", ...pick(d) });
    }
  }
  return out;
}

const pick = (c: CrossedInterval) => ({ mean: c.mean, low: c.low, high: c.high, seeds: c.seeds, windows: c.windows });
