import { EventQueue, type Rng } from "@clustersim/sim-core";
import { Sample } from "../../metrics/metrics.js";
import { CallCounts } from "../call-attempts.js";
import { callCount } from "../call-graph.js";
import type { CallConfig } from "../service-config.js";
import { emptyFigures, type LatencyParams, type TickFigures } from "./latency-model.js";
import { BACKING_OFF, CALLING, LOST, NONE, QUEUED, RequestPool, SERVING } from "./request-pool.js";
import { Ring } from "./ring.js";

/** One service of a request graph: what the per-request model of it alone would take, and its calls. */
export interface GraphService {
  name: string;
  params: LatencyParams;
  /** The service's own stream: its arrivals, service times and the calls its requests draw. */
  rng: Rng;
  serviceTimeS: (rng: Rng) => number;
  /** Its call edges, callees named among the graph's services. */
  calls: readonly CallConfig[];
  /** Called with every response time (validation, tests). */
  onResponse?: (latencyS: number) => void;
}

/** A service's call edges in typed arrays, and which are made one after another and which at once. */
interface Edges {
  callee: Int32Array;
  perRequest: Float64Array;
  /** An attempt's timeout, seconds (infinite: none). */
  timeoutS: Float64Array;
  retries: Int32Array;
  backoffS: Float64Array;
  /** Edges whose calls are made one after another, in the order configured; then the fan-out's, at once. */
  sequential: Int32Array;
  fanOut: Int32Array;
}

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

/**
 * The per-request services of one connected call graph, simulated together and exactly: one event
 * loop over each tick for all of them. A request arrives at a service (from outside, as a Poisson
 * stream at the tick's rate, or as a caller's call at the moment it is made), waits first come first
 * served for a free server (replicas × concurrency; past the service's timeout it leaves unserved, and
 * a caller waiting for it sees a failed attempt then), serves its own service time (a draw of the
 * service's distribution × the tick's slowdown), then makes its calls: each sequential edge's calls one
 * after another, in the order configured, then every parallel edge's at once (call-graph.ts's order;
 * a fractional `perRequest` makes the last call with that chance). Each call is a request of its own
 * in the callee's queue. The caller holds its server until all its calls have answered or failed; an
 * attempt that exceeds its call's timeout fails then (the callee still serves it: no cancellation); a
 * failed attempt (timeout, drop, or a failed answer) is retried after the back-off while retries
 * remain; a request one of whose calls failed on every attempt is answered as failed. Its response
 * time is its wait, own service and calls' time. Network time is taken as none (an assumption).
 *
 * A request is counted served when it is answered (its response time is known only then; a service
 * without calls is answered when its service ends), so arrivals = served + dropped + queued + in
 * service (holding a server) over any span of ticks. Requests in flight at a tick's end go on in the
 * next. Servers added at a tick's start are idle; servers removed are idle ones first, then those that
 * free soonest (their request completes: graceful termination), as in ./per-request-latency.ts.
 *
 * Events are ordered by time, ties by the order they were scheduled (sim-core's EventQueue), and every
 * draw comes from the stream of the service it concerns, so a run is reproducible and a service's
 * draws stay its own. Requests are records in typed arrays (./request-pool.ts): nothing is allocated
 * per request or event.
 */
export class RequestGraph {
  private readonly n: number;
  private readonly services: readonly GraphService[];
  private readonly edges: Edges[];
  private readonly pool = new RequestPool();
  private readonly events = new EventQueue(1024);
  private readonly queues: Ring[];
  private readonly idle: Int32Array;
  private readonly busy: Int32Array;
  /** Busy servers already removed: the next ones to free go instead of turning idle. */
  private readonly retiring: Int32Array;
  /** ∫ busy servers dt over the tick so far, and the time it was last brought up to. */
  private readonly busyArea: Float64Array;
  private readonly busySince: Float64Array;
  /** The time of each service's pending drop check (infinite: none pending). */
  private readonly dropAt: Float64Array;
  /** The tick's inputs per service: external rate, servers ready, slowdown of service times. */
  private readonly rate: Float64Array;
  private readonly servers: Int32Array;
  private readonly slowdown: Float64Array;
  private readonly outs: TickFigures[];
  private readonly responses: Sample[];
  /** Per service: attempts received from callers in the last tick. */
  private readonly callsIn: Float64Array;
  /** Per caller, per call edge, over the last tick: calls made, attempts made, attempts timed out. */
  readonly counts: CallCounts[];
  /**
   * Per caller, per call edge, over the last tick: seconds its calls added to their requests' critical
   * paths (a sequential call its whole time, a fan-out's time to the edge whose call ended last),
   * counted when each call (or fan-out) ends.
   */
  readonly critical: Float64Array[];
  private tickEnd = 0;

