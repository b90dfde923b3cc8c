import { CohortQueue } from "./cohort-queue.js";
import type { TickFigures } from "./latency-model.js";

/**
 * The fluid model's drawn arrivals through a queue of their own (the same capacity and timeout as the
 * mean rate's queue): what a tick counts served, dropped and waiting when its arrivals are drawn
 * (./fluid-latency.ts says why the two queues are kept apart).
 */
export class DrawnQueue {
  private readonly q = new CohortQueue();

  constructor(private readonly timeoutS: number) {}

  /** Requests waiting at the last tick's end. */
  get size(): number {
    return this.q.size;
  }

  /**
   * A tick's `drawn` requests (arriving, on average, at its middle) served at `capacity` for the tick:
   * sets the tick's served and dropped counts; returns how many wait at its end.
   */
  take(drawn: number, t0S: number, dtS: number, capacity: number, out: TickFigures): number {
    const q = this.q;
    if (q.size === 0 && drawn <= capacity) {
      out.served = drawn;
      out.dropped = 0;
      return 0;
    }
    if (drawn > 0) q.push(t0S + dtS / 2, drawn);
    out.served = q.serve(t0S, dtS, capacity);
    out.dropped = q.dropOlderThan(t0S + dtS - this.timeoutS);
    return q.size;
  }

  clear(): void {
    this.q.clear();
  }
}
