/**
 * A request graph's event loop and its handlers (./request-graph.ts tells what they simulate): external
 * arrivals, a request's own service done, its calls made one after another or fanned out, an attempt's
 * timeout, a retry sent after its back-off, a queue's drop check, an answer lost with its callee's
 * replicas. Apart from the graph, which sets each tick up and takes its figures, because this is the
 * part that runs per event: requests are records in typed arrays (./request-pool.ts), servers and
 * figures are kept by ./server-pools.ts and ./graph-tick-figures.ts, and nothing is allocated per
 * request or event.
 */
import { EventQueue } from "@clustersim/sim-core";
import { callCount } from "../call-graph.js";
import { type Edges, edgesOf, type GraphService } from "./graph-service.js";
import type { GraphTickFigures } from "./graph-tick-figures.js";
import type { TickFigures } from "./latency-model.js";
import { BACKING_OFF, CALLING, LOST, NONE, QUEUED, RequestPool, SERVING } from "./request-pool.js";
import { Ring } from "./ring.js";
import type { ServerPools } from "./server-pools.js";

// Event kinds; `target` is a service for ARRIVE and DROP_CHECK, a request otherwise (`arg` its generation).
/** A request from outside the graph arrives at a service. */
const ARRIVE = 0;
/** A request's own service time ends: it makes its calls, or is answered. */
const OWN_DONE = 1;
/** An attempt has taken its call's timeout: it fails at the caller (the callee still serves it). */
const TIMEOUT = 2;
/** A retry's back-off is over: the attempt reaches its callee. */
const SEND = 3;
/** The oldest waiting request of a service may have waited its timeout. */
const DROP_CHECK = 4;
/** An attempt lost with its callee's replicas: its caller hears of the failure. */
const LOST_ANSWER = 5;

export class RequestEvents {
  private readonly n: number;
  private readonly edges: Edges[];
  private readonly pool = new RequestPool();
  private readonly events = new EventQueue(1024);
  /** Per service, its waiting requests, oldest first. */
  readonly queues: Ring[];
  /** The time of each service's pending drop check (infinite: none pending). */
  private readonly dropAt: Float64Array;
  /** The end of the tick last run. */
  private tickEnd = 0;

  constructor(
    private readonly services: readonly GraphService[],
    private readonly servers: ServerPools,
    private readonly figures: GraphTickFigures,
    /** Per service, the tick's inputs as the graph sets them: external rate, and slowdown of service times. */
    private readonly rate: Float64Array,
    private readonly slowdown: Float64Array,
  ) {
    const n = services.length;
    this.n = n;
    const index = new Map(services.map((s, j) => [s.name, j]));
    this.edges = services.map((s) => edgesOf(s, index));
    this.queues = services.map(() => new Ring());
    this.dropAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  }

  /** Service j's first external arrival of the tick [t0S, t1S), drawn. */
  firstArrival(j: number, t0S: number, t1S: number): void {
    const rate = this.rate[j];
    if (rate > 0) {
      const at = t0S + this.services[j].rng.exponential(rate);
      if (at < t1S) this.events.push(at, ARRIVE, j, 0);
    }
  }

  /** The events of the tick [t0S, t1S), every service's first arrival drawn. */
  run(t0S: number, t1S: number): void {
    this.tickEnd = t1S;
    // Servers added at the tick's start take the requests already waiting.
    for (let j = 0; j < this.n; j++) this.startWaiting(j, t0S);
    const q = this.events;
    const pool = this.pool;
    while (q.peekTime() < t1S) {
      q.pop();
      const now = q.time;
      const r = q.target;
      const stale = q.kind !== ARRIVE && q.kind !== DROP_CHECK && pool.gen[r] !== q.arg;
      if (stale) continue;
      switch (q.kind) {
        case ARRIVE:
          this.arriveFromOutside(r, now);
          break;
        case OWN_DONE:
          if (pool.state[r] === SERVING) this.ownDone(r, now);
          break;
        case TIMEOUT:
          this.timedOut(r, now);
          break;
        case SEND:
          if (pool.alive(pool.parent[r], pool.parentGen[r])) this.send(r, now);
          else pool.release(r);
          break;
        case DROP_CHECK:
          this.dropExpired(r, now);
          break;
        case LOST_ANSWER:
          this.toCaller(r, true, now);
          pool.release(r);
          break;
      }
    }
  }

