import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { QueueEnv } from "@clustersim/engine";
import {
  type EvalRow,
  evaluateQueue,
  InputError,
  PUBLISHED_STARTS,
  readCheckpoint,
  readCompatJobs,
  WINDOW_JOBS,
} from "@clustersim/experiments";
import { UserError } from "../errors.js";

export interface EvalRlOptions {
  trace: string[];
  json?: boolean;
}

/** One figure as `eval:rl` prints it: backfilling is part of the policy's name ("sjf+easy"). */
export interface EvalFigure {
  task: "queue";
  trace: string;
  policy: string;
  metric: "boundedSlowdown" | "utilisation";
  value: number;
}

/**
 * `clustersim eval-rl CHECKPOINT...`: trained queue agents against the queue heuristics on the ten
 * windows of 1,024 jobs the RLScheduler paper evaluated on (its published starts), without and with
 * EASY backfilling, on each `--trace` (default: the trace each checkpoint trained on). The agents pick
 * their likeliest job.
 */
export async function evalRlCommand(
  checkpoints: string[],
  o: EvalRlOptions,
  print: (line: string) => void,
): Promise<void> {
  const agents = checkpoints.map((file) => {
    try {
      return { file, name: basename(file).replace(/\.json$/, ""), checkpoint: readCheckpoint(file) };
    } catch (err) {
      if (err instanceof InputError) throw new UserError(err.message);
      throw err;
    }
  });
  const traces =
    o.trace.length > 0
      ? o.trace.map((t) => resolve(t))
      : [...new Set(agents.map((a) => resolve(dirname(a.file), a.checkpoint.env.trace)))];
  const figures: EvalFigure[] = [];
  for (const trace of traces) {
    if (!existsSync(trace)) throw new UserError(`--trace: expected a readable SWF file, found no such file: ${trace}`);
    const t = await readCompatJobs(trace);
    if (t.jobs.length < Math.max(...PUBLISHED_STARTS) + WINDOW_JOBS)
      throw new UserError(`${trace}: ${t.jobs.length} usable jobs, fewer than the published windows need`);
    const rows: EvalRow[] = evaluateQueue(
      (backfill) => new QueueEnv({ ...t, backfill, sequenceJobs: WINDOW_JOBS }),
      { trace: basename(trace), ...t, starts: PUBLISHED_STARTS, windowJobs: WINDOW_JOBS },
      agents,
    );
    for (const r of rows) {
      figures.push({
        task: "queue",
        trace: r.trace,
        policy: r.backfill ? `${r.policy}+easy` : r.policy,
        metric: r.metric,
        value: Number(r.value.toFixed(4)),
      });
    }
  }
  if (o.json) {
    print(JSON.stringify(figures));
    return;
  }
  for (const trace of new Set(figures.map((f) => f.trace))) {
    print(`${trace}: mean bounded slowdown over the ten published windows of ${WINDOW_JOBS} jobs`);
    for (const f of figures.filter((x) => x.trace === trace && x.metric === "boundedSlowdown"))
      print(`  ${f.policy.padEnd(32)} ${f.value.toFixed(2).padStart(10)}`);
  }
}
