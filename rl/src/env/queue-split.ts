/**
 * A trace's jobs split by time into training, validation and test ranges, so that no job an agent
 * is chosen or judged on was in any episode it trained on. RLScheduler draws training episodes from
 * the whole trace and evaluates on windows inside it (78% of its training episodes overlap its ten
 * published windows on Lublin-1): a lead measured there may be memory. The rule, fixed here and named
 * in the environment file (`split:`), is temporal, as a scheduler deployed tomorrow meets jobs that
 * come after those it learned from:
 *
 *   test        the trace's last `testWindows` windows of `windowJobs` jobs, back to back;
 *   validation  the `validationWindows` windows just before them (the best epoch is chosen there);
 *   training    every job before the first validation window: an episode of `sequenceJobs` jobs
 *               starts uniformly in [0, trainJobs − sequenceJobs], so it ends before validation.
 *
 * Jobs are in the trace's order (by id, as RLScheduler reads them), which is submit order.
 */
export interface QueueSplitRule {
  validationWindows: number;
  testWindows: number;
  windowJobs: number;
}

export interface QueueSplit {
  /** Training episodes use jobs [0, trainJobs). */
  trainJobs: number;
  /** First job of each validation window, then of each test window, in trace order. */
  validationStarts: number[];
  testStarts: number[];
}

/** The ranges `rule` gives a trace of `jobs` jobs (too short a trace is the caller's check: splitFits). */
export function splitTrace(jobs: number, rule: QueueSplitRule): QueueSplit {
  const testStart = jobs - rule.testWindows * rule.windowJobs;
  const trainJobs = testStart - rule.validationWindows * rule.windowJobs;
  const starts = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i * rule.windowJobs);
  return {
    trainJobs,
    validationStarts: starts(trainJobs, rule.validationWindows),
    testStarts: starts(testStart, rule.testWindows),
  };
}

/**
 * Why a trace of `jobs` jobs cannot be split by `rule` with episodes of `sequenceJobs` (training must
 * hold at least two episode starts), or undefined when it can.
 */
export function splitProblem(jobs: number, rule: QueueSplitRule, sequenceJobs: number): string | undefined {
  const { trainJobs } = splitTrace(jobs, rule);
  if (trainJobs >= sequenceJobs + 1) return undefined;
  return `expected the trace's ${jobs} jobs to hold ${rule.validationWindows + rule.testWindows} windows of ${rule.windowJobs} jobs after at least ${sequenceJobs + 1} training jobs (sequenceJobs + 1), found ${Math.max(0, trainJobs)} left for training`;
}
