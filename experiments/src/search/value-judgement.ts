/**
 * Judging one value of a search from its seeds' runs: every concrete metric an objective names, each
 * compared by its one-sided bound over the seeds (./objective.ts's judgeMetric); the value meets the
 * objective when every one does. Apart from the search's loop (./search.ts), which only runs the
 * values and asks for their verdicts.
 */
import type { RunRecord } from "../sweep/records.js";
import type { SweepRun } from "../sweep/sweep-spec.js";
import { judgeMetric, type MetricJudgement, metricsAt, type Objective } from "./objective.js";

/** One value judged. */
export interface Evaluation {
  value: number;
  /** The round it was judged in, from 1; values judged together share it. */
  round: number;
  meets: boolean;
  /** The run id of each seed, in the seeds' order (DIR/runs/ID.json). */
  runs: string[];
  /** Of those, run now and reused from the directory. */
  ran: number;
  reused: number;
  /** Every concrete metric of every comparison (a * gives one per key). */
  metrics: MetricJudgement[];
}

/** Judge a value from its seeds' records: it meets the objective when every concrete metric does. */
export function evaluate(
  value: number,
  round: number,
  runs: readonly SweepRun[],
  records: ReadonlyMap<string, RunRecord>,
  objectives: readonly Objective[],
  confidence: number,
): Evaluation {
  const summaries = runs.map((r) => records.get(r.id)?.summary ?? {});
  const metrics: MetricJudgement[] = [];
  objectives.forEach((o, i) => {
    const perSeed = summaries.map((s) => metricsAt(o.path, s));
    // Every metric any seed reports: one a seed lacks fails at that value.
    const names = [...new Set(perSeed.flatMap((m) => [...m.keys()]))];
    for (const name of names)
      metrics.push(
        judgeMetric(
          o,
          i,
          name,
          perSeed.map((m) => m.get(name) ?? null),
          confidence,
        ),
      );
  });
  // A comparison that names nothing at this value cannot be met.
  const meets = objectives.every((_, i) => metrics.some((m) => m.objective === i)) && metrics.every((m) => m.meets);
  return { value, round, meets, runs: runs.map((r) => r.id), ran: 0, reused: 0, metrics };
}
