/**
 * The kube-scheduler queue (engine/src/queues/kubernetes-queue.ts) against a reference written the
 * plainest way from the rules it states — every part an array, the next pod the least by a scan, back-off
 * flushed by a filter on each whole second, the leftover flush every 30 s — on random overloads: the
 * same pods popped in the same order at the same times. The queue keeps its back-off in buckets of a
 * second and adds many pods at once by rebuilding its heap; neither may change a decision.
 */
import { backoffS, KubernetesQueue, type Waiting, type WaitingQueue } from "@clustersim/engine";
import { type EventKind, Simulation } from "@clustersim/sim-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Heap } from "../src/queues/heap.js";
import { newWaiting } from "./queue-fixtures.js";

const before = (a: Waiting, b: Waiting) =>
  a.priority > b.priority ||
  (a.priority === b.priority && (a.timestampS < b.timestampS || (a.timestampS === b.timestampS && a.seq < b.seq)));

/** The rules of the queue's comment, with no structure at all. */
class ReferenceQueue implements WaitingQueue {
  private active: Waiting[] = [];
  private backoff: Waiting[] = [];
  private unschedulable: Waiting[] = [];
  private cycle = 0;
  private moveRequest = -1;
  private readonly flush: EventKind;
  private flushArmed = false;
  private readonly leftover: EventKind;
  private leftoverAt = -1;
  private leftoverHandle = -1;

  constructor(
    private readonly sim: Simulation,
    private readonly wake: () => void,
  ) {
    this.flush = sim.on("ref-flush", () => this.onFlush());
    this.leftover = sim.on("ref-leftover", () => this.onLeftover());
  }
  add(w: Waiting): void {
    w.timestampS = this.sim.now;
    this.active.push(w);
  }
  pop(): Waiting | undefined {
    if (this.active.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.active.length; i++) if (before(this.active[i]!, this.active[best]!)) best = i;
    const [w] = this.active.splice(best, 1);
    w!.attempts++;
    w!.cycle = ++this.cycle;
    return w;
  }
  failed(w: Waiting): void {
    const now = this.sim.now;
    w.timestampS = now;
    w.backoffUntilS = now + backoffS(w.attempts);
    if (this.moveRequest >= w.cycle) this.toBackoff(w);
    else {
      w.unschedulableSinceS = now;
      this.unschedulable.push(w);
      if (this.leftoverHandle < 0 && this.sim.pending > 0) {
        this.leftoverAt = (Math.floor(now / 30) + 1) * 30;
        this.leftoverHandle = this.sim.at(this.leftoverAt, this.leftover);
      }
    }
  }
  clusterChanged(): void {
    this.moveRequest = this.cycle;
    const moved = this.unschedulable;
    this.unschedulable = [];
    if (this.leftoverHandle >= 0) this.sim.cancel(this.leftoverHandle);
    this.leftoverHandle = -1;
    for (const w of moved) this.activeOrBackoff(w);
  }
  get size(): number {
    return this.active.length + this.backoff.length + this.unschedulable.length;
  }
  remaining(): Waiting[] {
    return [...this.active, ...this.backoff, ...this.unschedulable];
  }
  private activeOrBackoff(w: Waiting): void {
    if (w.backoffUntilS > this.sim.now) this.toBackoff(w);
    else this.active.push(w);
  }
  private toBackoff(w: Waiting): void {
    this.backoff.push(w);
    if (!this.flushArmed) {
      this.flushArmed = true;
      this.sim.at(Math.floor(this.sim.now) + 1, this.flush);
    }
  }
  private onFlush(): void {
    const now = this.sim.now;
    const due = this.backoff.filter((w) => w.backoffUntilS <= now);
    this.backoff = this.backoff.filter((w) => w.backoffUntilS > now);
    this.active.push(...due);
    this.flushArmed = this.backoff.length > 0;
    if (this.flushArmed) this.sim.at(Math.floor(now) + 1, this.flush);
    if (due.length > 0) this.wake();
  }
  private onLeftover(): void {
    const now = this.sim.now;
    const old = this.unschedulable.filter((w) => now - w.unschedulableSinceS > 300);
    this.unschedulable = this.unschedulable.filter((w) => now - w.unschedulableSinceS <= 300);
    for (const w of old) this.activeOrBackoff(w);
    this.leftoverHandle = -1;
    if (this.unschedulable.length > 0 && this.sim.pending > 0) {
      this.leftoverAt = (Math.floor(now / 30) + 1) * 30;
      this.leftoverHandle = this.sim.at(this.leftoverAt, this.leftover);
    }
    if (old.length > 0) this.wake();
  }
}

/** One step of a random overload: pods arrive, some leave (a cluster event), a pass tries the queue. */
interface Step {
  atS: number;
  arrivals: number[];
  leaves: boolean;
}

/**
 * Drive a queue through the steps in its own simulation; a pass pops every pod and binds it when
 * hash(seq, attempt) says it fits. Returns what was popped: "time seq attempts bound".
 */
function drive(make: (sim: Simulation, wake: () => void) => WaitingQueue, steps: readonly Step[], fitOneIn: number) {
  const sim = new Simulation({ seed: 1 });
  const log: string[] = [];
  let seq = 0;
  const pass = sim.on("pass", () => {
    for (let w = queue.pop(); w; w = queue.pop()) {
      const fits = (w.seq * 7919 + w.attempts * 104_729) % fitOneIn === 0;
      log.push(`${sim.now} ${w.seq} ${w.attempts} ${fits ? "bound" : "failed"}`);
      if (!fits) queue.failed(w);
    }
  });
  const queue = make(sim, () => sim.after(0, pass));
  const step = sim.on("step", (i) => {
    const s = steps[i]!;
    for (const priority of s.arrivals) {
      queue.add(newWaiting(seq++, priority, sim.now));
    }
    if (s.leaves) queue.clusterChanged();
    sim.after(0, pass);
  });
  steps.forEach((s, i) => sim.at(s.atS, step, i));
  sim.run({ until: 2000 });
  return log;
}

describe("the Kubernetes queue against its rules written plainly", () => {
  it("pops the same pods in the same order at the same times under random overloads", () => {
    const step = fc.record({
      atS: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.double({ min: 0, max: 1500, noNaN: true })),
      arrivals: fc.array(fc.constantFrom(0, 0, 0, 10, -5), { maxLength: 12 }),
      leaves: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 2, max: 9 }),
        (steps, fitOneIn) => {
          const actual = drive((sim, wake) => new KubernetesQueue(sim, wake), steps, fitOneIn);
          const expected = drive((sim, wake) => new ReferenceQueue(sim, wake), steps, fitOneIn);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a heap filled at once pops what one filled a pod at a time does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 })), fc.array(fc.integer({ min: 0, max: 50 })), (a, b) => {
        const less = (x: number[], y: number[]) => x[0]! < y[0]! || (x[0] === y[0] && x[1]! < y[1]!);
        const one = new Heap<number[]>(less);
        const all = new Heap<number[]>(less);
        a.forEach((x, i) => {
          one.push([x, i]);
          all.push([x, i]);
        });
        const more = b.map((x, i) => [x, a.length + i]);
        for (const x of more) one.push(x);
        all.pushAll(more);
        const drain = (h: Heap<number[]>) => Array.from({ length: h.size }, () => h.pop());
        expect(drain(all)).toEqual(drain(one));
      }),
    );
  });
});
