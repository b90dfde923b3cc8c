/**
 * A first-come-first-served queue of request cohorts, each an arrival time and how many requests it
 * still holds (fractional: the fluid model's). Capacity serves the oldest first; cohorts that have
 * waited past the timeout leave. A ring grown on demand: no allocation per tick.
 */
export class CohortQueue {
  private at = new Float64Array(64);
  private left = new Float64Array(64);
  private head = 0;
  private count = 0;
  /** Requests held, over all cohorts. */
  size = 0;
  /** The wait summed over the requests the last `serve` served (request-seconds). */
  waitSum = 0;

  push(atS: number, requests: number): void {
    if (this.count === this.at.length) this.grow();
    const i = (this.head + this.count) % this.at.length;
    this.at[i] = atS;
    this.left[i] = requests;
    this.count++;
    this.size += requests;
  }

  /**
   * Serve up to `capacity` requests over the tick [t0, t0 + dt] from the oldest cohorts, in order,
   * evenly over the tick; returns how many were served (their waits summed in `waitSum`).
   */
  serve(t0S: number, dtS: number, capacity: number): number {
    let used = 0;
    this.waitSum = 0;
    while (this.count > 0 && used < capacity) {
      const i = this.head;
      const take = Math.min(this.left[i], capacity - used);
      // This share is served at the middle of its slice of the tick's capacity.
      const servedAt = t0S + (dtS * (used + take / 2)) / capacity;
      this.waitSum += Math.max(0, servedAt - this.at[i]) * take;
      used += take;
      this.left[i] -= take;
      this.size -= take;
      if (this.left[i] <= 1e-9) this.shift();
    }
    if (this.count === 0) this.size = 0;
    return used;
  }

  /** Cohorts that arrived before `cutoffS` leave unserved; returns how many requests left. */
  dropOlderThan(cutoffS: number): number {
    let dropped = 0;
    while (this.count > 0 && this.at[this.head] < cutoffS) {
      dropped += this.left[this.head];
      this.size -= this.left[this.head];
      this.shift();
    }
    if (this.count === 0) this.size = 0;
    return dropped;
  }

  /** Every cohort leaves. */
  clear(): void {
    this.head = 0;
    this.count = 0;
    this.size = 0;
  }

  private shift(): void {
    this.head = (this.head + 1) % this.at.length;
    this.count--;
  }

  private grow(): void {
    const size = this.at.length * 2;
    const at = new Float64Array(size);
    const left = new Float64Array(size);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.at.length;
      at[k] = this.at[i];
      left[k] = this.left[i];
    }
    this.at = at;
    this.left = left;
    this.head = 0;
  }
}
