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
  splitTrace,
  WINDOW_JOBS,
} from "@clustersim/rl";
import { BATCH_POLICIES } from "@clustersim/schedulers";
import { UserError } from "../errors.js";
import { checkPool, uniqueNames } from "./eval-rl-agents.js";
import { type PooledFigure, pairedDifferences, pooledFigures } from "./eval-rl-pairs.js";
import { semanticsOf, WINDOW_KINDS, windowsOf, windowsTrainedOn } from "./eval-rl-windows.js";
import { jobStarts } from "./repro.js";

export interface EvalRlOptions {
  trace: string[];
  pods: string[];
  nodes?: string;
  seeds?: string;
  /** Queue: the windows' first jobs, comma-separated (default: the paper's published starts). */
  starts?: string;
  /** Queue: which windows (published, test, tiled); default: test when every agent trained under a split. */
  windows?: string;
  /** Queue: the checkpoints are training seeds of one agent of this name; pool them. */
  pool?: string;
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
  /** Pooled figures: the training seeds pooled (the interval is over seeds × windows). */
  seeds?: number;
  /** Queue: the windows evaluated. */
  windows?: number;
  /** An agent's queue figure: how many of the windows hold jobs its training episodes could draw. */
  windowsTrainedOn?: number;
}

/** A queue figure with its value on each window, for the spread the table prints. */
type QueueFigure = Omit<EvalFigure, "windows"> & { windows: number[] };

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
  const all = uniqueNames(checkpoints.map(readAgentFile));
  const agents = all.flatMap((a) => (a.checkpoint ? [{ ...a, checkpoint: a.checkpoint }] : []));
  const placers = all.flatMap((a) => (a.placement ? [{ ...a, placement: a.placement }] : []));
  if (agents.length === 0 && o.trace.length > 0)
    throw new UserError("--trace: evaluates queue agents, and no checkpoint given is one");
  if (placers.length === 0 && (o.pods.length > 0 || o.nodes !== undefined))
    throw new UserError("--pods and --nodes: evaluate placement agents, and no checkpoint given is one");
  if (agents.length === 0 && o.starts !== undefined)
    throw new UserError("--starts: chooses queue windows, and no checkpoint given is a queue agent");
  if (agents.length === 0 && o.windows !== undefined)
    throw new UserError("--windows: chooses queue windows, and no checkpoint given is a queue agent");
  if (o.starts !== undefined && o.windows !== undefined)
    throw new UserError("--starts and --windows: give one (--starts names the windows itself)");
  if (o.windows !== undefined && !WINDOW_KINDS.includes(o.windows))
    throw new UserError(`--windows: expected one of ${WINDOW_KINDS.join(", ")}, found "${o.windows}"`);
  if (o.pool !== undefined) checkPool(o.pool, agents);
  const saidWindows = new Map<string, string>();
  const queue = await queueFigures(agents, o, saidWindows);
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
  const pooled = o.pool === undefined ? [] : pooledFigures(queue, { name: o.pool, members: agents.map((a) => a.name) });
  const figures: EvalFigure[] = [
    ...queue.map(({ windows, ...f }) => ({ ...f, windows: windows.length, ...bounds(interval(windows)) })),
    ...pooled.map((p) => ({
      task: "queue" as const,
      trace: p.trace,
      policy: p.policy,
      ...(p.against !== undefined && { against: p.against }),
      metric: p.metric as EvalFigure["metric"],
      value: round(p.mean),
      ...bounds(p),
      seeds: p.seeds,
      windows: p.windows,
    })),
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
    const rows = queue.filter((x) => x.trace === trace && x.metric === "boundedSlowdown");
    const one = rows[0]?.windows.length === 1;
    print(`${trace}: mean bounded slowdown over ${saidWindows.get(trace)}, with`);
    if (one) print('  no interval ("–"): one window gives none; give two or more --starts for one');
    else print("  its 95% Student-t interval over the windows (they differ in load: read differences with care)");
    for (const f of rows)
      print(`  ${f.policy.padEnd(32)} ${f.value.toFixed(2).padStart(10)} ${spread(interval(f.windows)).padStart(20)}`);
    for (const f of rows)
      if (f.windowsTrainedOn && !f.policy.endsWith("+easy"))
        print(
          `  ${f.policy}: ${f.windowsTrainedOn} of these ${f.windows.length} windows hold jobs it trained or was validated on`,
        );
    if (o.pool !== undefined) {
      printPooled(
        pooled.filter((p) => p.trace === trace && p.metric !== "utilisation"),
        print,
      );
      continue;
    }
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

/** The pooled seeds' rows: the pool's mean per mode, then its differences against each heuristic. */
function printPooled(rows: PooledFigure[], print: (line: string) => void): void {
  const first = rows[0];
  if (!first) return;
  print(`  the ${first.seeds} training seeds pooled: the mean over seeds × windows, with its 95% interval over both`);
  print("  (crossed random effects, Satterthwaite's degrees of freedom), and each heuristic's paired difference");
  print("  (pool − heuristic; below 0 the pool's slowdown is lower; an interval that holds 0 shows no difference)");
  for (const p of rows.filter((x) => x.against === undefined))
    print(
      `  ${`${p.policy} (${p.seeds} seeds)`.padEnd(32)} ${p.mean.toFixed(2).padStart(10)} ${spread(p).padStart(20)}`,
    );
  for (const p of rows.filter((x) => x.against !== undefined))
    print(`  ${`${p.policy} − ${p.against}`.padEnd(40)} ${p.mean.toFixed(2).padStart(10)} ${spread(p).padStart(22)}`);
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

/**
 * Queue agents beside the heuristics on each trace's windows, without and with EASY: the windows
 * `--starts` names, or the `--windows` kind (default: the split's test windows when every agent
 * trained under a split, else the paper's ten). `said` gets each trace's windows as the table names them.
 */
async function queueFigures(
  agents: { file: string; name: string; checkpoint: RlCheckpoint }[],
  o: EvalRlOptions,
  said: Map<string, string>,
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
  const semantics = semanticsOf(agents);
  for (const [trace, from] of traces) {
    if (!existsSync(trace)) throw new UserError(`${from}: expected a readable SWF file, found no such file: ${trace}`);
    const t = await asUserError(() => readCompatJobs(trace));
    const w = windowsOf(t.jobs.length, agents, o, trace);
    // Pooled intervals rest on the windows' own spread: two windows give it one degree of freedom, and
    // the interval then covers about 89% (experiments/test/crossed-interval.test.ts).
    if (o.pool !== undefined && w.starts.length < 3)
      throw new UserError(
        `--pool: expected 3 or more windows for an interval over seeds × windows, found ${w.starts.length} on ${basename(trace)}`,
      );
    said.set(basename(trace), w.said);
    if (semantics === "engine") said.set(basename(trace), `${w.said}, in the engine's batch queue`);
    const rows: EvalRow[] = evaluateQueue(
      (backfill) => new QueueEnv({ ...t, backfill, sequenceJobs: w.jobs, semantics }),
      { trace: basename(trace), ...t, starts: w.starts, windowJobs: w.jobs, semantics },
      agents,
    );
    const trainedOn = new Map(agents.map((a) => [a.name, windowsTrainedOn(a, trace, t.jobs.length, w)]));
    for (const r of rows) {
      const seen = trainedOn.get(r.policy);
      figures.push({
        task: "queue",
        trace: r.trace,
        policy: r.backfill ? `${r.policy}+easy` : r.policy,
        metric: r.metric,
        value: Number(r.value.toFixed(4)),
        windows: r.windows,
        ...(seen !== undefined && { windowsTrainedOn: seen }),
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
