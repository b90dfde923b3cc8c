import { EventQueue, Simulation } from "@clustersim/sim-core";
import FlatQueue from "flatqueue";
import { Heap } from "heap-js";
import { DaryHeapQueue } from "./designs/d-ary-heap.js";
import { mulberry32, negLog } from "./hold-rng.js";

/**
 * The hold model (Vaucher & Duval 1975; the classic priority-queue benchmark of discrete-event
 * simulation): fill the queue with `pending` events at Exp(1) times; then, `warmup` times untimed and
 * `events` times timed, pop the earliest event and push one at its time + Exp(1) with the same id.
 * The queue size stays at `pending`. The checksum (final time, last id) must be equal for every
 * implementation, which proves they processed the same events in the same order.
 */
export interface HoldResult {
  eventsPerS: number;
  finalTime: number;
  lastId: number;
  /** Heap and array-buffer bytes held per pending event after the warm-up (first repetition). */
  bytesPerEvent: number;
}

/** What a queue must offer to run in the shared driver: push an (time, id) pair, pop the earliest. */
interface HoldQueue {
  push(time: number, id: number): void;
  /** Pop the earliest event; its time and id are then in `time` and `id`. */
  pop(): void;
  time: number;
  id: number;
}

/** sim-core's EventQueue and the rejected designs share its API: (time, kind, target, arg) in, fields out. */
interface EventQueueLike {
  push(time: number, kind: number, target: number, arg: number): number;
  pop(): boolean;
  time: number;
  target: number;
}

/** Each child process runs one implementation, so this adapter's calls stay monomorphic. */
class EventQueueAdapter implements HoldQueue {
  time = 0;
  id = 0;
  constructor(private readonly q: EventQueueLike) {}
  push(time: number, id: number) {
    this.q.push(time, 0, id, 0);
  }
  pop() {
    this.q.pop();
    this.time = this.q.time;
    this.id = this.q.target;
  }
}

class FlatQueuePeer implements HoldQueue {
  private q = new FlatQueue<number>();
  time = 0;
  id = 0;
  push(time: number, id: number) {
    this.q.push(id, time);
  }
  pop() {
    this.time = this.q.peekValue()!;
    this.id = this.q.pop()!;
  }
}

interface HeapEvent {
  time: number;
  seq: number;
  id: number;
}

class HeapJsPeer implements HoldQueue {
  private q = new Heap<HeapEvent>((a, b) => a.time - b.time || a.seq - b.seq);
  private seq = 0;
  time = 0;
  id = 0;
  push(time: number, id: number) {
    this.q.push({ time, seq: this.seq++, id });
  }
  pop() {
    const e = this.q.pop()!;
    this.time = e.time;
    this.id = e.id;
  }
}

export const QUEUES: Record<string, () => HoldQueue> = {
  clustersim: () => new EventQueueAdapter(new EventQueue()),
  flatqueue: () => new FlatQueuePeer(),
  "heap-js": () => new HeapJsPeer(),
  "design:binary-heap": () => new EventQueueAdapter(new DaryHeapQueue(2)),
  "design:4-ary-heap": () => new EventQueueAdapter(new DaryHeapQueue(4)),
};

/** Every JS implementation the bench knows, in table order. */
export const JS_IMPLS = ["clustersim", "clustersim-sim", ...Object.keys(QUEUES).slice(1)];

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function heldBytes(): number {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** One implementation, `reps` repetitions of fill + warm-up + timed run; the median rate. */
export function runHold(
  impl: string,
  pending: number,
  warmup: number,
  events: number,
  reps: number,
  seed: number,
): HoldResult {
  const rates: number[] = [];
  let result: HoldResult | undefined;
  for (let r = 0; r < reps; r++) {
    const measureMemory = r === 0;
    const one =
      impl === "clustersim-sim"
        ? holdOnSimulation(pending, warmup, events, seed, measureMemory)
        : holdOnQueue(QUEUES[impl](), pending, warmup, events, seed, measureMemory);
    rates.push(one.eventsPerS);
    result ??= one;
  }
  return { ...result!, eventsPerS: median(rates) };
}

function holdOnQueue(
  q: HoldQueue,
  pending: number,
  warmup: number,
  events: number,
  seed: number,
  measureMemory: boolean,
): HoldResult {
  const before = measureMemory ? heldBytes() : 0;
  const rand = mulberry32(seed);
  for (let i = 0; i < pending; i++) q.push(negLog(rand()), i);
  for (let i = 0; i < warmup; i++) {
    q.pop();
    q.push(q.time + negLog(rand()), q.id);
  }
  const bytes = measureMemory ? heldBytes() - before : NaN;
  let lastId = 0;
  const t0 = cpuSeconds();
  for (let i = 0; i < events; i++) {
    q.pop();
    lastId = q.id;
    q.push(q.time + negLog(rand()), lastId);
  }
  const t1 = cpuSeconds();
  return { eventsPerS: events / (t1 - t0), finalTime: q.time, lastId, bytesPerEvent: bytes / pending };
}

/** The same model through the full run loop: a handler per event, validation in `after()`. */
function holdOnSimulation(
  pending: number,
  warmup: number,
  events: number,
  seed: number,
  measureMemory: boolean,
): HoldResult {
  const before = measureMemory ? heldBytes() : 0;
  const sim = new Simulation();
  const rand = mulberry32(seed);
  let lastId = 0;
  const hold = sim.on("hold", (id) => {
    lastId = id;
    sim.after(negLog(rand()), hold, id);
  });
  for (let i = 0; i < pending; i++) sim.at(negLog(rand()), hold, i);
  sim.run({ maxEvents: warmup });
  const bytes = measureMemory ? heldBytes() - before : NaN;
  const t0 = cpuSeconds();
  sim.run({ maxEvents: events });
  const t1 = cpuSeconds();
  return { eventsPerS: events / (t1 - t0), finalTime: sim.now, lastId, bytesPerEvent: bytes / pending };
}
