import {
  type Evaluation,
  figure,
  type Interval,
  type MetricJudgement,
  margin,
  type Objective,
  runSearch,
  type SearchResult,
  SearchRunFailed,
} from "@clustersim/experiments";
import { InputError } from "@clustersim/files";
import { SpecError } from "@clustersim/scenarios";
import { ChecksFailed, UserError } from "../errors.js";
import { positiveSeconds } from "../seconds-option.js";
import { TOOL_VERSION } from "../version.js";
import { workerCount } from "../workers-option.js";

export interface SearchCommandOptions {
  vary: string;
  min: string;
  max: string;
  step?: string;
  objective: string;
  seeds?: string;
  confidence?: string;
  set: string[];
  out?: string;
  workers?: string;
  oversubscribe?: boolean;
  runTimeout?: string;
  pluginTimeLimit?: string;
  quiet?: boolean;
}

/** Notes against monotonicity printed at most; search.json has them all. */
const MAX_NOTES = 5;

/**
 * `clustersim search SCENARIO --vary PATH --min A --max B --objective EXPR`: experiments' runSearch,
 * with a line per value judged and the answer, the runs it took, the boundary and the cost. Exit 0 with
 * an answer, 1 when the largest value fails the objective or a run fails, 2 for bad input.
 */
export async function searchCommand(
  file: string,
  o: SearchCommandOptions,
  print: (line: string) => void,
): Promise<void> {
  const workers = workerCount(o.workers, o);
  const say = o.quiet ? () => undefined : print;
  let objectives: Objective[] = [];
  let r: SearchResult;
  try {
    r = await runSearch({
      scenario: file,
      vary: o.vary,
      min: number("--min", o.min),
      max: number("--max", o.max),
      step: o.step === undefined ? undefined : number("--step", o.step),
      objective: o.objective,
      seeds: o.seeds === undefined ? undefined : seedList(o.seeds),
      confidence: o.confidence === undefined ? undefined : number("--confidence", o.confidence),
      set: o.set,
      out: o.out,
      workers,
      runTimeoutS: o.runTimeout === undefined ? undefined : positiveSeconds("--run-timeout", o.runTimeout),
      pluginTimeLimitS:
        o.pluginTimeLimit === undefined ? undefined : positiveSeconds("--plugin-time-limit", o.pluginTimeLimit),
      toolVersion: TOOL_VERSION,
      onStart: (s) => {
        objectives = s.objectives;
        say(
          `clustersim search "${s.name}": ${s.vary} from ${s.min} to ${s.max}${s.step === 1 ? "" : ` by ${s.step}`} (${s.values} values), seeds ${s.seeds.join(", ")}, ${s.workers} worker(s)${s.perRound > 1 ? `, ${s.perRound} values at a time` : ""}`,
        );
        say(`  objective: ${s.objective}`);
        say(`  ${s.meaning}`);
      },
      onEvaluated: (e) =>
        say(
          `  ${e.value}: ${e.meets ? "meets" : "fails"} (${bindings(e, objectives).join("; ")})${e.reused > 0 ? `, ${e.reused} run(s) reused` : ""}`,
        ),
    });
  } catch (err) {
    if (err instanceof SearchRunFailed) {
      process.stderr.write(`clustersim: search: ${err.message}\n`);
      throw new ChecksFailed(err.message);
    }
    throw err instanceof SpecError || err instanceof InputError ? new UserError(err.message) : err;
  }
  const runs = `${r.runs.total} (${r.runs.ran} run now, ${r.runs.reused} reused)`;
  const order = r.evaluations.map((e) => `${e.value} ${e.meets ? "meets" : "fails"}`).join(", ");
  if (r.answer === null) {
    const top = r.evaluations.find((e) => e.value === r.max)!;
    const message = `not met within the range: ${r.vary} = ${r.max}, the largest value, fails the objective`;
    say(
      `Not met: ${r.vary} = ${r.max}, the largest value of the range, fails the objective, so no value in it meets it`,
    );
    for (const line of bindings(top, r.objectives, true)) say(`  ${line}`);
    say(`  runs: ${runs}; values tried: ${order}`);
    notes(r, say);
    say(`Results: ${r.dir}/search.json, ${r.dir}/runs/`);
    if (o.quiet) process.stderr.write(`clustersim: search: ${message}\n`);
    throw new ChecksFailed(message);
  }
  const at = r.evaluations.find((e) => e.value === r.answer)!;
  const below = [...r.evaluations].filter((e) => e.value < r.answer!).sort((a, b) => b.value - a.value)[0];
  say(`Answer: ${r.vary} = ${r.answer}, the smallest value from ${r.min} to ${r.max} that meets the objective`);
  say(`  runs: ${runs}; values tried: ${order}`);
  if (below === undefined)
    say(`  at the boundary: ${r.answer} is the smallest value of the range (nothing below it was tried)`);
  else {
    say("  at the boundary:");
    r.objectives.forEach((ob, i) => {
      const pick = (e: Evaluation) => binding(e, ob, i);
      say(
        `    ${ob.metric} ${ob.op} ${ob.threshold}: at ${at.value}, ${describe(pick(at), ob, r.confidence)}; at ${below.value}, ${describe(pick(below), ob, r.confidence)}`,
      );
    });
  }
  const cost = costLine(r.cost);
  if (cost) say(`  cost at ${r.answer}: ${cost}`);
  notes(r, say);
  say(`Results: ${r.dir}/search.json, ${r.dir}/runs/`);
}

