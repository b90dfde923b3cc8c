import { BatchLoop, Run, runBatch } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import {
  type CompatJob,
  type CompatMachine,
  type CompatOptions,
  firstFit,
  type WindowResult,
} from "@clustersim/schedulers";
import { type Task, task } from "@clustersim/workloads";

/**
 * One window of jobs, jobs[start .. start+count), run by the engine's own batch queue (the run a
 * scenario's `scheduler: rl-kernel` makes) with its jobs chosen from outside (BatchLoop's policy
 * "external"): the same stepping as CompatWindow, which reproduces the RLScheduler paper's own
 * simulator, so that the queue environment can train an agent in the physics it is deployed in.
 *
 * Jobs are gangs of `procs` one-processor tasks placed first-fit on nodes of `procsPerNode` processors
 * (as `repro rlscheduler --semantics default` runs them). A decision is asked at every pass of the
 * queue while jobs wait: after each start, and afresh whenever something finishes or arrives; a chosen
 * job that does not fit is the head EASY backfilling (when on) plans around, until the next decision.
 * Scores as the paper's: mean bounded slowdown over the window's jobs, utilisation Σ run·procs over
 * (last start − first submit) · processors.
 */
export class EngineWindow {
  private readonly run: Run;
  private readonly loop: BatchLoop;
  private readonly jobOf = new Map<Task, CompatJob>();
  private readonly taskOf = new Map<CompatJob, Task>();
  private readonly firstSubmitS: number;
  private lastStartS = Number.NEGATIVE_INFINITY;
  private started = 0;
  private ended = false;
  private waiting: CompatJob[] = [];

  constructor(
    jobs: readonly CompatJob[],
    start: number,
    count: number,
    private readonly o: CompatMachine,
  ) {
    const end = start + count;
    if (start < 0 || end > jobs.length || count < 1)
      throw new RangeError(`window [${start}, ${end}) is outside the ${jobs.length} jobs`);
    const cluster = new ClusterState(
      Array.from({ length: o.nodes }, () => ({ cpuMilli: o.procsPerNode * 1000, memoryMiB: 1 })),
    );
    const tasks = jobs.slice(start, end).map((j, i) => {
      const t = windowTask(j, i);
      this.jobOf.set(t, j);
      this.taskOf.set(j, t);
      return t;
    });
    this.firstSubmitS = jobs[start]!.submitS;
    this.loop = new BatchLoop({ placement: firstFit(), policy: "external", backfill: o.backfill });
    this.run = new Run({
      cluster,
      tasks: tasks.values(),
      loop: this.loop,
      listeners: [
        {
          start: (_t, _nodes, now) => {
            this.started++;
            this.lastStartS = Math.max(this.lastStartS, now);
          },
        },
      ],
    });
    this.advance();
  }

  /** The jobs waiting at this decision, in arrival order (empty once the window is done). */
  get queue(): readonly CompatJob[] {
    return this.waiting;
  }

  get now(): number {
    return this.run.nowS;
  }

  get done(): boolean {
    return this.ended;
  }

  get startedJobs(): number {
    return this.started;
  }

  /** Whether the job fits the cluster's free processors now. */
  fits(j: CompatJob): boolean {
    const choice = this.run.pendingJobChoice;
    const t = this.taskOf.get(j);
    return choice !== undefined && t !== undefined && choice.fits(t);
  }

  /** Start `job` if it fits (else it heads the queue until the next decision), and go to the next decision. */
  choose(job: CompatJob): void {
    const t = this.taskOf.get(job);
    if (this.ended || t === undefined) throw new RangeError("choose(): expected a job of the window waiting now");
    this.run.chooseJob(t);
    this.advance();
  }

  result(): WindowResult {
    if (!this.ended) throw new Error("result(): the window has not run to its end");
    const c = this.loop.counts;
    return {
      boundedSlowdown: c.boundedSlowdownSum / c.completed,
      utilisation: c.workMilliS / 1000 / ((this.lastStartS - this.firstSubmitS) * this.o.nodes * this.o.procsPerNode),
    };
  }

  /** Run to the next decision, or to the end. */
  private advance(): void {
    const status = this.run.advance();
    if (status === "ended") {
      this.ended = true;
      this.waiting = [];
      return;
    }
    if (status !== "decision") throw new Error(`the window's run stopped for ${status}, not a decision`);
    this.waiting = this.run.pendingJobChoice!.waiting.map((t) => this.jobOf.get(t)!);
  }
}

/**
 * A window under a named policy in the engine's own batch run (`repro rlscheduler --semantics
 * default`, and the heuristics beside agents trained with `semantics: engine`), scored as EngineWindow.
 */
export function runEngineWindow(
  jobs: readonly CompatJob[],
  start: number,
  count: number,
  o: CompatOptions,
): WindowResult {
  const cluster = new ClusterState(
    Array.from({ length: o.nodes }, () => ({ cpuMilli: o.procsPerNode * 1000, memoryMiB: 1 })),
  );
  const window = jobs.slice(start, start + count).map(windowTask);
  let lastStart = Number.NEGATIVE_INFINITY;
  const r = runBatch({
    cluster,
    placement: firstFit(),
    policy: o.policy,
    backfill: o.backfill,
    jobs: window.values(),
    onStart: (_t, now) => (lastStart = Math.max(lastStart, now)),
  });
  const span = lastStart - window[0]!.arrivalS;
  return {
    boundedSlowdown: r.boundedSlowdownSum / r.completed,
    utilisation: r.workMilliS / 1000 / (span * o.nodes * o.procsPerNode),
  };
}

/** A window's job as the engine's batch queue takes it: a gang of `procs` one-processor tasks. */
function windowTask(j: CompatJob, i: number): Task {
  return task({
    id: i,
    arrivalS: j.submitS,
    runS: j.runS,
    reqTimeS: j.reqTimeS,
    procs: j.procs,
    cpuMilli: 1000 * j.procs,
  });
}
