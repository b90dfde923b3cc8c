import type { Rng } from "@clustersim/sim-core";
import { quantileSorted } from "../../metrics/quantile.js";
import type { LatencyModel, LatencyParams, TickFigures } from "./latency-model.js";
import { SketchRecord } from "./latency-record.js";

/**
 * The per-request latency model: every request is simulated (small scale, and the check of the fluid
 * model). Requests arrive as a Poisson process at the tick's rate and join one first-come-first-served
 * queue per service, taken by whichever of its ready servers (replicas × concurrency) frees first;
 * each draws its service time from the service's distribution. A request that has waited the timeout
 * leaves unserved. Servers added at a tick start idle; servers removed are idle ones first, then those
 * finishing soonest (their request completes: graceful termination).
 *
 * A service's requests interact only with each other, so each tick is simulated on its own small event
 * loop (arrivals and server releases in time order) rather than on the run's event queue.
 */
export class PerRequestLatency implements LatencyModel {
  /** Busy servers' release times (a binary min-heap) and the count of idle servers. */
  private busyUntil = new Float64Array(64);
  private busyCount = 0;
  private idle = 0;
  /** Arrival times of waiting requests (a ring, oldest first). */
  private queue = new Float64Array(256);
  private qHead = 0;
  private qCount = 0;
  /** Response times of the requests started in the current tick. */
  private latencies = new Float64Array(256);
  private served = 0;
  private sorted = true;
  private slowdown = 1;

  constructor(
    private readonly p: LatencyParams,
    private readonly rng: Rng,
    private readonly serviceTimeS: (rng: Rng) => number,
    /** Called with every request's response time (validation, tests). */
    private readonly onResponse?: (latencyS: number) => void,
  ) {}

  tick(t0S: number, dtS: number, ratePerS: number, servers: number, out: TickFigures, slowdown = 1): void {
    this.slowdown = slowdown;
    this.resize(servers);
    const t1 = t0S + dtS;
    this.served = 0;
    this.sorted = false;
    out.arrivals = 0;
    out.withinTarget = 0;
    out.dropped = 0;
    let busyTime = 0;
    let now = t0S;
    // Servers added at the tick's start take the requests already waiting.
    this.startWaiting(now, out);
    let nextArrival = ratePerS > 0 ? t0S + this.rng.exponential(ratePerS) : Number.POSITIVE_INFINITY;
    for (;;) {
      const nextRelease = this.busyCount > 0 ? this.busyUntil[0] : Number.POSITIVE_INFINITY;
      const t = Math.min(nextArrival, nextRelease);
      if (t >= t1) break;
      busyTime += this.busyCount * (t - now);
      now = t;
      if (nextRelease <= nextArrival) {
        this.popBusy();
        this.idle++;
      } else {
        out.arrivals++;
        this.enqueue(t);
        nextArrival = t + this.rng.exponential(ratePerS);
      }
      this.startWaiting(now, out);
    }
    busyTime += this.busyCount * (t1 - now);
    // Requests past their timeout leave at the tick's end even while no server frees.
    this.dropOlderThan(t1 - this.p.timeoutS, out);
    out.queued = this.qCount;
    out.busy = busyTime / dtS;
    out.served = this.served;
    let sum = 0;
    for (let i = 0; i < this.served; i++) sum += this.latencies[i];
    out.meanS = this.served > 0 ? sum / this.served : Number.NaN;
  }

  lastQuantile(q: number): number {
    const lat = this.latencies.subarray(0, this.served);
    if (!this.sorted) lat.sort();
    this.sorted = true;
    return quantileSorted(lat, q);
  }

  newRecord(): SketchRecord {
    return new SketchRecord();
  }

  feed(record: SketchRecord): void {
    for (let i = 0; i < this.served; i++) record.add(this.latencies[i]);
  }

  /** Idle servers take waiting requests, oldest first; those past their timeout leave. */
  private startWaiting(now: number, out: TickFigures): void {
    while (this.idle > 0 && this.qCount > 0) {
      const arrived = this.queue[this.qHead];
      this.qHead = (this.qHead + 1) % this.queue.length;
      this.qCount--;
      const wait = now - arrived;
      if (wait > this.p.timeoutS) {
        out.dropped++;
        continue;
      }
      const service = this.serviceTimeS(this.rng) * this.slowdown;
      this.idle--;
      this.pushBusy(now + service);
      if (this.served === this.latencies.length) {
        const grown = new Float64Array(this.latencies.length * 2);
        grown.set(this.latencies);
        this.latencies = grown;
      }
      this.latencies[this.served++] = wait + service;
      if (wait + service <= this.p.targetS) out.withinTarget++;
      this.onResponse?.(wait + service);
    }
  }

  private dropOlderThan(cutoffS: number, out: TickFigures): void {
    while (this.qCount > 0 && this.queue[this.qHead] < cutoffS) {
      this.qHead = (this.qHead + 1) % this.queue.length;
      this.qCount--;
      out.dropped++;
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

  private enqueue(t: number): void {
    if (this.qCount === this.queue.length) {
      const grown = new Float64Array(this.queue.length * 2);
      for (let k = 0; k < this.qCount; k++) grown[k] = this.queue[(this.qHead + k) % this.queue.length];
      this.queue = grown;
      this.qHead = 0;
    }
    this.queue[(this.qHead + this.qCount) % this.queue.length] = t;
    this.qCount++;
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
