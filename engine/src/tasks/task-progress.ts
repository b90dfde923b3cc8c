import type { EventKind, Simulation } from "@clustersim/sim-core";

/**
 * Rate-based progress of running tasks. A task has work (seconds at full speed) and a rate (1 = full
 * speed); it finishes when its work is done, after an optional start delay (a sandbox's start). When
 * its rate changes (traffic, interference, a saturated DPU), the work done so far is booked and the
 * finish event moves to now + remaining / rate.
 *
 * A task whose rate never changes costs one event, as a fixed run time would: nothing else is touched.
 * Slots are the run's placement ids; state lives in typed arrays grown on demand.
 */
export class TaskProgress {
  private workLeft = new Float64Array(1024);
  private rate = new Float64Array(1024);
  /** When the work left was last booked: the start of work (after the delay), or the last rate change. */
  private since = new Float64Array(1024);
  private handle = new Float64Array(1024).fill(-1);

  constructor(
    private readonly sim: Simulation,
    private readonly finishKind: EventKind,
  ) {}

  /** Start slot `id`: `workS` of work at `rate`, after `delayS`. Infinite work never finishes. */
  start(id: number, delayS: number, workS: number, rate = 1): void {
    if (id >= this.workLeft.length) this.grow(id);
    this.workLeft[id] = workS;
    this.rate[id] = rate;
    this.since[id] = this.sim.now + delayS;
    this.handle[id] =
      Number.isFinite(workS) && rate > 0 ? this.sim.after(delayS + workS / rate, this.finishKind, id) : -1;
  }

  /** Change the rate of a running slot; its finish moves accordingly (rate 0: paused). */
  setRate(id: number, rate: number): void {
    if (!(rate >= 0 && rate < Infinity)) throw new RangeError(`task rate must be finite and >= 0, found ${rate}`);
    const now = this.sim.now;
    if (now > this.since[id]) {
      this.workLeft[id] = Math.max(0, this.workLeft[id] - this.rate[id] * (now - this.since[id]));
      this.since[id] = now;
    }
    this.rate[id] = rate;
    if (this.handle[id] >= 0) this.sim.cancel(this.handle[id]);
    const left = this.workLeft[id];
    this.handle[id] =
      Number.isFinite(left) && rate > 0 ? this.sim.at(this.since[id] + left / rate, this.finishKind, id) : -1;
  }

  rateOf(id: number): number {
    return this.rate[id];
  }

  /** Work left at the current time, seconds at full speed. */
  workLeftS(id: number): number {
    const done = Math.max(0, this.sim.now - this.since[id]) * this.rate[id];
    return Math.max(0, this.workLeft[id] - done);
  }

  /** The slot left early (killed, preempted): drop its pending finish. */
  stop(id: number): void {
    if (this.handle[id] >= 0) this.sim.cancel(this.handle[id]);
    this.handle[id] = -1;
  }

  /** The slot's finish event fired. */
  finished(id: number): void {
    this.handle[id] = -1;
  }

  private grow(id: number): void {
    const size = Math.max(id + 1, this.workLeft.length * 2);
    const grow = (a: Float64Array, fill = 0) => {
      const b = new Float64Array(size).fill(fill);
      b.set(a);
      return b;
    };
    this.workLeft = grow(this.workLeft);
    this.rate = grow(this.rate);
    this.since = grow(this.since);
    this.handle = grow(this.handle, -1);
  }
}
