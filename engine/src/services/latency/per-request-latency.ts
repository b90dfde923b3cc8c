import type { Rng } from "@clustersim/sim-core";
import { Sample } from "../../metrics/metrics.js";
import { DiscreteTime } from "./discrete-time.js";
import { failServed, type Hold, type LatencyModel, type LatencyParams, type TickFigures } from "./latency-model.js";
import { SketchRecord } from "./latency-record.js";
import { Ring } from "./ring.js";

/** Response times kept for callers to draw from: the last 256 requests' (a tick's at high rates, under a minute's at 5/s). */
const RECENT = 256;
const ONES = new Float64Array(RECENT).fill(1);

/**
 * The per-request latency model: every request is simulated (small scale, and the check of the fluid
 * model). Requests arrive as a Poisson process at the tick's rate, calls from callers as many as they
 * made, at uniformly random times of the tick; all join one first-come-first-served
 * queue per service, taken by whichever of its ready servers (replicas × concurrency) frees first;
 * each draws its service time from the service's distribution, plus, for a service that calls others,
 * the time it then holds its server waiting for them (`hold`: each call's time a recent response of
 * the callee's drawn at random, independent of the request's own wait and service; a request whose
 * call failed counts as failed). A request that has waited the timeout
 * leaves unserved. Servers added at a tick start idle; servers removed are idle ones first, then those
 * finishing soonest (their request completes: graceful termination).
 *
 * A service's requests interact only with each other, so each tick is simulated on its own small event
 * loop (arrivals and server releases in time order) rather than on the run's event queue. Services that
 * call each other, all per request, are simulated together instead (./request-graph.ts): this model's
 * drawn calls serve a per-request service in a graph that has fluid services too.
 */
export class PerRequestLatency implements LatencyModel {
  /** Busy servers' release times (a binary min-heap) and the count of idle servers. */
  private busyUntil = new Float64Array(64);
  private busyCount = 0;
  private idle = 0;
  /** Arrival times of waiting requests, oldest first. */
  private readonly queue = new Ring();
  /** Response times of the requests started in the current tick. */
  private readonly responses = new Sample();
  private slowdown = 1;
  private hold: Hold | undefined;
  /** The last RECENT requests' response times (a ring), what callers draw their calls' times from. */
  private readonly recent = new Float64Array(RECENT);
  private recentCount = 0;
  private recentAt = 0;
  private recentMade: DiscreteTime | undefined;
  /**
   * Whether each of the last RECENT answers (served or dropped) failed (a ring): the failure rate
   * callers draw their calls' errors with, over a window like that of the response times. A tick's own
   * share would be noisy at a few requests a tick, and a retried call's attempts, all drawn with it,
   * would fail together (the chance all fail is the mean of q^attempts, above the mean of q to that power).
   */
  private readonly recentFailed = new Uint8Array(RECENT);
  private failedCount = 0;
  private answeredCount = 0;
  private answeredAt = 0;
  /** Calls from callers for the next tick, and the arrival times made for them. */
  private calls = 0;
  private callTimes = new Float64Array(64);

  constructor(
    private readonly p: LatencyParams,
    private readonly rng: Rng,
    private readonly serviceTimeS: (rng: Rng) => number,
    /** Called with every request's response time (validation, tests). */
    private readonly onResponse?: (latencyS: number) => void,
  ) {}

  tick(t0S: number, dtS: number, ratePerS: number, servers: number, out: TickFigures, slowdown = 1, hold?: Hold): void {
    this.slowdown = slowdown;
    this.hold = hold;
    this.recentMade = undefined;
    this.resize(servers);
    const t1 = t0S + dtS;
    this.responses.clear();
    out.arrivals = 0;
    out.withinTarget = 0;
    out.dropped = 0;
    out.failed = 0;
    let busyTime = 0;
    let now = t0S;
    // Servers added at the tick's start take the requests already waiting.
    this.startWaiting(now, out);
    const calls = this.callsOver(t0S, dtS);
    let nextCall = 0;
    let nextArrival = ratePerS > 0 ? t0S + this.rng.exponential(ratePerS) : Number.POSITIVE_INFINITY;
    for (;;) {
      const nextRelease = this.busyCount > 0 ? this.busyUntil[0] : Number.POSITIVE_INFINITY;
      const callAt = nextCall < calls ? this.callTimes[nextCall] : Number.POSITIVE_INFINITY;
      const t = Math.min(nextArrival, nextRelease, callAt);
      if (t >= t1) break;
      busyTime += this.busyCount * (t - now);
      now = t;
      if (nextRelease <= nextArrival && nextRelease <= callAt) {
        this.popBusy();
        this.idle++;
      } else {
        out.arrivals++;
        this.queue.push(t);
        if (callAt < nextArrival) nextCall++;
        else nextArrival = t + this.rng.exponential(ratePerS);
      }
      this.startWaiting(now, out);
    }
    busyTime += this.busyCount * (t1 - now);
    // Requests past their timeout leave at the tick's end even while no server frees.
    this.dropOlderThan(t1 - this.p.timeoutS, out);
    out.queued = this.queue.count;
    out.busy = busyTime / dtS;
    out.served = this.responses.count;
    out.expectedServed = out.served;
    out.meanS = this.responses.mean();
  }

