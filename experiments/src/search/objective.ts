import { InputError } from "@clustersim/files";
import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { nearest } from "../sweep/nearest.js";

/**
 * A capacity search's objective: one or more comparisons of a summary.json metric with a number,
 * joined by `and`, e.g. `serviceWindows.midnight.*.sloAttainment >= 0.999 and cost <= 20`.
 *
 *   objective  := comparison ("and" comparison)*
 *   comparison := path op number
 *   path       := segment ("." segment)*      a segment: a key (letters, digits, _ and -), a quoted
 *                                              key ("api.v2", for names holding a dot), or * (every key)
 *   op         := >= | <= | > | < | ≥ | ≤
 *
 * A `*` stands for every key at its level that has the rest of the path: `services.*.sloAttainment` is
 * every service's attainment, and the comparison must hold for each.
 */
export type Comparison = ">=" | "<=" | ">" | "<";

export interface Objective {
  /** The metric path as written, segments joined by dots (`services.*.sloAttainment`). */
  metric: string;
  path: string[];
  op: Comparison;
  threshold: number;
}

/** Bad objective text: the message says where, what was expected and what was found. */
export class ObjectiveError extends InputError {}

interface Token {
  kind: "key" | "star" | "dot" | "op" | "number" | "and";
  text: string;
  at: number;
}

const OPS: Record<string, Comparison> = { ">=": ">=", "<=": "<=", ">": ">", "<": "<", "≥": ">=", "≤": "<=" };
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;
const KEY = /^[A-Za-z0-9_-]+/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const at = i + 1; // characters counted from 1, as a reader counts them
    const op = /^(>=|<=|≥|≤|>|<)/.exec(rest);
    if (op) {
      tokens.push({ kind: "op", text: op[1], at });
      i += op[1].length;
      continue;
    }
    // A number where a number may stand (after a comparison); anywhere else digits begin a key (p99).
    const number = tokens[tokens.length - 1]?.kind === "op" ? NUMBER.exec(rest) : null;
    if (number) {
      tokens.push({ kind: "number", text: number[0], at });
      i += number[0].length;
      continue;
    }
    if (rest[0] === ".") {
      tokens.push({ kind: "dot", text: ".", at });
      i++;
      continue;
    }
    if (rest[0] === "*") {
      tokens.push({ kind: "star", text: "*", at });
      i++;
      continue;
    }
    if (rest[0] === '"' || rest[0] === "'") {
      const end = rest.indexOf(rest[0], 1);
      if (end < 0) throw new ObjectiveError(`expected a closing ${rest[0]} for the key at character ${at}, found none`);
      tokens.push({ kind: "key", text: rest.slice(1, end), at });
      i += end + 1;
      continue;
    }
    const key = KEY.exec(rest);
    if (key) {
      tokens.push({ kind: key[0].toLowerCase() === "and" ? "and" : "key", text: key[0], at });
      i += key[0].length;
      continue;
    }
    const equals = /^(==?|!=)/.exec(rest);
    if (equals)
      throw new ObjectiveError(`expected a comparison (>=, <=, >, <, ≥ or ≤), found "${equals[1]}" at character ${at}`);
    throw new ObjectiveError(
      `expected a metric path, a comparison, a number or "and", found "${[...rest][0]}" at character ${at}`,
    );
  }
  return tokens;
}

const describe = (t: Token | undefined) => (t ? `"${t.text}" at character ${t.at}` : "the end");

/** The objective's comparisons; bad text throws ObjectiveError naming the place. */
export function parseObjective(text: string): Objective[] {
  const tokens = tokenize(text);
  if (tokens.length === 0)
    throw new ObjectiveError("expected a comparison such as services.*.sloAttainment >= 0.999, found nothing");
  const out: Objective[] = [];
  let k = 0;
  for (;;) {
    const path: string[] = [];
    for (;;) {
      const t = tokens[k];
      if (t?.kind !== "key" && t?.kind !== "star")
        throw new ObjectiveError(
          `expected a metric name${path.length > 0 ? " after the dot" : ""}, found ${describe(t)}`,
        );
      path.push(t.text);
      k++;
      if (tokens[k]?.kind !== "dot") break;
      k++;
    }
    const metric = path.map((s) => (/^[A-Za-z0-9_-]+$|^\*$/.test(s) ? s : `"${s}"`)).join(".");
    const op = tokens[k];
    if (op?.kind !== "op")
      throw new ObjectiveError(`expected a comparison (>=, <=, >, <, ≥ or ≤) after ${metric}, found ${describe(op)}`);
    k++;
    const num = tokens[k];
    if (num?.kind !== "number" || !Number.isFinite(Number(num.text)))
      throw new ObjectiveError(`expected a number after ${metric} ${op.text}, found ${describe(num)}`);
    k++;
    out.push({ metric, path, op: OPS[op.text], threshold: Number(num.text) });
    if (k === tokens.length) return out;
    if (tokens[k].kind !== "and")
      throw new ObjectiveError(
        `expected "and" or the end after ${metric} ${op.text} ${num.text}, found ${describe(tokens[k])}`,
      );
    k++;
  }
}

/** The objective as text, normalised (≥ written >=), e.g. for the search's record. */
export function objectiveText(objectives: readonly Objective[]): string {
  return objectives.map((o) => `${o.metric} ${o.op} ${o.threshold}`).join(" and ");
}

const isSection = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The concrete metrics a path names in one summary, each with its value (null: reported as null, as
 * JSON writes a NaN, or absent). A `*` takes every key at its level that has the rest of the path.
 */
