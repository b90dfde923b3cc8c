import { EventQueue } from "@clustersim/sim-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

function drain(q: EventQueue): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (q.pop()) out.push([q.time, q.target]);
  return out;
}

describe("EventQueue ordering", () => {
  it("pops in time order", () => {
    const q = new EventQueue(16);
    [5, 1, 4, 2, 3].forEach((t, i) => q.push(t, 0, i, 0));
    expect(drain(q).map(([t]) => t)).toEqual([1, 2, 3, 4, 5]);
  });

  it("releases equal times in insertion order, across growth and rung rebuilds", () => {
    const q = new EventQueue(16);
    for (let i = 0; i < 5000; i++) q.push(i % 3, 0, i, 0);
    const out = drain(q);
    const expected = [0, 1, 2].flatMap((t) =>
      Array.from({ length: 5000 }, (_, i) => i)
        .filter((i) => i % 3 === t)
        .map((i) => [t, i]),
    );
    expect(out).toEqual(expected);
  });

  it("orders events pushed while draining, including ties with the event being processed", () => {
    const q = new EventQueue();
    q.push(1, 0, 0, 0);
    q.push(1, 0, 1, 0);
    q.push(2, 0, 2, 0);
    expect(q.pop()).toBe(true);
    q.push(1, 0, 3, 0); // same time as the pending event 1: after it
    q.push(1.5, 0, 4, 0);
    expect(drain(q).map(([, id]) => id)).toEqual([1, 3, 4, 2]);
  });

  it("carries kind, target, arg and sequence through", () => {
    const q = new EventQueue();
    q.push(3, 7, -42, 2.5);
    expect(q.pop()).toBe(true);
    expect([q.time, q.kind, q.target, q.arg, q.seq]).toEqual([3, 7, -42, 2.5, 0]);
    expect(q.pop()).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
  });

  it("handles widely spread and clustered times", () => {
    const q = new EventQueue();
    const times = [1e-9, 1e12, 0, 0, 3, 1e12, 7e5, 1e-9, 2 ** 40, 5];
    times.forEach((t, i) => q.push(t, 0, i, 0));
    expect(drain(q).map(([t]) => t)).toEqual([...times].sort((a, b) => a - b));
  });
});

describe("EventQueue cancellation", () => {
  it("skips cancelled events and reports handles correctly", () => {
    const q = new EventQueue();
    const a = q.push(1, 0, 1, 0);
    const b = q.push(2, 0, 2, 0);
    const c = q.push(3, 0, 3, 0);
    expect(q.cancel(b)).toBe(true);
    expect(q.cancel(b)).toBe(false);
    expect(q.isPending(b)).toBe(false);
    expect(q.isPending(a)).toBe(true);
    expect(q.size).toBe(2);
    expect(drain(q).map(([, id]) => id)).toEqual([1, 3]);
    expect(q.cancel(a)).toBe(false); // already fired
    expect(q.isPending(c)).toBe(false);
    expect(q.cancel(-1)).toBe(false);
    expect(q.cancel(123456)).toBe(false);
  });

  it("a stale handle does not cancel the event that reuses its slot", () => {
    const q = new EventQueue();
    const old = q.push(1, 0, 1, 0);
    q.pop();
    const fresh = q.push(2, 0, 2, 0); // reuses the freed slot
    expect(q.cancel(old)).toBe(false);
    expect(q.isPending(fresh)).toBe(true);
    expect(drain(q).map(([, id]) => id)).toEqual([2]);
  });

  it("does not grow without bound when most events are cancelled", () => {
    const q = new EventQueue();
    let now = 0;
    for (let i = 0; i < 200_000; i++) {
      const h = q.push(now + 10, 0, i, 0); // a timeout that is almost always cancelled
      q.cancel(h);
      q.push(now + 1, 0, i, 0);
      q.pop();
      now = q.time;
    }
    expect(q.size).toBe(0);
    // Rebuilt whenever cancelled entries outnumber live ones: the arrays stay small.
    expect(q.bytesAllocated).toBeLessThan(1_000_000);
  });

  it("clear() empties the queue and voids every handle", () => {
    const q = new EventQueue();
    const hs = [1, 2, 3].map((t) => q.push(t, 0, t, 0));
    q.clear();
    expect(q.size).toBe(0);
    expect(q.pop()).toBe(false);
    expect(hs.some((h) => q.isPending(h))).toBe(false);
    q.push(9, 0, 9, 0);
    expect(drain(q)).toEqual([[9, 9]]);
  });
});

