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
  /** Callee j's last mean end-to-end time, seconds (NaN: none yet). */
  lastMeanS(j: number): number;
}

/**
 * A fluid caller's hold: its calls composed from its callees' last responses (`time`), and their mean
 * were it to send its callees the calls of `x` requests a second this tick (`meanAt`), which the fluid
 * model takes while the caller's requests queue (./latency/fluid-latency.ts). The callees' change is
 * added to the composed mean: each attempt of a sequential call adds its callee's, a fan-out the
 * largest of its edges' (an approximation: the fan-out's maximum moves by between the smallest and
 * the largest). An attempt with a timeout takes no more than it.
 */
export class CallHold implements Hold {
  time!: DiscreteTime;
  private outcome!: CallOutcome;
  /** Per callee (by index in `callees`), the attempts a request sends it; reused per `meanAt`. */
  private readonly callees: number[];
  private readonly perRequest: Float64Array;
  private readonly change: Float64Array;

  constructor(
    private readonly calls: readonly CallConfig[],
    private readonly callee: readonly number[],
    private readonly view: CalleeView,
  ) {
    this.callees = [...new Set(callee)];
    this.perRequest = new Float64Array(this.callees.length);
    this.change = new Float64Array(this.callees.length);
  }

  /** This tick's calls, as composed. */
  set(outcome: CallOutcome): this {
    this.outcome = outcome;
    this.time = outcome.time;
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
    const { calls, callee, callees, perRequest, change, view } = this;
    const attempts = this.outcome.attempts;
    perRequest.fill(0);
    for (let k = 0; k < calls.length; k++) perRequest[callees.indexOf(callee[k])] += calls[k].perRequest * attempts[k];
    for (let m = 0; m < callees.length; m++) {
      const j = callees[m];
      change[m] = view.waitChangeAt(j, view.othersRate(j) + throughputPerS * perRequest[m]);
    }
    let sequential = 0;
    let parallel = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < calls.length; k++) {
      const c = calls[k];
      const j = callee[k];
      let d = change[callees.indexOf(j)];
      if (c.timeoutS !== undefined) d = Math.min(d, Math.max(0, c.timeoutS - view.lastMeanS(j)));
      if (c.parallel) parallel = Math.max(parallel, d);
      else sequential += c.perRequest * attempts[k] * d;
    }
    const added = sequential + (parallel > Number.NEGATIVE_INFINITY ? parallel : 0);
    return Math.max(0, this.time.mean() + added);
  }
}
