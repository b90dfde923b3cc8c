/** A binary min-heap under a comparator: the queues' ordering structure (O(log n) push and pop). */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(x: T): void {
    const a = this.items;
    let i = a.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(x, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }

  /**
   * Add many at once: one by one when they are few, else appended and the whole rebuilt bottom-up
   * (Floyd: O(n + m) against O(m log(n + m))). Under a strict total order the pops that follow are the
   * same either way: each pop returns the least element, whatever the array's layout.
   */
  pushAll(xs: readonly T[]): void {
    const a = this.items;
    if (xs.length * 4 < a.length) {
      for (const x of xs) this.push(x);
      return;
    }
    for (const x of xs) a.push(x);
    for (let i = (a.length >> 1) - 1; i >= 0; i--) this.siftDown(i, a[i]);
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    this.siftDown(0, last);
    return top;
  }

  /** Put `x` at position i or below, moving smaller children up. */
  private siftDown(i: number, x: T): void {
    const a = this.items;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.less(a[l + 1], a[l]) ? l + 1 : l;
      if (!this.less(a[c], x)) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = x;
  }

  /** Empty it, keeping its storage (a search that reuses one heap per try). */
  clear(): void {
    this.items.length = 0;
  }

  /** Every element, in no particular order. */
  toArray(): T[] {
    return this.items.slice();
  }
}
