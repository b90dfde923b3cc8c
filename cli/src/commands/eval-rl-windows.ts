import { PUBLISHED_STARTS, type RlCheckpoint, resolveCheckpointPath, splitTrace, WINDOW_JOBS } from "@clustersim/rl";
import { UserError } from "../errors.js";
import { jobStarts } from "./repro.js";

// eval-rl's queue windows: which a trace is scored on, in which physics, and what each agent saw of them.

/** The windows a trace is evaluated on, and how the table names them. */
export interface Windows {
  starts: number[];
  jobs: number;
  said: string;
}

/** The --windows choices: the paper's ten, the split's test windows, or back-to-back windows over the trace. */
export const WINDOW_KINDS = ["published", "test", "tiled"];

/**
 * The physics the agents trained in, which they and the heuristics beside them are evaluated in: the
 * paper's (compat) or the engine's batch queue; agents of both are refused together.
 */
export function semanticsOf(agents: { file: string; checkpoint: RlCheckpoint }[]): "compat" | "engine" {
  const of = (a: (typeof agents)[number]) => a.checkpoint.env.semantics ?? "compat";
  const other = agents.find((a) => of(a) !== of(agents[0]!));
  if (other)
    throw new UserError(
      `${other.file} trained in the ${of(other)} semantics and ${agents[0]!.file} in the ${of(agents[0]!)}: evaluate them apart`,
    );
  return agents.length > 0 ? of(agents[0]!) : "compat";
}

/** The windows of a trace of `jobs` jobs to evaluate on (see queueFigures). */
export function windowsOf(
  jobs: number,
  agents: { file: string; checkpoint: RlCheckpoint }[],
  o: { starts?: string; windows?: string },
  trace: string,
): Windows {
  const splits = agents.map((a) => a.checkpoint.env.split);
  const split = splits.every((x) => x !== undefined && JSON.stringify(x) === JSON.stringify(splits[0]))
    ? splits[0]
    : undefined;
  if (o.starts !== undefined) {
    // Each a window of WINDOW_JOBS jobs the trace holds whole (one past its end would be scored on fewer).
    const why = `windows of ${WINDOW_JOBS} jobs within the trace's ${jobs}`;
    const starts = jobStarts(o.starts, { last: jobs - WINDOW_JOBS, why });
    return { starts, jobs: WINDOW_JOBS, said: `the windows at jobs ${o.starts} of ${WINDOW_JOBS} jobs` };
  }
  // Test windows as soon as any agent trained under a split: refused below unless all share one.
  const kind = o.windows ?? (splits.some((x) => x !== undefined) ? "test" : "published");
  if (kind === "test") {
    if (!split) {
      const without = agents.find((a) => a.checkpoint.env.split === undefined);
      throw new UserError(
        without
          ? `--windows test: ${without.file} trained without a split (env.split): any window of its trace may hold jobs it trained on; train with split: in its environment file, or give --windows tiled with a --trace it never saw`
          : "--windows test: the agents trained under different splits (env.split): evaluate them apart",
      );
    }
    const { testStarts } = splitTrace(jobs, split);
    if (testStarts[0]! < 0)
      throw new UserError(
        `${trace}: ${jobs} usable jobs, fewer than the split's ${split.testWindows} test windows need`,
      );
    return {
      starts: testStarts,
      jobs: split.windowJobs,
      said: `the split's ${testStarts.length} test window(s) of ${split.windowJobs} jobs (the trace's last)`,
    };
  }
  if (kind === "tiled") {
    const size = split?.windowJobs ?? WINDOW_JOBS;
    const starts = Array.from({ length: Math.floor(jobs / size) }, (_, i) => i * size);
    if (starts.length === 0) throw new UserError(`${trace}: ${jobs} usable jobs, fewer than one window of ${size}`);
    return { starts, jobs: size, said: `the trace's ${starts.length} back-to-back windows of ${size} jobs` };
  }
  if (jobs < Math.max(...PUBLISHED_STARTS) + WINDOW_JOBS)
    throw new UserError(`${trace}: ${jobs} usable jobs, fewer than the published windows need`);
  return { starts: PUBLISHED_STARTS, jobs: WINDOW_JOBS, said: `the ten published windows of ${WINDOW_JOBS} jobs` };
}

/**
 * How many of the windows hold a job the agent's training could see, on the trace it trained on
 * (undefined on another trace): with a split, every job before its test windows (training episodes and
 * the validation windows that chose the epoch); without, RLScheduler's draw reaches every job from
 * sequenceJobs to the trace's second-last.
 */
export function windowsTrainedOn(
  a: { file: string; checkpoint: RlCheckpoint },
  trace: string,
  jobs: number,
  w: Windows,
): number | undefined {
  if (resolveCheckpointPath(a.file, a.checkpoint.env.trace) !== trace) return undefined;
  const { split, sequenceJobs } = a.checkpoint.env;
  const [lo, hi] = split ? [0, splitTrace(jobs, split).testStarts[0]!] : [sequenceJobs, jobs - 1];
  return w.starts.filter((s) => s < hi && s + w.jobs > lo).length;
}
