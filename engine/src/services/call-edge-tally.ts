/**
 * The call edges' accounts over a run, after the warm-up: per caller, its requests served and their
 * end-to-end time; per call edge, the seconds its calls add to their requests' critical paths, the
 * attempts made, retried and timed out; and the summary figures drawn from them. Apart from the tick
 * that counts into it (./call-graph-tick.ts, and the exact request graphs' counts through
 * ./services-controller.ts) because it only adds up and reports.
 */
import type { GraphMember } from "./latency/graph-member.js";
import type { TickFigures } from "./latency/latency-model.js";
import type { ServiceConfig } from "./service-config.js";

export class CallEdgeTally {
  /** Per service with calls, per call edge: Σ served × critical-path seconds, and Σ served × end-to-end mean. */
  private readonly criticalSum: Float64Array[];
  private readonly endToEndSum: Float64Array;
  /** Per service, requests served; per call edge, attempts made, retried and timed out. */
  private readonly callServed: Float64Array;
  private readonly attemptSum: Float64Array[];
  private readonly retrySum: Float64Array[];
  private readonly timeoutSum: Float64Array[];
  /**
   * Per call edge of a fluid caller: the calls per second it sent last tick, the direction they last
   * last moved by more than half (−1, 0, 1), and the seconds it swung (`addSent`).
   */
  private readonly lastSentPerS: Float64Array[];
  private readonly lastMove: Int8Array[];
  private readonly swingSum: Float64Array[];

  constructor(private readonly services: readonly ServiceConfig[]) {
    this.criticalSum = services.map((s) => new Float64Array(s.calls.length));
    this.endToEndSum = new Float64Array(services.length);
    this.callServed = new Float64Array(services.length);
    this.attemptSum = services.map((s) => new Float64Array(s.calls.length));
    this.retrySum = services.map((s) => new Float64Array(s.calls.length));
    this.timeoutSum = services.map((s) => new Float64Array(s.calls.length));
    this.lastSentPerS = services.map((s) => new Float64Array(s.calls.length));
    this.lastMove = services.map((s) => new Int8Array(s.calls.length));
    this.swingSum = services.map((s) => new Float64Array(s.calls.length));
  }

  /**
   * A fluid caller's calls on edge k over a tick of `dtS`, `sentPerS` a second, while it had more
   * requests waiting than it served in the tick (`backlogged`). The tick counts as a swing when the
   * calls moved by more than half of the larger of this tick's and the last, against the direction of
   * the last such move: a backlogged caller and a callee near its capacity trading places tick by tick,
   * which the fluid model's coupling of the two (./call-hold.ts) is there to prevent: a guard that it did.
   */
  addSent(i: number, k: number, sentPerS: number, backlogged: boolean, dtS: number): void {
    const last = this.lastSentPerS[i][k];
    const change = sentPerS - last;
    this.lastSentPerS[i][k] = sentPerS;
    if (!(Math.abs(change) > 0.5 * Math.max(sentPerS, last))) return;
    const move = change > 0 ? 1 : -1;
    if (backlogged && move === -this.lastMove[i][k]) this.swingSum[i][k] += dtS;
    this.lastMove[i][k] = move;
  }

  /** A caller's tick: its requests served and their end-to-end time. */
  addServed(i: number, f: TickFigures): void {
    if (!(f.served > 0)) return;
    this.endToEndSum[i] += f.served * f.meanS;
    this.callServed[i] += f.served;
  }

  /** Call edge k of service i over a tick: critical-path seconds, calls, attempts, timeouts. */
  addEdge(i: number, k: number, criticalS: number, made: number, attempts: number, timeouts: number): void {
    this.criticalSum[i][k] += criticalS;
    this.attemptSum[i][k] += attempts;
    this.retrySum[i][k] += attempts - made;
    this.timeoutSum[i][k] += timeouts;
  }

  /** A caller's tick in an exact request graph: its calls as the graph counted them. */
  addGraphTick(i: number, member: GraphMember, f: TickFigures): void {
    this.addServed(i, f);
    const counts = member.graph.counts[member.index];
    const critical = member.graph.critical[member.index];
    for (let k = 0; k < this.services[i].calls.length; k++) {
      this.addEdge(i, k, critical[k], counts.calls[k], counts.attempts[k], counts.timeouts[k]);
    }
  }

  /** Per call edge of service i: the share of its end-to-end time spent in that callee. */
  criticalPathShares(i: number): Record<string, number> {
    const out: Record<string, number> = {};
    this.services[i].calls.forEach((c, k) => {
      const total = this.endToEndSum[i];
      out[`criticalPathShare_${c.service}`] = total > 0 ? this.criticalSum[i][k] / total : Number.NaN;
    });
    return out;
  }

  /**
   * Per call edge of service i: `callRetriesPerRequest_<callee>`, the retried calls (attempts after a
   * call's first) per request the caller served; `callTimeoutShare_<callee>`, the share of attempts
   * that timed out; `callSwingS_<callee>`, the seconds its calls swung (`addSent`; 0 for a caller
   * simulated per request).
   */
  callFigures(i: number): Record<string, number> {
    const out: Record<string, number> = {};
    const served = this.callServed[i];
    this.services[i].calls.forEach((c, k) => {
      const attempts = this.attemptSum[i][k];
      out[`callRetriesPerRequest_${c.service}`] = served > 0 ? this.retrySum[i][k] / served : Number.NaN;
      out[`callTimeoutShare_${c.service}`] = attempts > 0 ? this.timeoutSum[i][k] / attempts : Number.NaN;
      out[`callSwingS_${c.service}`] = this.swingSum[i][k];
    });
    return out;
  }

  /**
   * Over every call edge (undefined without a call graph): retried calls, attempts that timed out, and
   * the seconds of swinging (`addSent`) on the edge that swung longest.
   */
  totals(): { retries: number; timeouts: number; swingS: number } | undefined {
    if (this.services.every((s) => s.calls.length === 0)) return undefined;
    let retries = 0;
    let timeouts = 0;
    let swingS = 0;
    this.services.forEach((_, i) => {
      for (const x of this.retrySum[i]) retries += x;
      for (const x of this.timeoutSum[i]) timeouts += x;
      for (const x of this.swingSum[i]) swingS = Math.max(swingS, x);
    });
    return { retries, timeouts, swingS };
  }
}
