/**
 * The call graph's part of a services tick, for a service that calls others or is called (outside an
 * exact request graph, ./latency/request-graph.ts): its calls composed from its callees' last figures,
 * what its requests hold their servers for, its calls' failures and accounts (./call-edge-tally.ts),
 * then what it tells its callers (its last end-to-end time and failure rate) and the calls it sends its
 * callees in the same tick. Apart from the services' controller (./services-controller.ts) because it
 * is the part of the tick where services read and write each other's state, callers before callees.
 */
import type { Rng } from "@clustersim/sim-core";
import type { CallEdgeTally } from "./call-edge-tally.js";
import { CallComposer, type CallOutcome } from "./call-graph.js";
import { CallHold } from "./call-hold.js";
import type { DiscreteTime } from "./latency/discrete-time.js";
import type { Hold, LatencyModel, TickFigures } from "./latency/latency-model.js";
import type { ServiceConfig } from "./service-config.js";

export class CallGraphTick {
  /** Per service, its callers' calls this tick: as made (drawn counts), and the mean-value queue's. */
  readonly inbound: Float64Array;
  readonly inboundMean: Float64Array;
  private readonly index: Map<string, number>;
  /** Per service with calls, its calls' composer; per service, 1 when another calls it. */
  private readonly composers: (CallComposer | undefined)[];
  private readonly called: Uint8Array;
  /** Per service, its last end-to-end time and failure rate, for its callers' next tick. */
  private readonly lastEndToEnd: (DiscreteTime | undefined)[];
  private readonly lastFail: Float64Array;
  /**
   * Per service, its last tick's mean rate; per caller and call edge, the attempts a second it sent
   * then, by the mean-value queue (the expected attempts, not those drawn).
   */
  private readonly lastRate: Float64Array;
  private readonly lastSent: Float64Array[];
  /** Per fluid caller, its hold (reused tick to tick). */
  private readonly holds: (CallHold | undefined)[];
  private dtS = 0;

  constructor(
    private readonly services: readonly ServiceConfig[],
    /** The services' latency models by index: the controller's own array, filled as the run starts. */
    private readonly models: readonly LatencyModel[],
    private readonly tally: CallEdgeTally,
    /** Calls are counted from this time on. */
    private readonly warmupS: number,
  ) {
    this.index = new Map(services.map((s, i) => [s.name, i]));
    this.inbound = new Float64Array(services.length);
    this.inboundMean = new Float64Array(services.length);
    this.called = new Uint8Array(services.length);
    this.composers = services.map((s) => {
      if (s.calls.length === 0) return undefined;
      const callee = s.calls.map((c) => this.index.get(c.service)!);
      for (const j of callee) this.called[j] = 1;
      return new CallComposer(s.calls, callee, s.name);
    });
    this.lastEndToEnd = services.map(() => undefined);
    this.lastFail = new Float64Array(services.length);
    this.lastRate = new Float64Array(services.length);
    this.lastSent = services.map((s) => new Float64Array(s.calls.length));
    this.holds = services.map((s, i) => {
      if (s.calls.length === 0 || s.latency === "per-request") return undefined;
      const callee = s.calls.map((c) => this.index.get(c.service)!);
      return new CallHold(s.calls, callee, {
        waitChangeAt: (j, ratePerS) => this.models[j].waitChangeAt?.(ratePerS, this.dtS) ?? 0,
        othersRate: (j) => {
          let own = 0;
          for (let k = 0; k < callee.length; k++) if (callee[k] === j) own += this.lastSent[i][k];
          return Math.max(0, this.lastRate[j] - own);
        },
        lastMeanS: (j) => this.lastEndToEnd[j]?.mean() ?? 0,
      });
    });
  }

  /** A new tick: no service has received calls yet. */
  beginTick(): void {
    this.inbound.fill(0);
    this.inboundMean.fill(0);
  }

  /** Whether service i calls others or is called. */
  inGraph(i: number): boolean {
    return this.services[i].calls.length > 0 || this.called[i] === 1;
  }

