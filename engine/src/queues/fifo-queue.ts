import { byArrival, type Waiting, type WaitingQueue } from "./waiting-queue.js";

/**
 * Strict first come, first served: the oldest waiting task is the only one tried, and blocks every
 * newer one until it fits (head-of-line blocking, as a FIFO batch queue without backfilling).
 */
export class FifoQueue implements WaitingQueue {
  private items: Waiting[] = [];
  private head = 0;
  /** The head was tried and did not fit; nothing has changed since. */
  private blocked = false;

  /** In arrival order: new tasks go last; a resubmitted (older) task goes where it arrived. */
  add(w: Waiting): void {
    const items = this.items;
    if (items.length === this.head || byArrival(items[items.length - 1], w) <= 0) {
      items.push(w);
      return;
    }
    let lo = this.head;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byArrival(items[mid], w) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, w);
    if (lo === this.head) this.blocked = false;
  }

  pop(): Waiting | undefined {
    if (this.blocked || this.head === this.items.length) return undefined;
    const w = this.items[this.head];
    w.attempts++;
    this.items[this.head++] = undefined as unknown as Waiting;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return w;
  }

  failed(w: Waiting): void {
    // Back to the head: the order never changes.
    if (this.head > 0) this.items[--this.head] = w;
    else this.items.unshift(w);
    this.blocked = true;
  }

  clusterChanged(): void {
    this.blocked = false;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  remaining(): Waiting[] {
    return this.items.slice(this.head);
  }
}
