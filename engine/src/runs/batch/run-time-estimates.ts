import { correctedPrediction, type RuntimeEstimate, UserRunTimes } from "@clustersim/schedulers";
import type { Task } from "@clustersim/workloads";
import type { RunServices } from "../scheduling-loop.js";
import type { BatchCounts, Running } from "./batch-jobs.js";

/**
 * The run time the batch queue goes by for each job: the user's request, or (`runtime: predicted`) the
 * prediction from the user's last two completed jobs (schedulers' runtime-prediction.ts; the user is the
 * task's `app`, an SWF log's user id), made at submission. A running job that outlives its prediction
 * has it corrected upward at that moment, by an event; a job evicted or killed goes back to the queue
 * with its prediction from submission, its corrections undone (as in pyss).
 */
export class RunTimeEstimates {
  readonly predicted: boolean;
  private readonly history = new UserRunTimes();
  private run!: RunServices;
  private kind = 0;

  constructor(
    runtime: RuntimeEstimate | undefined,
    private readonly counts: BatchCounts,
  ) {
    this.predicted = runtime === "predicted";
  }

  /** Register the correction event; `running(key)` finds the job it is for. */
  attach(run: RunServices, running: (key: number) => Running): void {
    this.run = run;
    this.kind = run.sim.on("runtime-correction", (key) => this.correct(running(key), key));
  }

  /** The run time a job of `task` requesting `requestedS` is queued by. */
  estimate(task: Task, requestedS: number): number {
    return this.predicted ? this.history.predict(task.app, requestedS) : requestedS;
  }

  /** A job completed: its run teaches the user's history. */
  completed(task: Task): void {
    this.history.completed(task.app, task.runS);
  }

  /** A job started (`run.expectedEndS` by its estimate): counted if under-predicted, its correction set. */
  started(run: Running, key: number): void {
    const job = run.job;
    if (!job.started && this.predicted && job.reqTimeS < job.requestedS && job.task.runS > job.reqTimeS)
      this.counts.underpredicted++;
    job.started = true;
    this.due(run, key);
  }

  /** A running job left (finished, evicted, killed): its pending correction goes. */
  stopped(run: Running): void {
    if (run.correction === null) return;
    this.run.sim.cancel(run.correction);
    run.correction = null;
  }

  /**
   * The next correction of a running job's prediction, when the job will outlive the prediction it has
   * and a correction can still raise it (it is below the request). Only then is an event set, at the
   * moment the job outlives its prediction: the scheduler then learns it (as a real one would, seeing
   * the job still running) and plans again.
   */
  private due(run: Running, key: number): void {
    const job = run.job;
    const estimateS = run.expectedEndS - run.startS;
    if (!this.predicted || !(job.task.runS > estimateS) || estimateS >= job.requestedS) return;
    run.correction = this.run.sim.after(run.expectedEndS - this.run.sim.now, this.kind, key);
  }

  private correct(run: Running, key: number): void {
    run.correction = null;
    run.corrections++;
    this.counts.corrections++;
    run.expectedEndS = run.startS + correctedPrediction(run.job.reqTimeS, run.corrections, run.job.requestedS);
    this.due(run, key);
    this.run.requestPass();
  }
}
