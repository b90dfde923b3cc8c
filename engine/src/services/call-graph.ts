import type { Rng } from "@clustersim/sim-core";
import { callAttempts, DrawnCalls, MAX_RETRIES } from "./call-attempts.js";
import { DiscreteTime, SumScratch } from "./latency/discrete-time.js";
import type { CallConfig } from "./service-config.js";

/** What a caller's requests meet downstream in a tick: the time their calls take, and the chance one fails. */
export interface CallOutcome {
  /** Time a request waits for its calls, holding its server (sequential calls add, parallel ones take the longest). */
  time: DiscreteTime;
  /** The chance that at least one of its calls fails (every attempt of it: a timeout, a callee's drop or failure). */
  failProb: number;
  /** Per call edge, the mean time it adds to the request's critical path, seconds. */
  criticalS: Float64Array;
  /** Per call edge, attempts per call on average (1 without retries): what the callee receives per call. */
  attempts: Float64Array;
  /** Per call edge, the chance an attempt times out. */
  timeoutShare: Float64Array;
}

/**
 * A service's calls composed from its callees' last responses (the end-to-end times of their own
 * requests, calls included) and failure rates. Calls are independent of one another and of the
 * caller's own wait and service (an assumption: a callee's response is drawn from its distribution
 * over the tick, not from the queue the request met). `perRequest` calls to one callee: sequential
 * ones one after another (a sum), parallel ones at once (the longest); a fractional count makes its
 * last call with that probability. All parallel edges form one fan-out, made after the sequential calls.
 * Each call is its attempts (./call-attempts.ts: a timeout caps an attempt and fails it; retries
 * repeat a failed one). A request makes all its calls even after one failed (it fails at the end).
 */
export class CallComposer {
  private readonly scratch = new SumScratch();
  /** The last outcome and what it was made of (callees in steady state give the same objects). */
  private last: CallOutcome | undefined;
  private readonly lastInputs: (DiscreteTime | undefined)[];
  private readonly lastFails: Float64Array;
  /** Per call edge, the time of one call (attempts included), reused between compositions. */
  private readonly callTime: (DiscreteTime | undefined)[];
  /** The per-request model's draws since the last `drawn.clear()`, and whether the last request failed. */
  readonly drawn: DrawnCalls;
  lastFailed = false;

  constructor(
    private readonly calls: readonly CallConfig[],
    /** Callee index of each call. */
    private readonly callee: readonly number[],
    /** The calling service's name, for messages. */
    caller = "",
  ) {
    calls.forEach((c, k) => checkCall(c, `service ${caller}: calls[${k}]`));
    this.lastInputs = callee.map(() => undefined);
    this.lastFails = new Float64Array(callee.length).fill(Number.NaN);
    this.callTime = callee.map(() => undefined);
    this.drawn = new DrawnCalls(calls.length);
  }

  /**
   * One request's calls' time, each call drawn attempt by attempt from its callee's recent responses
   * (`drawFrom`) and failure rate (`failRate`); `lastFailed` tells whether one of them failed.
   */
  draw(rng: Rng, drawFrom: (callee: number, rng: Rng) => number, failRate: Float64Array): number {
    let sequential = 0;
    let parallel = 0;
    let failed = false;
    for (let k = 0; k < this.calls.length; k++) {
      const c = this.calls[k];
      const j = this.callee[k];
      const n = callCount(c.perRequest, rng);
      for (let m = 0; m < n; m++) {
        const t = this.drawn.draw(c, k, j, failRate[j], drawFrom, rng);
        failed ||= this.drawn.lastFailed;
        if (c.parallel) parallel = Math.max(parallel, t);
        else sequential += t;
      }
    }
    this.lastFailed = failed;
    return sequential + parallel;
  }

  /** The outcome given each service's last end-to-end time (undefined: none yet: no time) and failure rate. */
  compose(lastTime: readonly (DiscreteTime | undefined)[], lastFail: Float64Array): CallOutcome {
    if (
      this.last &&
      this.callee.every((j, k) => lastTime[j] === this.lastInputs[k] && lastFail[j] === this.lastFails[k])
    ) {
      return this.last;
    }
    this.callee.forEach((j, k) => {
      this.lastInputs[k] = lastTime[j];
      this.lastFails[k] = lastFail[j];
    });
    this.last = this.made(lastTime, lastFail);
    return this.last;
  }