export function metricsAt(path: readonly string[], summary: unknown): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const walk = (node: unknown, i: number, prefix: string[]) => {
    if (i === path.length) {
      out.set(joinPath(prefix), typeof node === "number" && Number.isFinite(node) ? node : null);
      return;
    }
    if (!isSection(node)) return;
    if (path[i] === "*") for (const key of Object.keys(node)) walk(node[key], i + 1, [...prefix, key]);
    else if (Object.hasOwn(node, path[i])) walk(node[path[i]], i + 1, [...prefix, path[i]]);
  };
  walk(summary, 0, []);
  return out;
}

const joinPath = (path: readonly string[]) =>
  path.map((s) => (/^[A-Za-z0-9_-]+$|^\*$/.test(s) ? s : `"${s}"`)).join(".");

/**
 * Refuse an objective whose metric a run's summary does not report: the message names the first key
 * that is not there and the nearest one that is, or says that the path ends at a section or at text.
 */
export function checkMetrics(objectives: readonly Objective[], summary: Record<string, unknown>): void {
  for (const o of objectives) {
    const problem = pathProblem(o.path, summary);
    if (problem) throw new ObjectiveError(`${o.metric}: ${problem}`);
  }
}

function pathProblem(path: readonly string[], summary: Record<string, unknown>): string | undefined {
  // The deepest place the path reaches, and what stops it there.
  let best: { depth: number; text: string } | undefined;
  const note = (depth: number, text: string) => {
    if (!best || depth > best.depth) best = { depth, text };
  };
  let found = false;
  const walk = (node: unknown, i: number, prefix: string[]) => {
    if (found) return;
    const here = prefix.length === 0 ? "the summary" : joinPath(prefix);
    if (i === path.length) {
      if (typeof node === "number" || node === null) {
        found = true;
        return;
      }
      if (isSection(node)) {
        const keys = Object.keys(node);
        return note(
          i,
          `expected a number, found that ${here} is a section (of ${list(keys)}): add one of its keys, e.g. ${joinPath([...prefix, keys[0] ?? "…"])}`,
        );
      }
      return note(i, `expected a numeric metric, found ${Array.isArray(node) ? "a list" : "text"} at ${here}`);
    }
    if (!isSection(node)) return note(i, `expected a section at ${here} to look up "${path[i]}" in, found a number`);
    const keys = Object.keys(node);
    if (path[i] === "*") {
      if (keys.length === 0) return note(i, `* at ${here} matches nothing: it is empty`);
      for (const key of keys) walk(node[key], i + 1, [...prefix, key]);
      return;
    }
    if (Object.hasOwn(node, path[i])) return walk(node[path[i]], i + 1, [...prefix, path[i]]);
    const guess = nearest(path[i], keys);
    const suggestion = guess
      ? `; did you mean ${joinPath([...path.slice(0, i), guess, ...path.slice(i + 1)])}?`
      : `, only ${list(keys)}`;
    note(i, `the runs report no such metric (${here} has no "${path[i]}"${suggestion})`);
  };
  walk(summary, 0, []);
  return found ? undefined : (best?.text ?? "the runs report no such metric");
}

const list = (keys: readonly string[]) =>
  keys.length <= 8 ? keys.join(", ") : `${keys.slice(0, 8).join(", ")} and ${keys.length - 8} more`;

/** One concrete metric of an objective at one value, over the seeds. */
export interface MetricJudgement {
  metric: string;
  /** Index of the objective (comparison) it belongs to. */
  objective: number;
  /** Per seed, in the seeds' order: the value, or null where the run did not report a finite one. */
  values: (number | null)[];
  n: number;
  mean: number;
  /**
   * The one-sided bound compared with the threshold: the lower bound for >= and >, the upper for <= and
   * <; the mean itself when the interval is degenerate. NaN when a seed reported no value.
   */
  bound: number;
  /** One seed, or the same value on every seed: no interval, the value itself was compared. */
  degenerate?: "one seed" | "same on every seed";
  meets: boolean;
}

/**
 * Judge one comparison's metric over seeds: the one-sided Student-t bound at `confidence` (the mean
 * minus, or plus, t(confidence, n − 1) standard errors) against the threshold. A seed without a finite
 * value fails it: nothing can be claimed of a figure that a run did not report.
 */
export function judgeMetric(
  objective: Objective,
  index: number,
  metric: string,
  values: readonly (number | null)[],
  confidence: number,
): MetricJudgement {
  const n = values.length;
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const base = { metric, objective: index, values: [...values], n };
  if (finite.length < n || n === 0) {
    const mean = finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
    return { ...base, mean, bound: NaN, meets: false };
  }
  const lower = objective.op === ">=" || objective.op === ">";
  let mean: number;
  let bound: number;
  let degenerate: MetricJudgement["degenerate"];
  if (n === 1 || finite.every((v) => v === finite[0])) {
    // Summing equal values could round them; the value itself is exact.
    mean = bound = finite[0];
    degenerate = n === 1 ? "one seed" : "same on every seed";
  } else {
    mean = finite.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const half = quantileT(confidence, n - 1) * (sd / Math.sqrt(n));
    bound = lower ? mean - half : mean + half;
  }
  return { ...base, mean, bound, ...(degenerate && { degenerate }), meets: compare(bound, objective) };
}

function compare(x: number, o: Objective): boolean {
  switch (o.op) {
    case ">=":
      return x >= o.threshold;
    case ">":
      return x > o.threshold;
    case "<=":
      return x <= o.threshold;
    case "<":
      return x < o.threshold;
  }
}

/** How far a judgement is on the right side of its threshold (negative: the wrong side). */
export function margin(j: MetricJudgement, o: Objective): number {
  return o.op === ">=" || o.op === ">" ? j.bound - o.threshold : o.threshold - j.bound;
}

/** Whether higher values of a comparison's metric are the good side (>=, >). */
export const higherIsGood = (o: Objective) => o.op === ">=" || o.op === ">";
