/**
 * A design the core did not choose, kept to show why (`npm run bench:core`): the pending-event set as a
 * d-ary min-heap over (time, insertion sequence) in typed arrays, with the same API and guarantees as
 * sim-core's EventQueue. The bench runs it with d = 2 (binary) and d = 4.
 *
 * - The heap moves only an 8-byte time and a 4-byte slot index per entry; the event's payload
 *   (sequence, kind, target, arg) sits in a slot pool and is touched only on push, pop, or a tie.
 * - Pop uses the "hole to the bottom" sift (Floyd): the hole left by the root walks down along the
 *   smaller child without comparing against the displaced last element, which is then sifted up.
 * - Nothing is allocated per event: slots are recycled through a free list threaded through `target`.
 *
 * It loses to the one-rung ladder queue because every pop walks log_d(n) levels of the heap, which at
 * 10^5 to 10^6 pending events means several cache misses per event.
 *
 * Ordering is total and deterministic: earlier time first; equal times in insertion order.
 *
 * Cancellation is O(1) and lazy: the slot is marked and skipped when it reaches the top. When cancelled
 * entries outnumber live ones, the heap is rebuilt without them (amortised O(1) per cancellation), so
 * a model that cancels most of its timeouts does not grow the queue without bound.
 */

/** A handle to a scheduled event: slot index plus the slot's generation (so stale handles are inert). */
export type EventHandle = number;

/** Kind value marking a slot whose event was cancelled. */
const CANCELLED = 0xffff;
/** Largest kind a caller may use (kinds are stored as Uint16; one value is reserved). */

/** Slots per generation step in a handle. 2^26 ≈ 67 M pending events at most. */
const SLOT_BITS = 26;
const SLOT_LIMIT = 2 ** SLOT_BITS;
/** Generations wrap at 2^27 so that a handle stays below 2^53 (an exact integer double). */
const GEN_MASK = 2 ** 27 - 1;

export class DaryHeapQueue {
  // Heap, positions 0..heapSize-1: time and slot of each entry.
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private heapSize = 0;

  // Slot pool: payload of each pending event.
  private slotSeq: Float64Array;
  private slotKind: Uint16Array;
  /** Target of a pending event; for a free slot, the next free slot (-1 ends the list). */
  private slotTarget: Int32Array;
  private slotArg: Float64Array;
  private slotGen: Uint32Array;
  private freeHead = -1;
  private slotsUsed = 0;

  private capacity: number;
  private nextSeq = 0;
  private cancelledCount = 0;

  /** Fields of the event most recently returned by `pop()`; valid until the next `pop()`. */
  time = 0;
  kind = 0;
  target = 0;
  arg = 0;
  seq = 0;

