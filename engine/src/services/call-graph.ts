import type { Rng } from "@clustersim/sim-core";
import { DiscreteTime, SumScratch } from "./latency/discrete-time.js";
import type { ServiceConfig } from "./service-config.js";

/** What a caller's requests meet downstream in a tick: the time their calls take, and the chance one fails. */
export interface CallOutcome {
  /** Time a request waits for its calls, holding its server (sequential calls add, parallel ones take the longest). */
  time: DiscreteTime;
  /** The chance that at least one of its calls fails (a callee's drop, or a failure further down). */
  failProb: number;
  /** Per call edge, the mean time it adds to the request's critical path, seconds. */
  criticalS: Float64Array;
}

/**
 * A service's calls composed from its callees' last responses (the end-to-end times of their own
 * requests, calls included) and failure rates. Calls are independent of one another and of the
 * caller's own wait and service (an assumption: a callee's response is drawn from its distribution
 * over the tick, not from the queue the request met). `perRequest` calls to one callee: sequential
 * ones one after another (a sum), parallel ones at once (the longest); a fractional count makes its
 * last call with that probability. All parallel edges form one fan-out, made after the sequential calls.
 */
export class CallComposer {
  private readonly scratch = new SumScratch();
  /** The last outcome and what it was made of (callees in steady state give the same objects). */
  private last: CallOutcome | undefined;
  private readonly lastInputs: (DiscreteTime | undefined)[];
  private readonly lastFails: Float64Array;

  constructor(
    private readonly calls: ServiceConfig["calls"],
    /** Callee index of each call. */
    private readonly callee: readonly number[],
  ) {
    this.lastInputs = callee.map(() => undefined);
    this.lastFails = new Float64Array(callee.length).fill(Number.NaN);
  }

  /** One call's time: a recent response of its callee (`draw`), for each call a request makes. */
  draw(rng: Rng, drawFrom: (callee: number, rng: Rng) => number): number {
    let sequential = 0;
    let parallel = 0;
    this.calls.forEach((c, k) => {
      const n = Math.floor(c.perRequest) + (rng.next() < c.perRequest - Math.floor(c.perRequest) ? 1 : 0);
      for (let m = 0; m < n; m++) {
        const t = drawFrom(this.callee[k], rng);
        if (c.parallel) parallel = Math.max(parallel, t);
        else sequential += t;
      }
    });
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
    const criticalS = new Float64Array(this.calls.length);
    this.calls.forEach((c, k) => {
      const j = this.callee[k];
      survive *= (1 - lastFail[j]) ** c.perRequest;
      const t = lastTime[j];
      if (!t) return;
      const n = c.perRequest;
      const max = c.parallel === true;
      let edge: DiscreteTime | undefined;
      for (let m = 1; m <= Math.floor(n); m++) edge = edge ? edge.with(t, max, this.scratch) : t;
      const frac = n - Math.floor(n);
      if (frac > 0) edge = edge ? edge.withProbability(t, frac, max, this.scratch) : fractionOf(t, frac, this.scratch);
      if (!edge) return;
      if (max) parallel = parallel ? parallel.with(edge, true, this.scratch) : edge;
      else {
        sequential = sequential ? sequential.with(edge, false, this.scratch) : edge;
        criticalS[k] = n * t.mean();
      }
    });
    if (parallel) this.attributeParallel(parallel, lastTime, criticalS);
    const time =
      sequential && parallel
        ? sequential.with(parallel, false, this.scratch)
        : (sequential ?? parallel ?? DiscreteTime.zero());
    return { time, failProb: 1 - survive, criticalS };
  }

  /**
   * The fan-out's mean time, shared among its edges by the chance each is the slowest: at each point x of
   * an edge's calls, the others' calls all at most x (independent; a fractional count as an exponent).
   */
  private attributeParallel(group: DiscreteTime, lastTime: readonly (DiscreteTime | undefined)[], out: Float64Array) {
    const slowest = new Float64Array(this.calls.length);
    let total = 0;
    this.calls.forEach((c, k) => {
      const t = lastTime[this.callee[k]];
      if (!c.parallel || !t) return;
      let p = 0;
      t.forEachPoint((x, share) => {
        let others = c.perRequest * t.cdf(x) ** Math.max(0, c.perRequest - 1);
        this.calls.forEach((d, m) => {
          const u = lastTime[this.callee[m]];
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

/** With probability `p` a draw of `t`, else no time. */
function fractionOf(t: DiscreteTime, p: number, scratch: SumScratch): DiscreteTime {
  return DiscreteTime.zero().withProbability(t, p, false, scratch);
}
