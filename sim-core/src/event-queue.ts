/**
 * The pending-event set, ordered by (time, insertion sequence): equal times leave in the order they were
 * scheduled, so every run is reproducible.
 *
 * Design (chosen by measurement: `npm run bench:core`, docs/guide/performance.md): a one-rung ladder queue.
 * Events live in a slot pool of parallel typed arrays and move between three tiers by index only:
 *
 *   top     an unsorted list of events later than the rung; appended to in O(1).
 *   rung    B buckets of equal width covering [rungStart, rungEnd]; an event is appended to its bucket
 *           in O(1). Built from `top` when the rung runs out, with B = number of events moved, so a
 *           bucket holds about one event whatever the time scale of the model.
 *   current a small 4-ary min-heap holding the buckets being drained (up to four at a time) and any
 *           event scheduled into their time range meanwhile. Pops come from here.
 *
 * Each event is appended once or twice and heap-sifted within a tiny heap, so a hold operation costs
 * O(1) amortised instead of the O(log n) of a heap over everything; at a million pending events that is
 * also far fewer cache misses. When times cluster so that one bucket holds many events, the current tier
 * degrades to an ordinary heap over them: O(log n), never worse.
 *
 * Each slot is one 40-byte record (time, sequence, arg as doubles; target, next, kind, generation as
 * 32-bit integers) in a single buffer seen through a Float64Array and an Int32Array, so touching an
 * event costs one cache line rather than one per field. Nothing is allocated per event: slots are
 * recycled through a free list, and buffers only grow.
 *
 * Cancellation is O(1) and lazy: the slot is marked and skipped when it would be popped. When cancelled
 * events outnumber live ones, all tiers are rebuilt without them (amortised O(1) per cancellation), so a
 * model that cancels most of its timeouts does not grow the queue without bound.
 */

/** A handle to a scheduled event: slot index plus the slot's generation (so stale handles are inert). */
export type EventHandle = number;

/** Kind value marking a cancelled event. */
const CANCELLED = -1;
/** Largest kind a caller may use. */
export const MAX_EVENT_KIND = 0x7fffffff;

/** Slots per generation step in a handle: at most 2^26 ≈ 67 M events pending at once. */
const SLOT_BITS = 26;
const SLOT_LIMIT = 2 ** SLOT_BITS;
/** Generations wrap at 2^27 so that a handle stays below 2^53 (an exact integer double). */
const GEN_MASK = 2 ** 27 - 1;
/** End of a linked list. */
const NIL = -1;
/** Above this many slots (40 bytes each: 320 KiB) records no longer stay in the L2 cache; drain wide. */
const WIDE_DRAIN_SLOTS = 8192;

/** Record layout: 5 doubles = 10 int32 words per slot. */
const REC = 5;
const F_TIME = 0;
const F_SEQ = 1;
const F_ARG = 2;
const I_TARGET = 6;
/** Next slot in the same top list or bucket; for a free slot, the next free slot. */
const I_NEXT = 7;
const I_KIND = 8;
const I_GEN = 9;

export class EventQueue {
  // Slot pool: one record per scheduled event (pending, or cancelled and not yet dropped).
  private f: Float64Array;
  private i: Int32Array;
  private freeHead = NIL;
  private slotsUsed = 0;
  private capacity: number;

  // Top tier.
  private topHead = NIL;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;

  // Rung tier: buckets [0, bucketCount); those below `nextBucket` are drained.
  private bucketHead: Int32Array;
  private bucketCount = 0;
  private nextBucket = 0;
  private rungStart = 0;
  private rungEnd = -Infinity;
  private invWidth = 0;

  // Current tier: 4-ary heap of slots ordered by (time, sequence).
  private heap: Int32Array;
  private heapSize = 0;

  private nextSeq = 0;
  private live = 0;
  private cancelledCount = 0;

