import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { interval } from "@clustersim/experiments";
import {
  type EvalRow,
  evaluatePlacement,
  evaluateQueue,
  InputError,
  loadCheckpoint,
  type PlacementCheckpoint,
  PUBLISHED_STARTS,
  placementAgent,
  QueueEnv,
  type RlCheckpoint,
  readCompatJobs,
  resolveCheckpointPath,
  WINDOW_JOBS,
} from "@clustersim/rl";
import { UserError } from "../errors.js";
import { pairedDifferences } from "./eval-rl-pairs.js";
import { jobStarts } from "./repro.js";

export interface EvalRlOptions {
  trace: string[];
  pods: string[];
  nodes?: string;
  seeds?: string;
  /** Queue: the windows' first jobs, comma-separated (default: the paper's published starts). */
  starts?: string;
  json?: boolean;
}

/**
 * One figure as `eval:rl` prints it: backfilling is part of a queue policy's name ("sjf+easy"). A queue
 * figure carries its 95% interval over the windows (`low`, `high`); a paired difference
 * (`boundedSlowdownDifference`) is the agent's (`policy`) less the heuristic's (`against`), window by
 * window, with its 95% interval. Over a single window there is no interval (Student-t needs two):
 * `low` and `high` are null.
 */
export interface EvalFigure {
  task: "queue" | "placement";
  trace: string;
  policy: string;
  metric: "boundedSlowdown" | "utilisation" | "gpuAllocationPct" | "boundedSlowdownDifference";
  value: number;
  against?: string;
  low?: number | null;
  high?: number | null;
}

/** A queue figure with its value on each window, for the spread the table prints. */
type QueueFigure = EvalFigure & { windows: number[] };

/** The pod list placement agents are evaluated on by default: FGD's headline list, beside the training list. */
const DEFAULT_PODS = "openb_pod_list_default.csv";

/**
 * `clustersim eval-rl CHECKPOINT...`: trained queue agents against the queue heuristics on the ten
 * windows of 1,024 jobs the RLScheduler paper evaluated on (its published starts), without and with
 * EASY backfilling, on each `--trace` (default: the trace each checkpoint trained on); trained
 * placement agents against FGD's heuristics under its protocol on each `--pods` list (default: FGD's
 * headline list, openb_pod_list_default.csv beside the training list), GPU allocation at 130% load over
 * seeds 42 on. Agents act greedily (their likeliest job, their best-scored node).
 */
