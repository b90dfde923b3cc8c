/**
 * A first-in-first-out queue of numbers (a ring grown on demand: no allocation per entry): the
 * per-request models' waiting requests, by arrival time or by request id.
 */
export class Ring {
  private items = new Float64Array(256);
  private head = 0;
  /** Entries held. */
  count = 0;

  /** The oldest entry (undefined behaviour when empty: callers check `count`). */
  first(): number {
    return this.items[this.head];
  }

  push(x: number): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = x;
    this.count++;
  }

  /** Remove and return the oldest entry. */
  shift(): number {
    const x = this.items[this.head];
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return x;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const grown = new Float64Array(this.items.length * 2);
    for (let k = 0; k < this.count; k++) grown[k] = this.items[(this.head + k) % this.items.length];
    this.items = grown;
    this.head = 0;
  }
}