/** Each comparison's binding metric at a value: the one nearest its threshold, or furthest past it. */
function bindings(e: Evaluation, objectives: readonly Objective[], withThreshold = false): string[] {
  return objectives.map((ob, i) => {
    const m = binding(e, ob, i);
    const head = withThreshold ? `${ob.metric} ${ob.op} ${ob.threshold}: ` : "";
    if (!m) return `${head}${ob.metric}: no run reports it at this value`;
    // A * names several metrics: say how many fall short, beside the one furthest from the threshold.
    const mine = e.metrics.filter((x) => x.objective === i);
    const failing = mine.filter((x) => !x.meets).length;
    const count = mine.length > 1 ? `; ${failing} of ${mine.length} metrics fail` : "";
    return `${head}${describe(m, ob, undefined, !withThreshold)}${count}`;
  });
}

function binding(e: Evaluation, objective: Objective, index: number): MetricJudgement | undefined {
  const mine = e.metrics.filter((m) => m.objective === index);
  if (mine.length === 0) return undefined;
  // The worst margin; a metric without a bound (a seed did not report it) is worst of all.
  const key = (m: MetricJudgement) => (Number.isNaN(m.bound) ? -Infinity : margin(m, objective));
  return mine.reduce((a, b) => (key(b) < key(a) ? b : a));
}

/** A metric's figures at a value: its mean and the bound compared (with the confidence, if given). */
function describe(m: MetricJudgement | undefined, ob: Objective, confidence?: number, named = false): string {
  if (!m) return "not reported";
  // Named when the line does not already say it: a * metric's key, or a line of several comparisons.
  const name = named || m.metric !== ob.metric ? `${m.metric} ` : "";
  const verdict = confidence === undefined ? "" : ` (${m.meets ? "meets" : "fails"})`;
  const missing = m.values.filter((v) => v === null).length;
  if (missing > 0) return `${name}not reported on ${missing} of ${m.n} seed(s)${verdict}`;
  if (m.degenerate) return `${name}${figure(m.mean)} (${m.degenerate})${verdict}`;
  const side = ob.op === ">=" || ob.op === ">" ? "lower" : "upper";
  const p = confidence === undefined ? "" : ` ${Math.round(confidence * 1000) / 10}%`;
  return `${name}mean ${figure(m.mean)}, ${side}${p} bound ${figure(m.bound)}${verdict}`;
}

function costLine(cost: Record<string, Interval>): string | undefined {
  const names: [string, string][] = [
    ["cost", "nodes"],
    ["serverlessCost", "serverless containers"],
    ["costWithServerless", "with serverless"],
  ];
  const parts = names
    .filter(([k]) => cost[k] !== undefined && !(k === "serverlessCost" && cost[k].mean === 0))
    .map(([k, label]) => `${label} ${figure(cost[k].mean)}${intervalText(cost[k])}`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

function intervalText(i: Interval): string {
  if (i.degenerate) return " (same on every seed)";
  if (i.n < 2) return " (one seed)";
  return ` (95% interval ${figure(i.low)} to ${figure(i.high)})`;
}

function notes(r: SearchResult, say: (line: string) => void): void {
  if (r.notes.length === 0) return;
  say(
    `  warning: the objective may not be monotone in ${r.vary} (bisection assumes a larger value never does worse), so the search may not have found the smallest value that meets it:`,
  );
  for (const n of r.notes.slice(0, MAX_NOTES)) say(`    ${n.text}`);
  if (r.notes.length > MAX_NOTES) say(`    and ${r.notes.length - MAX_NOTES} more in search.json`);
}

function number(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw new UserError(`${name}: expected a number, found "${text}"`);
  return n;
}

/** `--seeds N` (seeds 1 to N, as a sweep's `seeds: N`) or a comma-separated list. */
function seedList(text: string): number[] {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 100_000) throw new UserError(`--seeds: expected a count from 1 to 100000, found "${text}"`);
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  if (!/^\d+(,\d+)+$/.test(text.replace(/\s+/g, "")))
    throw new UserError(`--seeds: expected a count (3) or a comma-separated list of seeds (1,5,9), found "${text}"`);
  return text.replace(/\s+/g, "").split(",").map(Number);
}