/** The reference: a plain array kept sorted by (time, seq). */
class ReferenceQueue {
  items: Array<{ time: number; seq: number; id: number }> = [];
  private seq = 0;
  push(time: number, id: number): number {
    const seq = this.seq++;
    this.items.push({ time, seq, id });
    this.items.sort((a, b) => a.time - b.time || a.seq - b.seq);
    return seq;
  }
  pop() {
    return this.items.shift();
  }
  cancel(seq: number): boolean {
    const i = this.items.findIndex((e) => e.seq === seq);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
}

type Op = { op: "push"; dt: number } | { op: "pop" } | { op: "cancel"; which: number };

describe("EventQueue against a sorted-array reference (property-based)", () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    // Small integer offsets make ties common; fractional ones exercise bucket boundaries.
    {
      weight: 5,
      arbitrary: fc
        .oneof(fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 1e6, noNaN: true }))
        .map((dt) => ({ op: "push" as const, dt })),
    },
    { weight: 3, arbitrary: fc.constant({ op: "pop" as const }) },
    { weight: 1, arbitrary: fc.nat(200).map((which) => ({ op: "cancel" as const, which })) },
  );

  it("pops the same events in the same order, with the same cancellations", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const q = new EventQueue(16);
        const ref = new ReferenceQueue();
        const handles: Array<{ handle: number; seq: number }> = [];
        let now = 0;
        let id = 0;
        for (const o of ops) {
          if (o.op === "push") {
            const t = now + o.dt;
            handles.push({ handle: q.push(t, 0, id, 0), seq: ref.push(t, id) });
            id++;
          } else if (o.op === "pop") {
            const expected = ref.pop();
            expect(q.pop()).toBe(expected !== undefined);
            if (expected) {
              expect([q.time, q.target]).toEqual([expected.time, expected.id]);
              now = q.time;
            }
          } else if (handles.length > 0) {
            const h = handles[o.which % handles.length];
            expect(q.cancel(h.handle)).toBe(ref.cancel(h.seq));
          }
          expect(q.size).toBe(ref.items.length);
        }
        const rest = drain(q);
        expect(rest).toEqual(ref.items.map((e) => [e.time, e.id]));
      }),
      { numRuns: 300 },
    );
  });

  it("is a correct priority queue for times earlier than the last pop too", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.boolean()), { maxLength: 400 }),
        (steps) => {
          const q = new EventQueue(16);
          const ref = new ReferenceQueue();
          steps.forEach(([t, popAfter], i) => {
            q.push(t, 0, i, 0);
            ref.push(t, i);
            if (popAfter) {
              const e = ref.pop()!;
              q.pop();
              expect([q.time, q.target]).toEqual([e.time, e.id]);
            }
          });
          expect(drain(q)).toEqual(ref.items.map((e) => [e.time, e.id]));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A plain binary heap on (time, seq): slow but obviously right, for checks at sizes the sorted array cannot reach. */
class ReferenceHeap {
  private a: Array<[number, number, number]> = [];
  private less = (x: [number, number, number], y: [number, number, number]) =>
    x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
  get size() {
    return this.a.length;
  }
  push(e: [number, number, number]) {
    const a = this.a;
    a.push(e);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): [number, number, number] | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

describe("EventQueue at scale (wide drains, rung rebuilds, compaction)", () => {
  it("matches a reference heap over 300,000 operations with 30,000+ pending, ties and cancellations", async () => {
    const { RandomStreams } = await import("@clustersim/sim-core");
    const r = new RandomStreams(99).get("ops");
    const q = new EventQueue();
    const ref = new ReferenceHeap();
    const cancelled = new Set<number>();
    const handles: number[] = [];
    let seq = 0;
    let now = 0;
    const push = () => {
      // Mostly continuous delays, some exact ties at whole seconds, a few far-future events.
      const u = r.next();
      const t = u < 0.2 ? Math.floor(now) + r.int(0, 3) : u < 0.25 ? now + 1e6 * r.next() : now + r.exponential(1);
      const time = Math.max(now, t);
      handles[seq] = q.push(time, 0, seq, 0);
      ref.push([time, seq, seq]);
      seq++;
    };
    for (let i = 0; i < 30_000; i++) push();
    for (let i = 0; i < 300_000; i++) {
      const u = r.next();
      if (u < 0.45) push();
      else if (u < 0.55 && seq > 0) {
        const victim = r.int(0, seq - 1);
        const ok = q.cancel(handles[victim]);
        if (ok) cancelled.add(victim);
      } else {
        let e = ref.pop();
        while (e && cancelled.has(e[2])) e = ref.pop();
        const got = q.pop();
        expect(got).toBe(e !== undefined);
        if (!e) continue;
        if (q.time !== e[0] || q.target !== e[2])
          throw new Error(`op ${i}: expected (${e[0]}, ${e[2]}), got (${q.time}, ${q.target})`);
        now = q.time;
      }
    }
    // Cancel most of what is left (forcing compaction), then drain both in order.
    for (let victim = 0; victim < seq; victim++) if (r.next() < 0.8 && q.cancel(handles[victim])) cancelled.add(victim);
    for (let e = ref.pop(); e; e = ref.pop()) {
      if (cancelled.has(e[2])) continue;
      expect(q.pop()).toBe(true);
      if (q.time !== e[0] || q.target !== e[2])
        throw new Error(`drain: expected (${e[0]}, ${e[2]}), got (${q.time}, ${q.target})`);
    }
    expect(q.pop()).toBe(false);
    expect(q.size).toBe(0);
  });
});
