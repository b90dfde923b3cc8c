import { PUBLISHED_STARTS, readCompatJobs, runEngineWindow, WINDOW_JOBS } from "@clustersim/rl";
import { BATCH_POLICIES, type BatchPolicyName, runCompatWindow } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";

/**
 * Reproduction of the RLScheduler paper's heuristic baselines (Zhang et al., SC'20, Tables V and VI;
 * code: DIR-LAB/deep-batch-scheduler, compare-make-table.py) under its compatibility profile
 * (@clustersim/schedulers, rlscheduler-compat.ts): jobs with run time 0 dropped, sorted by id, windows
 * of 1,024 jobs, machine size from the SWF header, each policy's average bounded slowdown and
 * utilisation over the windows, without and with EASY backfilling.
 */

export interface RlReproOptions {
  trace: string;
  windows?: number;
  windowJobs?: number;
  /** Window starts (job indices after filtering); default: the published ones when they fit, else seeded draws. */
  starts?: number[];
  seed?: number;
  /**
   * "compat" (default): the original environment's order and quirks, which reproduce the published
   * tables; "default": clustersim's own batch run (runBatch: real waits, EASY reservations recomputed
   * each pass), on the same windows, for comparison.
   */
  semantics?: "compat" | "default";
}

export interface RlPolicyResult {
  policy: BatchPolicyName;
  backfill: boolean;
  boundedSlowdown: number;
  utilisation: number;
}

export interface RlReproResult {
  trace: string;
  jobs: number;
  nodes: number;
  procsPerNode: number;
  starts: number[];
  windowJobs: number;
  /** Jobs dropped for asking for more nodes than the machine has. */
  droppedTooWide: number;
  results: RlPolicyResult[];
}

export async function reproRlScheduler(o: RlReproOptions): Promise<RlReproResult> {
  const { jobs, nodes, procsPerNode, droppedTooWide } = await readCompatJobs(o.trace);
  const size = o.windowJobs ?? WINDOW_JOBS;
  const windows = o.windows ?? 10;
  if (jobs.length < 2 * size + 2)
    throw new Error(`${o.trace}: ${jobs.length} usable jobs, need at least ${2 * size + 2} for windows of ${size}`);
  let starts = o.starts;
  if (!starts) {
    const published = PUBLISHED_STARTS.slice(0, windows);
    if (windows <= PUBLISHED_STARTS.length && size === WINDOW_JOBS && published.every((s) => s + size <= jobs.length))
      starts = published;
    else {
      // As the original draws them: uniform in [size, jobs - size - 1).
      const rng = new RandomStreams(o.seed ?? 1).get("rlscheduler-windows");
      starts = Array.from({ length: windows }, () => size + Math.floor(rng.next() * (jobs.length - 2 * size - 1)));
    }
  }
  for (const s of starts) {
    if (!Number.isInteger(s) || s < 0 || s + size > jobs.length)
      throw new Error(`window start ${s} is outside 0..${jobs.length - size}`);
  }
  const results: RlPolicyResult[] = [];
  for (const backfill of [false, true]) {
    for (const policy of BATCH_POLICIES) {
      let bsld = 0;
      let util = 0;
      for (const s of starts) {
        const r =
          o.semantics === "default"
            ? runEngineWindow(jobs, s, size, { policy, backfill, nodes, procsPerNode })
            : runCompatWindow(jobs, s, size, { policy, backfill, nodes, procsPerNode });
        bsld += r.boundedSlowdown;
        util += r.utilisation;
      }
      results.push({ policy, backfill, boundedSlowdown: bsld / starts.length, utilisation: util / starts.length });
    }
  }
  return { trace: o.trace, jobs: jobs.length, nodes, procsPerNode, starts, windowJobs: size, droppedTooWide, results };
}
