import { type BatchPolicyName, SCORES, type ScoredJob } from "./scores.js";

/**
 * Compatibility profile "rlscheduler-sc20": the batch-queue environment behind the RLScheduler paper's
 * published tables (Zhang et al., SC'20; code: DIR-LAB/deep-batch-scheduler, HPCSimPickJobs.py), with
 * its event order and quirks, so that the published averages can be reproduced to the printed digit.
 * This is not clustersim's default batch-queue behaviour; the differences, all deliberate here:
 *
 * - One scheduling decision at a time: the policy's first job blocks the queue until it fits; time only
 *   advances while a job is blocked or the queue is empty, one event at a time, an arrival before a
 *   release at the same instant.
 * - Only whole nodes: a job takes ceil(procs / procsPerNode) nodes.
 * - WFP3 and UNI see a waiting job's wait as -1 - submit (its scheduled time is still -1).
 * - EASY backfilling computes the blocked job's reservation once, from requested times, when it
 *   blocks; candidates are tried in submit order and must end strictly before that reservation.
 * - Every list is re-sorted with a stable sort before use, so ties keep the original's order.
 */
export interface CompatJob extends ScoredJob {
  id: number;
  runS: number;
}

export interface CompatOptions {
  policy: BatchPolicyName;
  backfill: boolean;
  nodes: number;
  procsPerNode: number;
}

export interface WindowResult {
  /** Mean bounded slowdown, max(1, (wait + run) / max(run, 10)), over the window's jobs. */
  boundedSlowdown: number;
  /** Σ run·procs / ((last start − first submit) · processors). */
  utilisation: number;
}

/** Simulate jobs[start .. start+count) and score them. `jobs` sorted by id, run time > 0. */
export function runCompatWindow(
  jobs: readonly CompatJob[],
  start: number,
  count: number,
  o: CompatOptions,
): WindowResult {
  const end = start + count;
  if (start < 0 || end > jobs.length)
    throw new RangeError(`window [${start}, ${end}) is outside the ${jobs.length} jobs`);
  const score = SCORES[o.policy];
  const nodesOf = (j: CompatJob) => Math.ceil(j.procs / o.procsPerNode);
  const scheduled = new Map<CompatJob, number>();
  const key = (j: CompatJob) => {
    const w = -1 - j.submitS; // scheduled time is -1 while the job waits
    return [score.primary(j, w), score.secondary(j, w)] as const;
  };
  const byScore = (a: CompatJob, b: CompatJob) => {
    const ka = key(a),
      kb = key(b);
    return ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
  };
  const bySubmit = (a: CompatJob, b: CompatJob) => a.submitS - b.submitS;
  const start_ = (j: CompatJob) => scheduled.get(j)!;
  const byFinish = (a: CompatJob, b: CompatJob) => start_(a) + a.runS - (start_(b) + b.runS);
  const byRequestedFinish = (a: CompatJob, b: CompatJob) => start_(a) + a.reqTimeS - (start_(b) + b.reqTimeS);

  let now = jobs[start].submitS;
  let freeNodes = o.nodes;
  let next = start + 1;
  let queue: CompatJob[] = [jobs[start]];
  const running: CompatJob[] = [];
  let bsldSum = 0;
  let work = 0;

  const fits = (j: CompatJob) => nodesOf(j) <= freeNodes;
  const begin = (j: CompatJob) => {
    scheduled.set(j, now);
    freeNodes -= nodesOf(j);
    running.push(j);
    bsldSum += Math.max(1, (now - j.submitS + j.runS) / Math.max(j.runS, 10));
    work += j.runS * j.procs;
    queue.splice(queue.indexOf(j), 1);
  };
  /** Admit the next arrival, or finish the earliest-ending running job, whichever comes first. */
  const advance = () => {
    if (running.length === 0) throw new Error("a job is blocked with nothing running: it cannot ever fit");
    running.sort(byFinish);
    const release = start_(running[0]) + running[0].runS;
    if (next < end && jobs[next].submitS <= release) {
      now = Math.max(now, jobs[next].submitS);
      queue.push(jobs[next++]);
    } else {
      now = Math.max(now, release);
      freeNodes += nodesOf(running.shift()!);
    }
  };
  const waitWithoutBackfill = (blocked: CompatJob) => {
    while (!fits(blocked)) advance();
  };
  const waitWithBackfill = (blocked: CompatJob) => {
    running.sort(byRequestedFinish);
    let reservation = now;
    let freeProcs = freeNodes * o.procsPerNode;
    for (const r of running) {
      freeProcs += nodesOf(r) * o.procsPerNode;
      reservation = start_(r) + r.reqTimeS;
      if (freeProcs >= blocked.procs) break;
    }
    while (!fits(blocked)) {
      queue.sort(bySubmit);
      for (const j of [...queue]) if (now + j.reqTimeS < reservation && fits(j)) begin(j);
      advance();
    }
  };
  /** After a decision: false when the window's last job has been scheduled. */
  const refill = (): boolean => {
    if (queue.length > 0) return true;
    if (next >= end) return false;
    for (;;) {
      let release = Infinity;
      if (running.length > 0) {
        running.sort(byFinish);
        release = start_(running[0]) + running[0].runS;
      }
      if (jobs[next].submitS <= release) {
        now = Math.max(now, jobs[next].submitS);
        queue.push(jobs[next++]);
        return true;
      }
      now = Math.max(now, release);
      freeNodes += nodesOf(running.shift()!);
    }
  };

  do {
    queue.sort(byScore);
    const chosen = queue[0];
    if (!fits(chosen)) (o.backfill ? waitWithBackfill : waitWithoutBackfill)(chosen);
    begin(chosen);
  } while (refill());
  queue = [];

  const span = now - jobs[start].submitS;
  return { boundedSlowdown: bsldSum / count, utilisation: work / (span * o.nodes * o.procsPerNode) };
}