  constructor(
    private readonly arity: number,
    initialCapacity = 1024,
  ) {
    const cap = Math.max(16, Math.min(SLOT_LIMIT, Math.ceil(initialCapacity)));
    this.capacity = cap;
    this.heapTime = new Float64Array(cap);
    this.heapSlot = new Int32Array(cap);
    this.slotSeq = new Float64Array(cap);
    this.slotKind = new Uint16Array(cap);
    this.slotTarget = new Int32Array(cap);
    this.slotArg = new Float64Array(cap);
    this.slotGen = new Uint32Array(cap);
  }

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.heapSize - this.cancelledCount;
  }

  /** Number of events ever pushed; the next event's sequence number. */
  get pushed(): number {
    return this.nextSeq;
  }

  /**
   * Schedule an event. `time` must be a number (not NaN); `kind` an integer in [0, MAX_EVENT_KIND];
   * `target` a 32-bit integer; `arg` any number. Validation is the caller's (the Simulation's) job:
   * this is the hot path.
   */
  push(time: number, kind: number, target: number, arg: number): EventHandle {
    let slot = this.freeHead;
    if (slot >= 0) {
      this.freeHead = this.slotTarget[slot];
    } else {
      if (this.slotsUsed === this.capacity) this.grow();
      slot = this.slotsUsed++;
    }
    const seq = this.nextSeq++;
    this.slotSeq[slot] = seq;
    this.slotKind[slot] = kind;
    this.slotTarget[slot] = target;
    this.slotArg[slot] = arg;
    this.siftUp(this.heapSize++, time, slot, seq);
    return this.slotGen[slot] * SLOT_LIMIT + slot;
  }

  /** Time of the earliest pending event, or +Infinity when none is pending. */
  peekTime(): number {
    this.dropCancelledTop();
    return this.heapSize > 0 ? this.heapTime[0] : Infinity;
  }

  /**
   * Remove the earliest pending event and expose it through `time`, `kind`, `target`, `arg`, `seq`.
   * Returns false (and changes nothing) when no event is pending.
   */
  pop(): boolean {
    this.dropCancelledTop();
    if (this.heapSize === 0) return false;
    const slot = this.heapSlot[0];
    this.time = this.heapTime[0];
    this.kind = this.slotKind[slot];
    this.target = this.slotTarget[slot];
    this.arg = this.slotArg[slot];
    this.seq = this.slotSeq[slot];
    this.removeTop();
    this.freeSlot(slot);
    return true;
  }

  /** Cancel a pending event. Returns false if it already ran, was cancelled, or never existed. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_LIMIT;
    if (!this.isPendingSlot(handle, slot)) return false;
    this.slotKind[slot] = CANCELLED;
    this.cancelledCount++;
    if (this.cancelledCount > 512 && this.cancelledCount * 2 > this.heapSize) this.compact();
    return true;
  }

  /** Whether the event behind `handle` is still pending. */
  isPending(handle: EventHandle): boolean {
    return this.isPendingSlot(handle, handle % SLOT_LIMIT);
  }

  /** Remove every pending event. Outstanding handles become inert. */
  clear(): void {
    for (let i = 0; i < this.heapSize; i++) this.freeSlot(this.heapSlot[i]);
    this.heapSize = 0;
    this.cancelledCount = 0;
  }

  /** Bytes held by the queue's arrays (for memory reports). */
  get bytesAllocated(): number {
    return this.capacity * (8 + 4 + 8 + 2 + 4 + 8 + 4);
  }

  private isPendingSlot(handle: number, slot: number): boolean {
    if (!(handle >= 0) || slot >= this.slotsUsed) return false;
    const gen = Math.floor(handle / SLOT_LIMIT);
    // Freeing a slot bumps its generation, so a handle to an event that ran or was dropped mismatches.
    return this.slotGen[slot] === gen && this.slotKind[slot] !== CANCELLED;
  }

  private freeSlot(slot: number): void {
    this.slotGen[slot] = (this.slotGen[slot] + 1) & GEN_MASK;
    this.slotTarget[slot] = this.freeHead;
    this.freeHead = slot;
  }

  private dropCancelledTop(): void {
    while (this.heapSize > 0) {
      const slot = this.heapSlot[0];
      if (this.slotKind[slot] !== CANCELLED) return;
      this.removeTop();
      this.freeSlot(slot);
      this.cancelledCount--;
    }
  }

  /** Remove heap position 0: walk the hole down along smaller children, then sift the last entry up. */
  private removeTop(): void {
    const n = --this.heapSize;
    if (n === 0) return;
    const ht = this.heapTime;
    const hs = this.heapSlot;
    const seqs = this.slotSeq;
    let hole = 0;
    for (;;) {
      const c = this.arity * hole + 1;
      if (c >= n) break;
      // Find the smallest of up to four children (positions c..c+3, below n).
      let best = c;
      let bt = ht[c];
      const end = c + this.arity < n ? c + this.arity : n;
      for (let j = c + 1; j < end; j++) {
        const t = ht[j];
        if (t < bt || (t === bt && seqs[hs[j]] < seqs[hs[best]])) {
          best = j;
          bt = t;
        }
      }
      ht[hole] = bt;
      hs[hole] = hs[best];
      hole = best;
    }
    const lastSlot = hs[n];
    this.siftUp(hole, ht[n], lastSlot, seqs[lastSlot]);
  }

  /** Place (time, slot) at heap position `pos` or above, moving larger parents down. */
  private siftUp(pos: number, time: number, slot: number, seq: number): void {
    const ht = this.heapTime;
    const hs = this.heapSlot;
    while (pos > 0) {
      const parent = ((pos - 1) / this.arity) | 0;
      const pt = ht[parent];
      if (pt < time || (pt === time && this.slotSeq[hs[parent]] < seq)) break;
      ht[pos] = pt;
      hs[pos] = hs[parent];
      pos = parent;
    }
    ht[pos] = time;
    hs[pos] = slot;
  }

  /** Drop every cancelled entry and rebuild the heap bottom-up (Floyd's heapify, O(n)). */
  private compact(): void {
    const ht = this.heapTime;
    const hs = this.heapSlot;
    let n = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = hs[i];
      if (this.slotKind[slot] === CANCELLED) {
        this.freeSlot(slot);
      } else {
        ht[n] = ht[i];
        hs[n] = slot;
        n++;
      }
    }
    this.heapSize = n;
    this.cancelledCount = 0;
    for (let i = ((n - 2) / this.arity) | 0; i >= 0; i--) this.siftDown(i);
  }

  /** Classic sift-down used by heapify. */
  private siftDown(pos: number): void {
    const ht = this.heapTime;
    const hs = this.heapSlot;
    const seqs = this.slotSeq;
    const n = this.heapSize;
    const time = ht[pos];
    const slot = hs[pos];
    const seq = seqs[slot];
    for (;;) {
      const c = this.arity * pos + 1;
      if (c >= n) break;
      let best = c;
      let bt = ht[c];
      const end = c + this.arity < n ? c + this.arity : n;
      for (let j = c + 1; j < end; j++) {
        const t = ht[j];
        if (t < bt || (t === bt && seqs[hs[j]] < seqs[hs[best]])) {
          best = j;
          bt = t;
        }
      }
      if (time < bt || (time === bt && seq < seqs[hs[best]])) break;
      ht[pos] = bt;
      hs[pos] = hs[best];
      pos = best;
    }
    ht[pos] = time;
    hs[pos] = slot;
  }

  private grow(): void {
    if (this.capacity >= SLOT_LIMIT) {
      throw new RangeError(`event queue is full: at most ${SLOT_LIMIT} events may be pending at once`);
    }
    const cap = Math.min(SLOT_LIMIT, this.capacity * 2);
    this.heapTime = resizeF64(this.heapTime, cap);
    this.heapSlot = resizeI32(this.heapSlot, cap);
    this.slotSeq = resizeF64(this.slotSeq, cap);
    const kind = new Uint16Array(cap);
    kind.set(this.slotKind);
    this.slotKind = kind;
    this.slotTarget = resizeI32(this.slotTarget, cap);
    this.slotArg = resizeF64(this.slotArg, cap);
    const gen = new Uint32Array(cap);
    gen.set(this.slotGen);
    this.slotGen = gen;
    this.capacity = cap;
  }
}

function resizeF64(a: Float64Array, cap: number): Float64Array {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

function resizeI32(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