  /**
   * Service j's replicas were lost at the last tick's end: its waiting requests leave unserved (dropped
   * in `out`), those holding a server are answered as failed (in `out` and its responses), and every one
   * of them goes (./request-graph.ts's loseAll).
   */
  loseAll(j: number, out: TickFigures): void {
    const now = this.tickEnd;
    const pool = this.pool;
    const queue = this.queues[j];
    while (queue.count > 0) {
      out.dropped++;
      this.lose(queue.shift(), now);
    }
    const responses = this.figures.responses[j];
    for (let r = 0; r < pool.capacity; r++) {
      if (pool.svc[r] !== j || (pool.state[r] !== SERVING && pool.state[r] !== CALLING)) continue;
      const latency = now - pool.arrivedAt[r];
      responses.add(latency);
      out.failed++;
      this.services[j].onResponse?.(latency);
      this.lose(r, now);
    }
  }

  private arriveFromOutside(j: number, now: number): void {
    const r = this.pool.take(j, now);
    this.arrive(j, r, now);
    const next = now + this.services[j].rng.exponential(this.rate[j]);
    if (next < this.tickEnd) this.events.push(next, ARRIVE, j, 0);
  }

  /** Request r joins service j's queue, or takes an idle server at once. */
  private arrive(j: number, r: number, now: number): void {
    this.figures.countArrival(j);
    const queue = this.queues[j];
    if (this.servers.hasIdle(j) && queue.count === 0) {
      this.start(j, r, now);
      return;
    }
    this.pool.state[r] = QUEUED;
    queue.push(r);
    if (this.dropAt[j] === Number.POSITIVE_INFINITY) this.scheduleDrop(j, now + this.services[j].params.timeoutS);
  }

  private scheduleDrop(j: number, atS: number): void {
    if (!Number.isFinite(atS)) return;
    this.dropAt[j] = atS;
    this.events.push(atS, DROP_CHECK, j, 0);
  }

  /**
   * Waiting requests that have waited the timeout leave; the check moves on to the new oldest (unless
   * a caller, hearing of a drop, sent a call here that scheduled one already: one check at a time).
   */
  private dropExpired(j: number, now: number): void {
    this.dropAt[j] = Number.POSITIVE_INFINITY;
    const queue = this.queues[j];
    const timeoutS = this.services[j].params.timeoutS;
    while (queue.count > 0 && this.pool.arrivedAt[queue.first()] + timeoutS <= now) this.drop(j, queue.shift(), now);
    if (queue.count > 0 && this.dropAt[j] === Number.POSITIVE_INFINITY) {
      this.scheduleDrop(j, this.pool.arrivedAt[queue.first()] + timeoutS);
    }
  }

  private drop(j: number, r: number, now: number): void {
    this.figures.countDrop(j);
    this.toCaller(r, true, now);
    this.pool.release(r);
  }

  /** Idle servers take waiting requests, oldest first (any past the timeout leaves: a safeguard). */
  private startWaiting(j: number, now: number): void {
    const queue = this.queues[j];
    const timeoutS = this.services[j].params.timeoutS;
    while (this.servers.hasIdle(j) && queue.count > 0) {
      const r = queue.shift();
      if (this.pool.arrivedAt[r] + timeoutS < now) this.drop(j, r, now);
      else this.start(j, r, now);
    }
  }

  private start(j: number, r: number, now: number): void {
    this.servers.occupy(j, now);
    const pool = this.pool;
    pool.state[r] = SERVING;
    const s = this.services[j];
    this.events.push(now + s.serviceTimeS(s.rng) * this.slowdown[j], OWN_DONE, r, pool.gen[r]);
  }

  /** Request r's own service is done: its calls begin (or, without calls, it is answered). */
  private ownDone(r: number, now: number): void {
    const pool = this.pool;
    pool.state[r] = CALLING;
    pool.seqAt[r] = 0;
    pool.left[r] = -1;
    pool.pending[r] = 0;
    this.nextCall(r, now);
  }

  /**
   * Request r's next sequential call; after the last, its fan-out, every parallel call at once; with
   * nothing left to call, its answer. `left` is −1 until the current edge's count is drawn.
   */
  private nextCall(r: number, now: number): void {
    const pool = this.pool;
    const j = pool.svc[r];
    const e = this.edges[j];
    const rng = this.services[j].rng;
    const seq = e.sequential;
    while (pool.seqAt[r] < seq.length) {
      const k = seq[pool.seqAt[r]];
      if (pool.left[r] < 0) pool.left[r] = callCount(e.perRequest[k], rng);
      if (pool.left[r] > 0) {
        pool.left[r]--;
        pool.markAt[r] = now;
        this.call(r, k, now);
        return;
      }
      pool.seqAt[r]++;
      pool.left[r] = -1;
    }
    if (pool.seqAt[r] === seq.length && e.fanOut.length > 0) {
      // Past the sequential edges: the fan-out is under way.
      pool.seqAt[r]++;
      pool.markAt[r] = now;
      for (let f = 0; f < e.fanOut.length; f++) {
        const k = e.fanOut[f];
        const calls = callCount(e.perRequest[k], rng);
        pool.pending[r] += calls;
        for (let m = 0; m < calls; m++) this.call(r, k, now);
      }
      if (pool.pending[r] > 0) return;
    }
    this.answer(r, now);
  }