  constructor(services: readonly GraphService[]) {
    this.services = services;
    const n = services.length;
    this.n = n;
    const index = new Map(services.map((s, j) => [s.name, j]));
    this.edges = services.map((s) => edgesOf(s, index));
    this.queues = services.map(() => new Ring());
    this.idle = new Int32Array(n);
    this.busy = new Int32Array(n);
    this.retiring = new Int32Array(n);
    this.busyArea = new Float64Array(n);
    this.busySince = new Float64Array(n);
    this.dropAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.rate = new Float64Array(n);
    this.servers = new Int32Array(n);
    this.slowdown = new Float64Array(n).fill(1);
    this.outs = services.map(() => emptyFigures());
    this.responses = services.map(() => new Sample());
    this.callsIn = new Float64Array(n);
    this.counts = services.map((s) => new CallCounts(s.calls.length));
    this.critical = services.map((s) => new Float64Array(s.calls.length));
  }

  /** Service j's inputs for the next tick: its external rate, ready servers, slowdown, and where its figures go. */
  setInputs(j: number, ratePerS: number, servers: number, out: TickFigures, slowdown = 1): void {
    if (!(ratePerS >= 0 && Number.isFinite(ratePerS)) || !(servers >= 0) || !(slowdown > 0)) {
      const name = this.services[j].name;
      throw new RangeError(`service ${name}: a rate ${ratePerS}/s on ${servers} servers slowed ${slowdown}×`);
    }
    this.rate[j] = ratePerS;
    this.servers[j] = Math.floor(servers);
    this.slowdown[j] = slowdown;
    this.outs[j] = out;
  }