  /**
   * Service i's traffic over [now, now + dt) with its calls' time and failures; returns its calls'
   * outcome (undefined without calls), for `passOn` once the tick's OOM kills are known.
   */
  tick(
    i: number,
    now: number,
    dt: number,
    rate: number,
    servers: number,
    slowdown: number,
    arrivals: number | undefined,
    f: TickFigures,
  ): CallOutcome | undefined {
    const composer = this.composers[i];
    const calls = composer?.compose(this.lastEndToEnd, this.lastFail);
    const model = this.models[i];
    this.dtS = dt;
    this.lastRate[i] = rate;
    // The per-request model takes its callers' calls as they were made (a count), not as a rate.
    const external = model.receiveCalls ? rate - this.inboundMean[i] / dt : rate;
    model.receiveCalls?.(this.inbound[i]);
    composer?.drawn.clear();
    model.tick(now, dt, external, servers, f, slowdown, calls && this.holdOf(i, calls), arrivals);
    if (calls) this.afterCalls(i, f, calls, now, dt);
    return calls;
  }

  /** Service i's tick done: its figures for its callers, and its callees' traffic (`calls` as `tick` gave). */
  passOn(i: number, f: TickFigures, calls: CallOutcome | undefined): void {
    const s = this.services[i];
    if (this.called[i]) this.remember(i, f);
    // Each call is its attempts: retries reach the callee as calls of their own (retry amplification).
    const drawn = s.latency === "per-request" ? this.composers[i]?.drawn : undefined;
    s.calls.forEach((c, k) => {
      const j = this.index.get(c.service)!;
      const perCall = calls ? calls.attempts[k] : 1;
      this.inbound[j] += drawn ? drawn.attempts[k] : f.served * c.perRequest * perCall;
      this.inboundMean[j] += f.expectedServed * c.perRequest * perCall;
      this.lastSent[i][k] = (f.expectedServed * c.perRequest * perCall) / this.dtS;
    });
  }

  /**
   * What a caller's requests hold their servers for: the fluid model takes the composed calls' time,
   * and while its requests queue, their mean at the calls it sends this tick (./call-hold.ts);
   * the per-request model in a graph with fluid services draws each call from its callee's recent
   * responses (a graph of per-request services alone is simulated exactly, without this).
   */
  private holdOf(i: number, calls: CallOutcome): Hold {
    const fluid = this.holds[i];
    if (fluid) return fluid.set(calls);
    const composer = this.composers[i]!;
    const drawFrom = (j: number, rng: Rng) =>
      this.models[j].drawRecent?.(rng) ?? this.lastEndToEnd[j]?.sample(rng) ?? 0;
    return {
      mean: () => calls.time.mean(),
      variance: () => calls.time.variance(),
      sample: (rng) => composer.draw(rng, drawFrom, this.lastFail),
      lastFailed: () => composer.lastFailed,
    };
  }

  /**
   * A caller's tick: requests whose calls failed fail (and so miss the objective; the per-request model
   * counted its own, drawn); critical-path sums; attempts, retries and timeouts per call edge.
   */
  private afterCalls(i: number, f: TickFigures, calls: CallOutcome, nowS: number, dtS: number): void {
    const drawn = this.services[i].latency === "per-request" ? this.composers[i]!.drawn : undefined;
    if (!drawn) {
      f.failed = f.served * calls.failProb;
      f.withinTarget *= 1 - calls.failProb;
    }
    if (!(f.served > 0) || nowS < this.warmupS) return;
    this.tally.addServed(i, f);
    this.services[i].calls.forEach((c, k) => {
      // Drawn: as counted; composed: calls made times attempts per call, and the share that timed out.
      const made = drawn ? drawn.calls[k] : f.served * c.perRequest;
      const attempts = drawn ? drawn.attempts[k] : made * calls.attempts[k];
      const timeouts = drawn ? drawn.timeouts[k] : attempts * calls.timeoutShare[k];
      this.tally.addEdge(i, k, f.served * calls.criticalS[k], made, attempts, timeouts);
      if (!drawn) this.tally.addSent(i, k, attempts / dtS, f.queued > f.served, dtS);
    });
  }

  /**
   * A callee's last end-to-end time and failure rate, for its callers' next tick: the tick's, or with
   * the per-request model the share over its recent answers (as its times are its recent responses).
   */
  private remember(i: number, f: TickFigures): void {
    const answered = f.served + f.dropped;
    const recent = this.models[i].recentFailShare?.();
    if (recent !== undefined) this.lastFail[i] = recent;
    else if (answered > 0) this.lastFail[i] = (f.dropped + f.failed) / answered;
    if (f.served > 0) this.lastEndToEnd[i] = this.models[i].lastDistribution();
  }
}