  /** Request r calls along its edge k: the call's first attempt. */
  private call(r: number, k: number, now: number): void {
    const pool = this.pool;
    const j = pool.svc[r];
    this.figures.countCall(j, k);
    const c = pool.take(this.edges[j].callee[k], now);
    pool.parent[c] = r;
    pool.parentGen[c] = pool.gen[r];
    pool.edge[c] = k;
    this.send(c, now);
  }

  /** Attempt c reaches its callee; its timeout starts. */
  private send(c: number, now: number): void {
    const pool = this.pool;
    const j = pool.svc[pool.parent[c]];
    const k = pool.edge[c];
    this.figures.countAttempt(j, k);
    pool.arrivedAt[c] = now;
    const timeoutS = this.edges[j].timeoutS[k];
    if (timeoutS < Number.POSITIVE_INFINITY)
      pool.timeout[c] = this.events.push(now + timeoutS, TIMEOUT, c, pool.gen[c]);
    const callee = pool.svc[c];
    this.figures.countReceived(callee);
    this.arrive(callee, c, now);
  }

  /** Attempt c took its timeout: it fails at its caller, which no longer waits for it. */
  private timedOut(c: number, now: number): void {
    const pool = this.pool;
    pool.timeout[c] = -1;
    const p = pool.parent[c];
    if (!pool.alive(p, pool.parentGen[c])) return;
    this.figures.countTimeout(pool.svc[p], pool.edge[c]);
    pool.parent[c] = NONE;
    this.attemptEnded(c, p, true, now);
  }

  /** Attempt c ended (answered, failed or dropped): its caller, if still waiting for it, hears now. */
  private toCaller(c: number, failed: boolean, now: number): void {
    const pool = this.pool;
    const p = pool.parent[c];
    if (pool.alive(p, pool.parentGen[c])) this.attemptEnded(c, p, failed, now);
  }

  /** Attempt c of live caller p ended: a retry after the back-off if it failed and retries remain. */
  private attemptEnded(c: number, p: number, failed: boolean, now: number): void {
    const pool = this.pool;
    if (pool.timeout[c] >= 0) {
      this.events.cancel(pool.timeout[c]);
      pool.timeout[c] = -1;
    }
    const k = pool.edge[c];
    const e = this.edges[pool.svc[p]];
    if (failed && pool.attempt[c] < e.retries[k]) {
      const retry = pool.take(pool.svc[c], now);
      pool.parent[retry] = p;
      pool.parentGen[retry] = pool.parentGen[c];
      pool.edge[retry] = k;
      pool.attempt[retry] = pool.attempt[c] + 1;
      pool.state[retry] = BACKING_OFF;
      this.events.push(now + e.backoffS[k], SEND, retry, pool.gen[retry]);
      return;
    }
    this.callEnded(p, k, failed, now);
  }

  /** Request p's call on edge k ended, on its last attempt: the next call, or the fan-out's end. */
  private callEnded(p: number, k: number, failed: boolean, now: number): void {
    const pool = this.pool;
    if (failed) pool.failed[p] = 1;
    const j = pool.svc[p];
    if (pool.seqAt[p] < this.edges[j].sequential.length) {
      this.figures.countCritical(j, k, now - pool.markAt[p]);
      this.nextCall(p, now);
    } else if (--pool.pending[p] === 0) {
      this.figures.countCritical(j, k, now - pool.markAt[p]);
      this.answer(p, now);
    }
  }

  /** Request r is answered: counted, its server freed (and taken by the next waiting), its caller told. */
  private answer(r: number, now: number): void {
    const pool = this.pool;
    const j = pool.svc[r];
    const latency = now - pool.arrivedAt[r];
    const failed = pool.failed[r] === 1;
    const s = this.services[j];
    this.figures.countAnswer(j, latency, failed, s.params.targetS);
    s.onResponse?.(latency);
    this.servers.free(j, now);
    // The queue first: a caller's next call to this service, made as it hears, joins behind it.
    this.startWaiting(j, now);
    this.toCaller(r, failed, now);
    pool.release(r);
  }

  /** Request r goes with its service's replicas: its caller hears at the next event time, or it is freed. */
  private lose(r: number, now: number): void {
    const pool = this.pool;
    if (!pool.alive(pool.parent[r], pool.parentGen[r])) {
      pool.release(r);
      return;
    }
    pool.state[r] = LOST;
    this.events.push(now, LOST_ANSWER, r, pool.gen[r]);
  }
}