export async function evalRlCommand(
  checkpoints: string[],
  o: EvalRlOptions,
  print: (line: string) => void,
): Promise<void> {
  const seeds = o.seeds === undefined ? 10 : Number(o.seeds);
  if (!(Number.isInteger(seeds) && seeds >= 1 && seeds <= 1000))
    throw new UserError(`--seeds: expected an integer from 1 to 1000, found "${o.seeds}"`);
  const all = checkpoints.map(readAgentFile);
  const agents = all.flatMap((a) => (a.checkpoint ? [{ ...a, checkpoint: a.checkpoint }] : []));
  const placers = all.flatMap((a) => (a.placement ? [{ ...a, placement: a.placement }] : []));
  if (agents.length === 0 && o.trace.length > 0)
    throw new UserError("--trace: evaluates queue agents, and no checkpoint given is one");
  if (placers.length === 0 && (o.pods.length > 0 || o.nodes !== undefined))
    throw new UserError("--pods and --nodes: evaluate placement agents, and no checkpoint given is one");
  if (agents.length === 0 && o.starts !== undefined)
    throw new UserError("--starts: chooses queue windows, and no checkpoint given is a queue agent");
  const queue = await queueFigures(agents, o);
  const round = (x: number) => Number(x.toFixed(4));
  // interval() gives one window ±Infinity (NaN for none): no interval, said as null rather than left to
  // JSON.stringify, which writes Infinity as null too but silently.
  const bounds = (i: { low: number; high: number }) =>
    Number.isFinite(i.low) && Number.isFinite(i.high)
      ? { low: round(i.low), high: round(i.high) }
      : { low: null, high: null };
  const paired = pairedDifferences(
    queue.filter((f) => f.metric === "boundedSlowdown"),
    agents.map((a) => a.name),
  );
  const figures: EvalFigure[] = [
    ...queue.map(({ windows, ...f }) => ({ ...f, ...bounds(interval(windows)) })),
    ...paired.map((p) => ({
      task: "queue" as const,
      trace: p.trace,
      policy: p.agent,
      against: p.heuristic,
      metric: "boundedSlowdownDifference" as const,
      value: round(p.mean),
      ...bounds(p),
    })),
    ...(await placementFigures(placers, o, seeds)),
  ];
  if (o.json) {
    print(JSON.stringify(figures));
    return;
  }
  for (const trace of new Set(queue.map((f) => f.trace))) {
    const windows = o.starts === undefined ? "the ten published windows" : `the windows at jobs ${o.starts}`;
    const rows = queue.filter((x) => x.trace === trace && x.metric === "boundedSlowdown");
    const one = rows[0]?.windows.length === 1;
    print(`${trace}: mean bounded slowdown over ${windows} of ${WINDOW_JOBS} jobs, with`);
    if (one) print('  no interval ("–"): one window gives none; give two or more --starts for one');
    else print("  its 95% Student-t interval over the windows (they differ in load: read differences with care)");
    for (const f of rows)
      print(`  ${f.policy.padEnd(32)} ${f.value.toFixed(2).padStart(10)} ${spread(interval(f.windows)).padStart(20)}`);
    const pairs = pairedDifferences(
      rows,
      agents.map((a) => a.name),
    );
    if (pairs.length === 0) continue;
    print("  each agent against each heuristic, paired over the same windows (agent − heuristic; below 0 the");
    print(
      one
        ? "  agent's slowdown is lower); one window gives no interval, so none of these shows a difference"
        : "  agent's slowdown is lower), with its 95% interval; an interval that holds 0 shows no difference",
    );
    for (const p of pairs)
      print(
        `  ${`${p.agent} − ${p.heuristic}`.padEnd(40)} ${p.mean.toFixed(2).padStart(10)} ${spread(p).padStart(22)}`,
      );
  }
  for (const trace of new Set(figures.filter((f) => f.task === "placement").map((f) => f.trace))) {
    print(`${trace}: GPU allocation (%) when arrivals reach their load, mean over seeds 42-${41 + seeds}`);
    for (const f of figures.filter((x) => x.trace === trace && x.task === "placement"))
      print(`  ${f.policy.padEnd(32)} ${f.value.toFixed(2).padStart(10)}`);
  }
}

/** An interval as the table prints it: "–" where there is none (one window). */
function spread(i: { low: number; high: number }): string {
  return Number.isFinite(i.low) && Number.isFinite(i.high) ? `[${i.low.toFixed(2)}, ${i.high.toFixed(2)}]` : "–";
}

/**
 * A checkpoint file, read and checked (rl's loadCheckpoint: its kind, every tensor's size, every value
 * finite, the environment it trained on): a queue agent, or a placement agent with its training's lists.
 */
function readAgentFile(file: string): {
  file: string;
  name: string;
  checkpoint?: RlCheckpoint;
  placement?: PlacementCheckpoint;
} {
  try {
    const c = loadCheckpoint(file, { kinds: ["queue", "placement"], env: true });
    const name = basename(file).replace(/\.json$/, "");
    return c.kind === "placement" ? { file, name, placement: c.checkpoint } : { file, name, checkpoint: c.checkpoint };
  } catch (err) {
    if (err instanceof InputError) throw new UserError(err.message);
    throw err;
  }
}

