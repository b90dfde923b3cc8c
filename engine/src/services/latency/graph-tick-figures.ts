/**
 * What a request graph (./request-graph.ts) counts over a tick, per service: its TickFigures (arrivals,
 * drops, failures, within the objective, then served, mean, queued and busy at the tick's end), its
 * responses, the attempts its callers sent it, and per call edge its calls, attempts, timeouts and
 * critical-path seconds. Apart from the event handlers (./request-events.ts), which only tell it what
 * happened.
 */
import { Sample } from "../../metrics/metrics.js";
import { CallCounts } from "../call-attempts.js";
import type { GraphService } from "./graph-service.js";
import { emptyFigures, type TickFigures } from "./latency-model.js";

export class GraphTickFigures {
  /** Per service, where its figures go (the latency model's caller's). */
  private readonly outs: TickFigures[];
  /** Per service: its responses of the tick, and the attempts its callers sent it. */
  readonly responses: Sample[];
  readonly callsIn: Float64Array;
  /** Per caller, per call edge, over the tick: calls made, attempts made, attempts timed out. */
  readonly counts: CallCounts[];
  /**
   * Per caller, per call edge, over the tick: seconds its calls added to their requests' critical paths
   * (a sequential call its whole time, a fan-out's time to the edge whose call ended last), counted when
   * each call (or fan-out) ends.
   */
  readonly critical: Float64Array[];

  constructor(services: readonly GraphService[]) {
    this.outs = services.map(() => emptyFigures());
    this.responses = services.map(() => new Sample());
    this.callsIn = new Float64Array(services.length);
    this.counts = services.map((s) => new CallCounts(s.calls.length));
    this.critical = services.map((s) => new Float64Array(s.calls.length));
  }

  /** Service j's figures go to `out` from the next tick on. */
  writeTo(j: number, out: TickFigures): void {
    this.outs[j] = out;
  }

  /** Service j's tick starts: its counts from nothing. */
  begin(j: number): void {
    const out = this.outs[j];
    out.arrivals = 0;
    out.dropped = 0;
    out.failed = 0;
    out.withinTarget = 0;
    this.responses[j].clear();
    this.counts[j].clear();
    this.critical[j].fill(0);
    this.callsIn[j] = 0;
  }

  /** Service j's tick ends with `queued` waiting and `busy` servers busy on average. */
  finish(j: number, queued: number, busy: number): void {
    const out = this.outs[j];
    out.queued = queued;
    out.busy = busy;
    this.settle(j, out);
  }

  /** Service j's served requests and their mean into `out`, from its responses. */
  settle(j: number, out: TickFigures): void {
    const responses = this.responses[j];
    out.served = responses.count;
    out.expectedServed = out.served;
    out.meanS = responses.mean();
  }

  countArrival(j: number): void {
    this.outs[j].arrivals++;
  }

  countDrop(j: number): void {
    this.outs[j].dropped++;
  }

  /** Service j answered a request after `latency` seconds, failed or not (within `targetS`: within the objective). */
  countAnswer(j: number, latency: number, failed: boolean, targetS: number): void {
    this.responses[j].add(latency);
    if (failed) this.outs[j].failed++;
    else if (latency <= targetS) this.outs[j].withinTarget++;
  }

  /** Caller j made a call on its edge k. */
  countCall(j: number, k: number): void {
    this.counts[j].calls[k]++;
  }

  /** Caller j made an attempt on its edge k. */
  countAttempt(j: number, k: number): void {
    this.counts[j].attempts[k]++;
  }

  /** Service j received an attempt from a caller. */
  countReceived(j: number): void {
    this.callsIn[j]++;
  }

  /** An attempt of caller j on its edge k timed out. */
  countTimeout(j: number, k: number): void {
    this.counts[j].timeouts[k]++;
  }

  /** Caller j's call (or fan-out) on edge k added `seconds` to its request's critical path. */
  countCritical(j: number, k: number, seconds: number): void {
    this.critical[j][k] += seconds;
  }
}
