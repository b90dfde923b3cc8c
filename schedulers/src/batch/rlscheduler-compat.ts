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
  /** What the RL environment's observation also shows (SWF fields; -1 where unknown, absent: unknown). */
  reqMemKiB?: number;
  user?: number;
  group?: number;
  executable?: number;
}

export interface CompatMachine {
  backfill: boolean;
  nodes: number;
  procsPerNode: number;
}

export interface CompatOptions extends CompatMachine {
  policy: BatchPolicyName;
}

export interface WindowResult {
  /** Mean bounded slowdown, max(1, (wait + run) / max(run, 10)), over the window's jobs. */
  boundedSlowdown: number;
  /** Σ run·procs / ((last start − first submit) · processors). */
  utilisation: number;
}

/**
 * One window, jobs[start .. start+count), stepped one decision at a time: `queue` holds the jobs
 * waiting at a decision, `choose(job)` schedules one of them (time moves event by event until it fits,
 * backfilling meanwhile when on) and moves on to the next decision; `done` once every job of the window
 * has started. A policy orders `queue` in place before choosing (ties keep the array's order, as the
 * original's stable sorts do); the RL environment reads it without reordering.
 */
export class CompatWindow {
  /** The jobs waiting now; a policy may reorder this array, never add or remove. */
  readonly queue: CompatJob[];
  private readonly running: CompatJob[] = [];
  private readonly scheduled = new Map<CompatJob, number>();
  private readonly end: number;
  private next: number;
  private nowS: number;
  private free: number;
  private bsldSum = 0;
  private work = 0;
  private started = 0;
  private finished = false;

  constructor(
    private readonly jobs: readonly CompatJob[],
    private readonly start: number,
    private readonly count: number,
    private readonly o: CompatMachine,
  ) {
    this.end = start + count;
    if (start < 0 || this.end > jobs.length || count < 1)
      throw new RangeError(`window [${start}, ${this.end}) is outside the ${jobs.length} jobs`);
    this.nowS = jobs[start].submitS;
    this.free = o.nodes;
    this.next = start + 1;
    this.queue = [jobs[start]];
  }

  get now(): number {
    return this.nowS;
  }
  get freeNodes(): number {
    return this.free;
  }
  get done(): boolean {
    return this.finished;
  }
  /** Jobs started so far (chosen or backfilled), of the window's `count`. */
  get startedJobs(): number {
    return this.started;
  }

  nodesOf(j: CompatJob): number {
    return Math.ceil(j.procs / this.o.procsPerNode);
  }

  fits(j: CompatJob): boolean {
    return this.nodesOf(j) <= this.free;
  }

  /** Schedule `job`, one of `queue`: wait until it fits (backfilling if on), start it, go to the next decision. */
  choose(job: CompatJob): void {
    if (this.finished) throw new Error("choose(): the window is done");
    if (!this.queue.includes(job)) throw new RangeError(`choose(): job ${job.id} is not waiting`);
    if (!this.fits(job)) (this.o.backfill ? this.waitWithBackfill : this.waitWithoutBackfill).call(this, job);
    this.begin(job);
    if (!this.refill()) this.finished = true;
  }

  /** The window's scores: mean bounded slowdown and utilisation (so far, while not done). */
  result(): WindowResult {
    const span = this.nowS - this.jobs[this.start].submitS;
    return {
      boundedSlowdown: this.bsldSum / this.count,
      utilisation: this.work / (span * this.o.nodes * this.o.procsPerNode),
    };
  }

  private startOf(j: CompatJob): number {
    return this.scheduled.get(j)!;
  }

  private readonly byFinish = (a: CompatJob, b: CompatJob) => this.startOf(a) + a.runS - (this.startOf(b) + b.runS);
  private readonly byRequestedFinish = (a: CompatJob, b: CompatJob) =>
    this.startOf(a) + a.reqTimeS - (this.startOf(b) + b.reqTimeS);

  private begin(j: CompatJob): void {
    this.scheduled.set(j, this.nowS);
    this.free -= this.nodesOf(j);
    this.running.push(j);
    this.bsldSum += Math.max(1, (this.nowS - j.submitS + j.runS) / Math.max(j.runS, 10));
    this.work += j.runS * j.procs;
    this.started++;
    this.queue.splice(this.queue.indexOf(j), 1);
  }

  /** Admit the next arrival, or finish the earliest-ending running job, whichever comes first. */
  private advance(): void {
    const running = this.running;
    if (running.length === 0) throw new Error("a job is blocked with nothing running: it cannot ever fit");
    running.sort(this.byFinish);
    const release = this.startOf(running[0]) + running[0].runS;
    if (this.next < this.end && this.jobs[this.next].submitS <= release) {
      this.nowS = Math.max(this.nowS, this.jobs[this.next].submitS);
      this.queue.push(this.jobs[this.next++]);
    } else {
      this.nowS = Math.max(this.nowS, release);
      this.free += this.nodesOf(running.shift()!);
    }
  }

  private waitWithoutBackfill(blocked: CompatJob): void {
    while (!this.fits(blocked)) this.advance();
  }

  private waitWithBackfill(blocked: CompatJob): void {
    const ppn = this.o.procsPerNode;
    this.running.sort(this.byRequestedFinish);
    let reservation = this.nowS;
    let freeProcs = this.free * ppn;
    for (const r of this.running) {
      freeProcs += this.nodesOf(r) * ppn;
      reservation = this.startOf(r) + r.reqTimeS;
      if (freeProcs >= blocked.procs) break;
    }
    while (!this.fits(blocked)) {
      this.queue.sort(bySubmit);
      for (const j of [...this.queue]) if (this.nowS + j.reqTimeS < reservation && this.fits(j)) this.begin(j);
      this.advance();
    }
  }

  /** After a decision: false when the window's last job has been scheduled. */
  private refill(): boolean {
    if (this.queue.length > 0) return true;
    if (this.next >= this.end) return false;
    const running = this.running;
    for (;;) {
      let release = Infinity;
      if (running.length > 0) {
        running.sort(this.byFinish);
        release = this.startOf(running[0]) + running[0].runS;
      }
      if (this.jobs[this.next].submitS <= release) {
        this.nowS = Math.max(this.nowS, this.jobs[this.next].submitS);
        this.queue.push(this.jobs[this.next++]);
        return true;
      }
      this.nowS = Math.max(this.nowS, release);
      this.free += this.nodesOf(running.shift()!);
    }
  }
}

const bySubmit = (a: CompatJob, b: CompatJob) => a.submitS - b.submitS;

/** Simulate jobs[start .. start+count) under a queue policy and score them. `jobs` sorted by id, run time > 0. */
export function runCompatWindow(
  jobs: readonly CompatJob[],
  start: number,
  count: number,
  o: CompatOptions,
): WindowResult {
  const score = SCORES[o.policy];
  // The original scores a waiting job with its scheduled time still -1: wait = -1 - submit.
  const byScore = (a: CompatJob, b: CompatJob) => {
    const wa = -1 - a.submitS;
    const wb = -1 - b.submitS;
    const pa = score.primary(a, wa);
    const pb = score.primary(b, wb);
    if (pa !== pb) return pa < pb ? -1 : 1;
    const sa = score.secondary(a, wa);
    const sb = score.secondary(b, wb);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  };
  const w = new CompatWindow(jobs, start, count, o);
  while (!w.done) {
    w.queue.sort(byScore);
    w.choose(w.queue[0]);
  }
  return w.result();
}