  /** The queue's requests are dropped and those in service fail; the servers go (the next tick adds the ready ones). */
  loseAll(out: TickFigures): void {
    out.dropped += this.queue.count;
    failServed(out, this.busyCount);
    out.queued = 0;
    this.queue.clear();
    this.busyCount = 0;
    this.idle = 0;
  }

  lastQuantile(q: number): number {
    return this.responses.quantile(q);
  }

  /** `count` requests arrive in the next tick as calls from callers (a fraction: one more with that chance). */
  receiveCalls(count: number): void {
    this.calls += count;
  }

  /**
   * The calls' arrival times over the tick: as many as received, spread uniformly at random (sorted
   * uniforms from exponential spacings); returns how many.
   */
  private callsOver(t0S: number, dtS: number): number {
    const whole = Math.floor(this.calls);
    const n = whole + (this.calls > whole && this.rng.next() < this.calls - whole ? 1 : 0);
    this.calls = 0;
    if (n === 0) return 0;
    if (this.callTimes.length < n) this.callTimes = new Float64Array(2 * n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += this.rng.exponential(1);
      this.callTimes[k] = sum;
    }
    sum += this.rng.exponential(1);
    for (let k = 0; k < n; k++) this.callTimes[k] = t0S + (dtS * this.callTimes[k]) / sum;
    return n;
  }

  lastDistribution(): DiscreteTime | undefined {
    if (this.recentCount === 0) return undefined;
    this.recentMade ??= DiscreteTime.fromWeighted(this.recent, ONES, this.recentCount);
    return this.recentMade;
  }

  recentFailShare(): number | undefined {
    return this.answeredCount > 0 ? this.failedCount / this.answeredCount : undefined;
  }

  /** One more answer, failed (1) or not (0), into the ring of the last RECENT. */
  private answered(failed: 0 | 1): void {
    if (this.answeredCount === RECENT) this.failedCount -= this.recentFailed[this.answeredAt];
    else this.answeredCount++;
    this.recentFailed[this.answeredAt] = failed;
    this.failedCount += failed;
    this.answeredAt = (this.answeredAt + 1) % RECENT;
  }

  drawRecent(rng: Rng): number | undefined {
    return this.recentCount > 0 ? this.recent[Math.floor(rng.next() * this.recentCount)] : undefined;
  }

  newRecord(): SketchRecord {
    return new SketchRecord();
  }

  feed(record: SketchRecord): void {
    this.responses.forEach((x) => record.add(x));
  }

  /** Idle servers take waiting requests, oldest first; those past their timeout leave. */
  private startWaiting(now: number, out: TickFigures): void {
    while (this.idle > 0 && this.queue.count > 0) {
      const arrived = this.queue.shift();
      const wait = now - arrived;
      if (wait > this.p.timeoutS) {
        out.dropped++;
        this.answered(1);
        continue;
      }
      const service = this.serviceTimeS(this.rng) * this.slowdown + (this.hold ? this.hold.sample(this.rng) : 0);
      // A request whose call failed is answered with an error: counted as failed, never within the target.
      const failed = this.hold?.lastFailed?.() === true;
      this.idle--;
      this.pushBusy(now + service);
      this.responses.add(wait + service);
      this.recent[this.recentAt] = wait + service;
      this.recentAt = (this.recentAt + 1) % RECENT;
      if (this.recentCount < RECENT) this.recentCount++;
      this.answered(failed ? 1 : 0);
      if (failed) out.failed++;
      else if (wait + service <= this.p.targetS) out.withinTarget++;
      this.onResponse?.(wait + service);
    }
  }

  private dropOlderThan(cutoffS: number, out: TickFigures): void {
    while (this.queue.count > 0 && this.queue.first() < cutoffS) {
      this.queue.shift();
      out.dropped++;
      this.answered(1);
    }
  }

  /** Servers ready for this tick: add idle ones, or remove idle ones first, then the soonest to free. */
  private resize(servers: number): void {
    let total = this.idle + this.busyCount;
    if (servers >= total) {
      this.idle += servers - total;
      return;
    }
    const fromIdle = Math.min(this.idle, total - servers);
    this.idle -= fromIdle;
    total -= fromIdle;
    while (total > servers) {
      this.popBusy();
      total--;
    }
  }

  private pushBusy(t: number): void {
    if (this.busyCount === this.busyUntil.length) {
      const grown = new Float64Array(this.busyUntil.length * 2);
      grown.set(this.busyUntil);
      this.busyUntil = grown;
    }
    const h = this.busyUntil;
    let i = this.busyCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= t) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = t;
  }

  private popBusy(): number {
    const h = this.busyUntil;
    const top = h[0];
    const last = h[--this.busyCount];
    let i = 0;
    const n = this.busyCount;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1] < h[c]) c++;
      if (h[c] >= last) break;
      h[i] = h[c];
      i = c;
    }
    if (n > 0) h[i] = last;
    return top;
  }
}