/** Queue agents beside the heuristics on each trace's published windows, without and with EASY. */
async function queueFigures(
  agents: { file: string; name: string; checkpoint: RlCheckpoint }[],
  o: EvalRlOptions,
): Promise<QueueFigure[]> {
  // Each trace with where it came from, for the message when it is not there.
  const traces = new Map<string, string>();
  if (agents.length > 0) {
    if (o.trace.length > 0) for (const t of o.trace) traces.set(resolve(t), "--trace");
    else
      for (const a of agents)
        traces.set(
          resolveCheckpointPath(a.file, a.checkpoint.env.trace),
          `${a.file}: env.trace (relative to the checkpoint's folder; or give --trace)`,
        );
  }
  const figures: QueueFigure[] = [];
  for (const [trace, from] of traces) {
    if (!existsSync(trace)) throw new UserError(`${from}: expected a readable SWF file, found no such file: ${trace}`);
    const t = await asUserError(() => readCompatJobs(trace));
    // Each a window of WINDOW_JOBS jobs the trace holds whole (one past its end would be scored on fewer).
    const last = t.jobs.length - WINDOW_JOBS;
    const why = `windows of ${WINDOW_JOBS} jobs within the trace's ${t.jobs.length}`;
    const starts = o.starts === undefined ? PUBLISHED_STARTS : jobStarts(o.starts, { last, why });
    if (t.jobs.length < Math.max(...starts) + WINDOW_JOBS)
      throw new UserError(`${trace}: ${t.jobs.length} usable jobs, fewer than the published windows need`);
    const rows: EvalRow[] = evaluateQueue(
      (backfill) => new QueueEnv({ ...t, backfill, sequenceJobs: WINDOW_JOBS }),
      { trace: basename(trace), ...t, starts, windowJobs: WINDOW_JOBS },
      agents,
    );
    for (const r of rows) {
      figures.push({
        task: "queue",
        trace: r.trace,
        policy: r.backfill ? `${r.policy}+easy` : r.policy,
        metric: r.metric,
        value: Number(r.value.toFixed(4)),
        windows: r.windows,
      });
    }
  }
  return figures;
}

/**
 * Placement agents: each list (default: FGD's headline list beside the training list) on the training's
 * nodes, at the training's load; agents of the same nodes and load are evaluated side by side.
 */
async function placementFigures(
  placers: { file: string; name: string; placement: PlacementCheckpoint }[],
  o: EvalRlOptions,
  seeds: number,
): Promise<EvalFigure[]> {
  const figures: EvalFigure[] = [];
  const byNodes = new Map<string, { nodes: string; load: number; group: typeof placers }>();
  for (const p of placers) {
    const nodes = o.nodes !== undefined ? resolve(o.nodes) : resolveCheckpointPath(p.file, p.placement.env.nodes);
    const key = JSON.stringify([nodes, p.placement.env.load]);
    const entry = byNodes.get(key) ?? { nodes, load: p.placement.env.load, group: [] };
    entry.group.push(p);
    byNodes.set(key, entry);
  }
  for (const { nodes, load, group } of byNodes.values()) {
    const lists =
      o.pods.length > 0
        ? o.pods.map((p) => resolve(p))
        : [
            ...new Set(
              group.map((p) => join(dirname(resolveCheckpointPath(p.file, p.placement.env.pods)), DEFAULT_PODS)),
            ),
          ];
    for (const pods of lists) {
      for (const [f, option] of [
        [pods, "--pods"],
        [nodes, "--nodes"],
      ])
        if (!existsSync(f))
          throw new UserError(
            `expected a readable openb list, found no such file: ${f} (the training's, relative to the checkpoint; give ${option})`,
          );
      const rows = await asUserError(() =>
        evaluatePlacement({
          podsFile: pods,
          nodesFile: nodes,
          load,
          seeds: Array.from({ length: seeds }, (_, i) => 42 + i),
          agents: group.map((p) => ({ name: p.name, agent: placementAgent(p.placement, p.file) })),
        }),
      );
      for (const r of rows) figures.push({ ...r, value: Number(r.value.toFixed(4)) });
    }
  }
  return figures;
}

/** An input error (a list that cannot be read, or lacks what the protocol needs) as a user error. */
async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InputError) throw new UserError(err.message);
    throw err;
  }
}
