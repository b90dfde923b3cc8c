import type { Rng } from "@clustersim/sim-core";
import type { CallOutcome } from "./call-graph.js";
import type { DiscreteTime } from "./latency/discrete-time.js";
import type { Hold } from "./latency/latency-model.js";
import type { CallConfig } from "./service-config.js";

/** What a caller's hold reads of its callees, by index. */
export interface CalleeView {
  /** Callee j's change in response time were it to receive `ratePerS` this tick (0: not known). */
  waitChangeAt(j: number, ratePerS: number): number;
  /** The rate callee j receives from others than this caller, requests a second (last tick's). */
  othersRate(j: number): number;
  /** Callee j's last mean end-to-end time, seconds (0: none yet). */
  lastMeanS(j: number): number;
}

/**
 * A fluid caller's hold: its calls composed from its callees' last responses (`time`), and their mean
 * were it to send its callees the calls of `x` requests a second this tick (`meanAt`), which the fluid
 * model takes while the caller's requests queue (./latency/fluid-latency.ts). Each callee's change in
 * response is added to the composed mean: an attempt with a timeout takes no more than it, so the
 * change is that of the response capped there; a sequential edge adds it for each of its attempts; a
 * fan-out adds the largest of its edges', each weighted by its calls per request up to one and its
 * attempts (an approximation: the fan-out's maximum moves by between its edges' smallest and largest
 * change, and an edge called by half the requests is the slowest less often). What is fixed within a
 * tick (each callee's calls per request, the others' rate, each edge's last mean) is read in `set`.
 */
export class CallHold implements Hold {
  time!: DiscreteTime;
  /** The callees, once each, and each call edge's index among them. */
  private readonly callees: number[];
  private readonly calleeOf: Int32Array;
  /** Per callee: the attempts a request sends it, the others' rate and its change at the probe. */
  private readonly perRequest: Float64Array;
  private readonly others: Float64Array;
  private readonly change: Float64Array;
  /** Per call edge: attempts per call, and the callee's last mean (for the timeout). */
  private readonly attempts: Float64Array;
  private readonly lastMean: Float64Array;

  constructor(
    private readonly calls: readonly CallConfig[],
    private readonly callee: readonly number[],
    private readonly view: CalleeView,
  ) {
    this.callees = [...new Set(callee)];
    this.calleeOf = Int32Array.from(callee, (j) => this.callees.indexOf(j));
    this.perRequest = new Float64Array(this.callees.length);
    this.others = new Float64Array(this.callees.length);
    this.change = new Float64Array(this.callees.length);
    this.attempts = new Float64Array(calls.length);
    this.lastMean = new Float64Array(calls.length);
  }

  /** This tick's calls, as composed, and what meanAt reads of the callees for the tick. */
  set(outcome: CallOutcome): this {
    this.time = outcome.time;
    this.attempts.set(outcome.attempts);
    this.perRequest.fill(0);
    for (let k = 0; k < this.calls.length; k++) {
      this.perRequest[this.calleeOf[k]] += this.calls[k].perRequest * outcome.attempts[k];
      this.lastMean[k] = this.view.lastMeanS(this.callee[k]);
    }
    for (let m = 0; m < this.callees.length; m++) this.others[m] = this.view.othersRate(this.callees[m]);
    return this;
  }

  mean(): number {
    return this.time.mean();
  }

  variance(): number {
    return this.time.variance();
  }

  sample(rng: Rng): number {
    return this.time.sample(rng);
  }

  meanAt(throughputPerS: number): number {
    const { calls, callees, change, view } = this;
    for (let m = 0; m < callees.length; m++) {
      change[m] = view.waitChangeAt(callees[m], this.others[m] + throughputPerS * this.perRequest[m]);
    }
    let sequential = 0;
    let parallel = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < calls.length; k++) {
      const c = calls[k];
      let d = change[this.calleeOf[k]];
      if (c.timeoutS !== undefined) {
        const last = this.lastMean[k];
        d = Math.min(last + d, c.timeoutS) - Math.min(last, c.timeoutS);
      }
      if (c.parallel) parallel = Math.max(parallel, Math.min(1, c.perRequest) * this.attempts[k] * d);
      else sequential += c.perRequest * this.attempts[k] * d;
    }
    const added = sequential + (parallel > Number.NEGATIVE_INFINITY ? parallel : 0);
    return Math.max(0, this.time.mean() + added);
  }
}