  /** Fields of the event most recently returned by `pop()`; valid until the next `pop()`. */
  time = 0;
  kind = 0;
  target = 0;
  arg = 0;
  seq = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, Math.min(SLOT_LIMIT, Math.ceil(initialCapacity)));
    this.capacity = cap;
    const buf = new ArrayBuffer(cap * REC * 8);
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
    this.bucketHead = new Int32Array(16).fill(NIL);
    this.heap = new Int32Array(16);
  }

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.live;
  }

  /** Number of events ever pushed: the next event's sequence number. */
  get pushed(): number {
    return this.nextSeq;
  }

  /**
   * Schedule an event. `time` must be finite and not earlier than the last popped time; `kind` an
   * integer in [0, MAX_EVENT_KIND]; `target` a 32-bit integer; `arg` any number. Checking is the
   * caller's job (the Simulation's): this is the hot path.
   */
  push(time: number, kind: number, target: number, arg: number): EventHandle {
    let slot = this.freeHead;
    if (slot !== NIL) {
      this.freeHead = this.i[slot * 2 * REC + I_NEXT];
    } else {
      if (this.slotsUsed === this.capacity) this.grow();
      slot = this.slotsUsed++;
    }
    const fb = slot * REC;
    const ib = fb * 2;
    const f = this.f;
    const i = this.i;
    f[fb + F_TIME] = time;
    f[fb + F_SEQ] = this.nextSeq++;
    f[fb + F_ARG] = arg;
    i[ib + I_TARGET] = target;
    i[ib + I_KIND] = kind;
    this.live++;
    this.insert(slot, time);
    return i[ib + I_GEN] * SLOT_LIMIT + slot;
  }

  /** Time of the earliest pending event, or +Infinity when none is pending. */
  peekTime(): number {
    return this.fillCurrent() ? this.f[this.heap[0] * REC + F_TIME] : Infinity;
  }

  /**
   * Remove the earliest pending event and expose it through `time`, `kind`, `target`, `arg`, `seq`.
   * Returns false (and changes nothing) when no event is pending.
   */
  pop(): boolean {
    if (!this.fillCurrent()) return false;
    const slot = this.heap[0];
    const fb = slot * REC;
    const ib = fb * 2;
    this.time = this.f[fb + F_TIME];
    this.seq = this.f[fb + F_SEQ];
    this.arg = this.f[fb + F_ARG];
    this.target = this.i[ib + I_TARGET];
    this.kind = this.i[ib + I_KIND];
    this.heapRemoveTop();
    this.freeSlot(slot);
    this.live--;
    return true;
  }

  /** Cancel a pending event. Returns false if it already ran, was cancelled, or never existed. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_LIMIT;
    if (!this.isPendingSlot(handle, slot)) return false;
    this.i[slot * 2 * REC + I_KIND] = CANCELLED;
    this.live--;
    this.cancelledCount++;
    if (this.cancelledCount > 1024 && this.cancelledCount > this.live) this.compact();
    return true;
  }

  /** Whether the event behind `handle` is still pending. */
  isPending(handle: EventHandle): boolean {
    return this.isPendingSlot(handle, handle % SLOT_LIMIT);
  }

  /** Remove every pending event. Outstanding handles become inert. */
  clear(): void {
    this.forEachQueuedSlot((slot) => this.freeSlot(slot));
    this.resetTiers();
    this.live = 0;
    this.cancelledCount = 0;
  }

  /** Bytes held by the queue's arrays (for memory reports). */
  get bytesAllocated(): number {
    return this.f.byteLength + this.bucketHead.byteLength + this.heap.byteLength;
  }

  // ---- tiers ---------------------------------------------------------------------------------

  /** Route a slot to the tier its time belongs to. */
  private insert(slot: number, time: number): void {
    const at = slot * 2 * REC + I_NEXT;
    if (time > this.rungEnd) {
      this.i[at] = this.topHead;
      this.topHead = slot;
      this.topCount++;
      if (time < this.topMin) this.topMin = time;
      if (time > this.topMax) this.topMax = time;
      return;
    }
    const b = this.bucketOf(time);
    if (b < this.nextBucket) {
      this.heapPush(slot);
    } else {
      this.i[at] = this.bucketHead[b];
      this.bucketHead[b] = slot;
    }
  }

  /** Bucket index of a time within the rung: monotone in time, clamped to the last bucket. */
  private bucketOf(time: number): number {
    const b = Math.floor((time - this.rungStart) * this.invWidth);
    return b < this.bucketCount ? b : this.bucketCount - 1;
  }

  /**
   * Make sure the current heap's top is the earliest live event. Returns false when nothing is pending.
   * Drops cancelled events met on the way; drains the next bucket or rebuilds the rung as needed.
   */
  private fillCurrent(): boolean {
    for (;;) {
      while (this.heapSize > 0) {
        const slot = this.heap[0];
        if (this.i[slot * 2 * REC + I_KIND] !== CANCELLED) return true;
        this.heapRemoveTop();
        this.freeSlot(slot);
        this.cancelledCount--;
      }
      if (!this.drainNextBucket() && !this.buildRung()) return false;
    }
  }

  /**
   * Move the next non-empty buckets into the current heap: one while the records fit in the caches,
   * four once they do not. Walking a bucket's list is a chain of dependent loads from records scattered
   * in memory; walking four lists in lock-step keeps four such loads in flight at once, which is what
   * makes draining cheap at 10^5+ pending events (measured: +15–50% at 10^5–10^6). With few events
   * it only makes the heap deeper, so small queues drain one bucket at a time.
   */
  private drainNextBucket(): boolean {
    const heads = this.bucketHead;
    const ints = this.i;
    let a = NIL;
    let b = NIL;
    let c = NIL;
    let d = NIL;
    let found = 0;
    const width = this.capacity > WIDE_DRAIN_SLOTS ? 4 : 1;
    while (found < width && this.nextBucket < this.bucketCount) {
      const k = this.nextBucket++;
      const head = heads[k];
      if (head === NIL) continue;
      heads[k] = NIL;
      if (found === 0) a = head;
      else if (found === 1) b = head;
      else if (found === 2) c = head;
      else d = head;
      found++;
    }
    if (found === 0) return false;
    while (a !== NIL || b !== NIL || c !== NIL || d !== NIL) {
      const na = a !== NIL ? ints[a * 2 * REC + I_NEXT] : NIL;
      const nb = b !== NIL ? ints[b * 2 * REC + I_NEXT] : NIL;
      const nc = c !== NIL ? ints[c * 2 * REC + I_NEXT] : NIL;
      const nd = d !== NIL ? ints[d * 2 * REC + I_NEXT] : NIL;
      if (a !== NIL) this.heapPush(a);
      if (b !== NIL) this.heapPush(b);
      if (c !== NIL) this.heapPush(c);
      if (d !== NIL) this.heapPush(d);
      a = na;
      b = nb;
      c = nc;
      d = nd;
    }
    return true;
  }

  /** Spread the top list over a fresh rung of about one event per bucket. */
  private buildRung(): boolean {
    const count = this.topCount;
    if (count === 0) return false;
    const lo = this.topMin;
    const hi = this.topMax;
    let buckets = count;
    const span = hi - lo;
    let invWidth = buckets / span;
    if (!(span > 0) || !Number.isFinite(invWidth)) {
      buckets = 1; // all at one time (or a span too small to divide): one bucket, ordered by the heap
      invWidth = 0;
    }
    if (this.bucketHead.length < buckets) {
      this.bucketHead = new Int32Array(Math.max(buckets, this.bucketHead.length * 2)).fill(NIL);
    }
    this.bucketCount = buckets;
    this.nextBucket = 0;
    this.rungStart = lo;
    this.rungEnd = hi;
    this.invWidth = invWidth;

    let slot = this.topHead;
    this.topHead = NIL;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    const heads = this.bucketHead;
    const f = this.f;
    const ints = this.i;
    // Pushing to bucket fronts reverses the list's order; order within a bucket does not matter (the
    // heap orders it by time and sequence).
    while (slot !== NIL) {
      const at = slot * 2 * REC + I_NEXT;
      const following = ints[at];
      const b = this.bucketOf(f[slot * REC + F_TIME]);
      ints[at] = heads[b];
      heads[b] = slot;
      slot = following;
    }
    return true;
  }

  private resetTiers(): void {
    this.topHead = NIL;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.bucketHead.fill(NIL, 0, this.bucketCount);
    this.bucketCount = 0;
    this.nextBucket = 0;
    this.rungEnd = -Infinity;
    this.heapSize = 0;
  }

  /** Visit every slot held by a tier (live or cancelled). */
  private forEachQueuedSlot(visit: (slot: number) => void): void {
    const ints = this.i;
    const walk = (head: number) => {
      for (let s = head; s !== NIL; ) {
        const following = ints[s * 2 * REC + I_NEXT];
        visit(s);
        s = following;
      }
    };
    for (let k = 0; k < this.heapSize; k++) visit(this.heap[k]);
    for (let b = this.nextBucket; b < this.bucketCount; b++) walk(this.bucketHead[b]);
    walk(this.topHead);
  }

  /** Free every cancelled slot and put the live ones back into the top tier. */
  private compact(): void {
    const keep: number[] = [];
    this.forEachQueuedSlot((slot) => {
      if (this.i[slot * 2 * REC + I_KIND] === CANCELLED) this.freeSlot(slot);
      else keep.push(slot);
    });
    this.resetTiers();
    for (const slot of keep) this.insert(slot, this.f[slot * REC + F_TIME]);
    this.cancelledCount = 0;
  }

  // ---- slots ---------------------------------------------------------------------------------

  private isPendingSlot(handle: number, slot: number): boolean {
    if (!(handle >= 0) || slot >= this.slotsUsed) return false;
    const ib = slot * 2 * REC;
    // Freeing a slot bumps its generation, so a handle to an event that ran or was dropped mismatches.
    return this.i[ib + I_GEN] === Math.floor(handle / SLOT_LIMIT) && this.i[ib + I_KIND] !== CANCELLED;
  }

  private freeSlot(slot: number): void {
    const ib = slot * 2 * REC;
    this.i[ib + I_GEN] = (this.i[ib + I_GEN] + 1) & GEN_MASK;
    this.i[ib + I_NEXT] = this.freeHead;
    this.freeHead = slot;
  }

  private grow(): void {
    if (this.capacity >= SLOT_LIMIT) {
      throw new RangeError(`event queue is full: at most ${SLOT_LIMIT} events may be pending at once`);
    }
    const cap = Math.min(SLOT_LIMIT, this.capacity * 2);
    const f = new Float64Array(cap * REC);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(f.buffer);
    this.capacity = cap;
  }

  // ---- current heap ----------------------------------------------------------------------------

  private heapPush(slot: number): void {
    if (this.heapSize === this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    const h = this.heap;
    const f = this.f;
    const time = f[slot * REC + F_TIME];
    const seq = f[slot * REC + F_SEQ];
    let pos = this.heapSize++;
    while (pos > 0) {
      const parent = (pos - 1) >> 2;
      const p = h[parent];
      const pt = f[p * REC + F_TIME];
      if (pt < time || (pt === time && f[p * REC + F_SEQ] < seq)) break;
      h[pos] = p;
      pos = parent;
    }
    h[pos] = slot;
  }

  /** Remove heap position 0: walk the hole down along smaller children, then sift the last entry up. */
  private heapRemoveTop(): void {
    const n = --this.heapSize;
    if (n === 0) return;
    const h = this.heap;
    const f = this.f;
    let hole = 0;
    for (;;) {
      const c = 4 * hole + 1;
      if (c >= n) break;
      let best = h[c];
      let bestPos = c;
      let bt = f[best * REC + F_TIME];
      const end = c + 4 < n ? c + 4 : n;
      for (let j = c + 1; j < end; j++) {
        const s = h[j];
        const t = f[s * REC + F_TIME];
        if (t < bt || (t === bt && f[s * REC + F_SEQ] < f[best * REC + F_SEQ])) {
          best = s;
          bestPos = j;
          bt = t;
        }
      }
      h[hole] = best;
      hole = bestPos;
    }
    const last = h[n];
    const time = f[last * REC + F_TIME];
    const seq = f[last * REC + F_SEQ];
    while (hole > 0) {
      const parent = (hole - 1) >> 2;
      const p = h[parent];
      const pt = f[p * REC + F_TIME];
      if (pt < time || (pt === time && f[p * REC + F_SEQ] < seq)) break;
      h[hole] = p;
      hole = parent;
    }
    h[hole] = last;
  }
}