  /** The tick [t0S, t0S + dtS) of every service, with the inputs last set. */
  run(t0S: number, dtS: number): void {
    const t1 = t0S + dtS;
    this.tickEnd = t1;
    for (let j = 0; j < this.n; j++) this.begin(j, t0S, t1);
    // Servers added at the tick's start take the requests already waiting.
    for (let j = 0; j < this.n; j++) this.startWaiting(j, t0S);
    const q = this.events;
    const pool = this.pool;
    while (q.peekTime() < t1) {
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
    for (let j = 0; j < this.n; j++) this.finish(j, t1, dtS);
  }

  /**
   * Every replica of service j was lost after the tick (an OOM kill, ./replica-memory.ts): its waiting
   * requests leave unserved (dropped), those holding a server are answered as failed now (served and
   * failed: they are counted when answered, so not within the objective), and its servers go (the next
   * tick adds the ready ones). Callers waiting for any of them see a failed attempt at the next tick's
   * start (their own figures for this tick are already counted). Calls those requests made are still
   * served by their callees (no cancellation); their answers reach no one.
   */
  loseAll(j: number, out: TickFigures): void {
    const now = this.tickEnd;
    const pool = this.pool;
    const queue = this.queues[j];
    while (queue.count > 0) {
      out.dropped++;
      this.lose(queue.shift(), now);
    }
    const responses = this.responses[j];
    for (let r = 0; r < pool.capacity; r++) {
      if (pool.svc[r] !== j || (pool.state[r] !== SERVING && pool.state[r] !== CALLING)) continue;
      const latency = now - pool.arrivedAt[r];
      responses.add(latency);
      out.failed++;
      this.services[j].onResponse?.(latency);
      this.lose(r, now);
    }
    out.served = responses.count;
    out.expectedServed = out.served;
    out.meanS = responses.mean();
    out.queued = 0;
    this.idle[j] = 0;
    this.busy[j] = 0;
    this.retiring[j] = 0;
  }

  /** Service j's responses of the last tick. */
  responsesOf(j: number): Sample {
    return this.responses[j];
  }

  /** Requests holding one of service j's servers now (in their own service or waiting for calls). */
  inService(j: number): number {
    return this.busy[j];
  }

  /** Attempts service j received from its callers in the last tick. */
  callsReceived(j: number): number {
    return this.callsIn[j];
  }

  /** The tick's figures start from nothing; its servers are resized; its first external arrival is drawn. */
  private begin(j: number, t0S: number, t1S: number): void {
    const out = this.outs[j];
    out.arrivals = 0;
    out.dropped = 0;
    out.failed = 0;
    out.withinTarget = 0;
    this.responses[j].clear();
    this.counts[j].clear();
    this.critical[j].fill(0);
    this.callsIn[j] = 0;
    this.busyArea[j] = 0;
    this.busySince[j] = t0S;
    this.resize(j, this.servers[j]);
    const rate = this.rate[j];
    if (rate > 0) {
      const at = t0S + this.services[j].rng.exponential(rate);
      if (at < t1S) this.events.push(at, ARRIVE, j, 0);
    }
  }

  private finish(j: number, t1S: number, dtS: number): void {
    this.setBusy(j, t1S, 0);
    const out = this.outs[j];
    const responses = this.responses[j];
    out.queued = this.queues[j].count;
    out.busy = this.busyArea[j] / dtS;
    out.served = responses.count;
    out.expectedServed = out.served;
    out.meanS = responses.mean();
  }

  /** Servers ready for the tick: add idle ones, or remove idle ones first, then the soonest to free. */
  private resize(j: number, servers: number): void {
    const total = this.idle[j] + this.busy[j] - this.retiring[j];
    if (servers >= total) {
      this.idle[j] += servers - total;
      return;
    }
    const fromIdle = Math.min(this.idle[j], total - servers);
    this.idle[j] -= fromIdle;
    this.retiring[j] += total - servers - fromIdle;
  }

  private arriveFromOutside(j: number, now: number): void {
    const r = this.pool.take(j, now);
    this.arrive(j, r, now);
    const next = now + this.services[j].rng.exponential(this.rate[j]);
    if (next < this.tickEnd) this.events.push(next, ARRIVE, j, 0);
  }

  /** Request r joins service j's queue, or takes an idle server at once. */
  private arrive(j: number, r: number, now: number): void {
    this.outs[j].arrivals++;
    const queue = this.queues[j];
    if (this.idle[j] > 0 && queue.count === 0) {
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
    this.outs[j].dropped++;
    this.toCaller(r, true, now);
    this.pool.release(r);
  }

  /** Idle servers take waiting requests, oldest first (any past the timeout leaves: a safeguard). */
  private startWaiting(j: number, now: number): void {
    const queue = this.queues[j];
    const timeoutS = this.services[j].params.timeoutS;
    while (this.idle[j] > 0 && queue.count > 0) {
      const r = queue.shift();
      if (this.pool.arrivedAt[r] + timeoutS < now) this.drop(j, r, now);
      else this.start(j, r, now);
    }
  }

  private start(j: number, r: number, now: number): void {
    this.idle[j]--;
    this.setBusy(j, now, 1);
    const pool = this.pool;
    pool.state[r] = SERVING;
    const s = this.services[j];
    this.events.push(now + s.serviceTimeS(s.rng) * this.slowdown[j], OWN_DONE, r, pool.gen[r]);
  }

  private setBusy(j: number, now: number, delta: number): void {
    this.busyArea[j] += this.busy[j] * (now - this.busySince[j]);
    this.busySince[j] = now;
    this.busy[j] += delta;
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
    this.counts[j].calls[k]++;
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
    this.counts[j].attempts[k]++;
    pool.arrivedAt[c] = now;
    const timeoutS = this.edges[j].timeoutS[k];
    if (timeoutS < Number.POSITIVE_INFINITY)
      pool.timeout[c] = this.events.push(now + timeoutS, TIMEOUT, c, pool.gen[c]);
    const callee = pool.svc[c];
    this.callsIn[callee]++;
    this.arrive(callee, c, now);
  }

  /** Attempt c took its timeout: it fails at its caller, which no longer waits for it. */
  private timedOut(c: number, now: number): void {
    const pool = this.pool;
    pool.timeout[c] = -1;
    const p = pool.parent[c];
    if (!pool.alive(p, pool.parentGen[c])) return;
    this.counts[pool.svc[p]].timeouts[pool.edge[c]]++;
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
      this.critical[j][k] += now - pool.markAt[p];
      this.nextCall(p, now);
    } else if (--pool.pending[p] === 0) {
      this.critical[j][k] += now - pool.markAt[p];
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
    this.responses[j].add(latency);
    if (failed) this.outs[j].failed++;
    else if (latency <= s.params.targetS) this.outs[j].withinTarget++;
    s.onResponse?.(latency);
    this.setBusy(j, now, -1);
    if (this.retiring[j] > 0) this.retiring[j]--;
    else this.idle[j]++;
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

/** Service s's call edges, callees by index. */
function edgesOf(s: GraphService, index: ReadonlyMap<string, number>): Edges {
  const callee = s.calls.map((c) => {
    const j = index.get(c.service);
    if (j === undefined) throw new RangeError(`service ${s.name} calls "${c.service}", which is not in its graph`);
    return j;
  });
  const at = (parallel: boolean) => s.calls.flatMap((c, k) => ((c.parallel === true) === parallel ? [k] : []));
  return {
    callee: Int32Array.from(callee),
    perRequest: Float64Array.from(s.calls, (c) => c.perRequest),
    timeoutS: Float64Array.from(s.calls, (c) => c.timeoutS ?? Number.POSITIVE_INFINITY),
    retries: Int32Array.from(s.calls, (c) => c.retries ?? 0),
    backoffS: Float64Array.from(s.calls, (c) => c.backoffS ?? 0),
    sequential: Int32Array.from(at(false)),
    fanOut: Int32Array.from(at(true)),
  };
}
