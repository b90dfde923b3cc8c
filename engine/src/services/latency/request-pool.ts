/** What a request record is doing (./request-graph.ts). */
export const FREE = 0;
/** Waiting in its service's queue for a server. */
export const QUEUED = 1;
/** Holding a server for its own service time. */
export const SERVING = 2;
/** Holding a server while it waits for its calls. */
export const CALLING = 3;
/** A retry attempt made ready, waiting out its back-off before it is sent. */
export const BACKING_OFF = 4;
/** Lost with its replica (an OOM kill): its caller hears of the failure at the next event time. */
export const LOST = 5;

/** No request: a request from outside the graph has no caller. */
export const NONE = -1;

/**
 * The requests in flight in a request graph, one record each in parallel typed arrays: a slot is
 * taken from a free list and given back when the request is answered, so the event loop allocates
 * nothing per request; the arrays double when every slot is taken. A slot's generation changes each
 * time it is freed, so an event or a call that names an older request of the same slot is recognised
 * as stale.
 */
export class RequestPool {
  /** The service (its index in the graph) whose request this is. */
  svc = new Int32Array(0);
  gen = new Int32Array(0);
  state = new Uint8Array(0);
  /** When it joined its service's queue, seconds. */
  arrivedAt = new Float64Array(0);
  /** The caller's request waiting for this attempt, and its generation then (NONE: none waits). */
  parent = new Int32Array(0);
  parentGen = new Int32Array(0);
  /** The caller's call edge this attempt is on, and its attempt number (0 the first). */
  edge = new Int32Array(0);
  attempt = new Int32Array(0);
  /** The event of its attempt's timeout at the caller (an EventQueue handle; -1: none). */
  timeout = new Float64Array(0);
  /** As a caller: when its current sequential call, or its fan-out, began, seconds. */
  markAt = new Float64Array(0);
  /** As a caller: its place among its service's sequential edges (their count: in the fan-out). */
  seqAt = new Int32Array(0);
  /** As a caller: calls still to make on its current sequential edge after the one outstanding. */
  left = new Int32Array(0);
  /** As a caller: calls of its fan-out still outstanding. */
  pending = new Int32Array(0);
  /** As a caller: whether one of its calls failed on every attempt. */
  failed = new Uint8Array(0);
  private next = new Int32Array(0);
  private freeHead = NONE;
  /** Records taken. */
  live = 0;

  constructor(capacity = 256) {
    this.grow(capacity);
  }

  get capacity(): number {
    return this.svc.length;
  }

  /** A free record for a request at service `svc` that arrived at `atS`, with no caller yet. */
  take(svc: number, atS: number): number {
    if (this.freeHead === NONE) this.grow(2 * this.capacity);
    const r = this.freeHead;
    this.freeHead = this.next[r];
    this.live++;
    this.svc[r] = svc;
    this.arrivedAt[r] = atS;
    this.parent[r] = NONE;
    this.edge[r] = NONE;
    this.attempt[r] = 0;
    this.timeout[r] = -1;
    this.failed[r] = 0;
    return r;
  }

  release(r: number): void {
    this.state[r] = FREE;
    this.gen[r] = (this.gen[r] + 1) | 0;
    this.next[r] = this.freeHead;
    this.freeHead = r;
    this.live--;
  }

  /** Whether request `r` (of generation `gen`) still waits for what it asked for. */
  alive(r: number, gen: number): boolean {
    return r !== NONE && this.gen[r] === gen && this.state[r] !== FREE && this.state[r] !== LOST;
  }

  private grow(size: number): void {
    const old = this.svc.length;
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    const i32 = (n: number) => new Int32Array(n);
    const f64 = (n: number) => new Float64Array(n);
    const u8 = (n: number) => new Uint8Array(n);
    this.svc = copy(this.svc, i32);
    this.gen = copy(this.gen, i32);
    this.state = copy(this.state, u8);
    this.arrivedAt = copy(this.arrivedAt, f64);
    this.parent = copy(this.parent, i32);
    this.parentGen = copy(this.parentGen, i32);
    this.edge = copy(this.edge, i32);
    this.attempt = copy(this.attempt, i32);
    this.timeout = copy(this.timeout, f64);
    this.markAt = copy(this.markAt, f64);
    this.seqAt = copy(this.seqAt, i32);
    this.left = copy(this.left, i32);
    this.pending = copy(this.pending, i32);
    this.failed = copy(this.failed, u8);
    this.next = copy(this.next, i32);
    // The new slots join the free list, lowest first.
    for (let r = size - 1; r >= old; r--) {
      this.next[r] = this.freeHead;
      this.freeHead = r;
    }
  }
}