  private made(lastTime: readonly (DiscreteTime | undefined)[], lastFail: Float64Array): CallOutcome {
    let sequential: DiscreteTime | undefined;
    let parallel: DiscreteTime | undefined;
    let survive = 1;
    const edges = this.calls.length;
    const criticalS = new Float64Array(edges);
    const attempts = new Float64Array(edges);
    const timeoutShare = new Float64Array(edges);
    this.calls.forEach((c, k) => {
      const j = this.callee[k];
      const call = callAttempts(lastTime[j], lastFail[j], c, this.scratch);
      attempts[k] = call.attempts;
      timeoutShare[k] = call.timeoutShare;
      survive *= (1 - call.failProb) ** c.perRequest;
      const t = call.time;
      this.callTime[k] = t;
      if (!t) return;
      const n = c.perRequest;
      const max = c.parallel === true;
      let edge = repeated(t, Math.floor(n), max, this.scratch);
      const frac = n - Math.floor(n);
      if (frac > 0) edge = edge ? edge.withProbability(t, frac, max, this.scratch) : fractionOf(t, frac, this.scratch);
      if (!edge) return;
      if (max) parallel = parallel ? parallel.with(edge, true, this.scratch) : edge;
      else {
        sequential = sequential ? sequential.with(edge, false, this.scratch) : edge;
        criticalS[k] = n * t.mean();
      }
    });
    if (parallel) this.attributeParallel(parallel, criticalS);
    const time =
      sequential && parallel
        ? sequential.with(parallel, false, this.scratch)
        : (sequential ?? parallel ?? DiscreteTime.zero());
    return { time, failProb: 1 - survive, criticalS, attempts, timeoutShare };
  }

  /**
   * The fan-out's mean time, shared among its edges by the chance each is the slowest: at each point x of
   * an edge's calls, the others' calls all at most x (independent; a fractional count as an exponent).
   */
  private attributeParallel(group: DiscreteTime, out: Float64Array) {
    const slowest = new Float64Array(this.calls.length);
    let total = 0;
    this.calls.forEach((c, k) => {
      const t = this.callTime[k];
      if (!c.parallel || !t) return;
      let p = 0;
      t.forEachPoint((x, share) => {
        let others = c.perRequest * t.cdf(x) ** Math.max(0, c.perRequest - 1);
        this.calls.forEach((d, m) => {
          const u = this.callTime[m];
          if (m !== k && d.parallel && u) others *= u.cdf(x) ** d.perRequest;
        });
        p += share * others;
      });
      slowest[k] = p;
      total += p;
    });
    const mean = group.mean();
    for (let k = 0; k < out.length; k++) if (slowest[k] > 0) out[k] = (mean * slowest[k]) / total;
  }
}

/** The calls a request makes on an edge of `perRequest` calls: its whole part, and one more with the fraction's chance. */
export function callCount(perRequest: number, rng: Rng): number {
  const whole = Math.floor(perRequest);
  return whole + (rng.next() < perRequest - whole ? 1 : 0);
}

/** A call edge's timeout, retries and back-off, checked: a clear message for each bad one. */
function checkCall(c: CallConfig, where: string): void {
  if (c.timeoutS !== undefined && !(c.timeoutS > 0)) {
    throw new RangeError(`${where}.timeoutS: expected a timeout > 0 s, found ${c.timeoutS}`);
  }
  const r = c.retries ?? 0;
  if (!Number.isInteger(r) || r < 0 || r > MAX_RETRIES) {
    throw new RangeError(`${where}.retries: expected a whole number of retries from 0 to ${MAX_RETRIES}, found ${r}`);
  }
  const b = c.backoffS ?? 0;
  if (!(b >= 0 && b < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`${where}.backoffS: expected a back-off ≥ 0 s, found ${b}`);
  }
}

/**
 * The sum (or, `max`, the largest) of `count` independent draws of `t`, by repeated doubling: about
 * 2·log2(count) compositions rather than count − 1, so a fan-out of hundreds costs a few per tick.
 */
function repeated(t: DiscreteTime, count: number, max: boolean, scratch: SumScratch): DiscreteTime | undefined {
  let result: DiscreteTime | undefined;
  let power = t;
  for (let k = count; k > 0; k >>= 1) {
    if (k & 1) result = result ? result.with(power, max, scratch) : power;
    if (k > 1) power = power.with(power, max, scratch);
  }
  return result;
}

/** With probability `p` a draw of `t`, else no time. */
function fractionOf(t: DiscreteTime, p: number, scratch: SumScratch): DiscreteTime {
  return DiscreteTime.zero().withProbability(t, p, false, scratch);
}
