import type { DiscreteTime } from "./discrete-time.js";
import type { LatencyModel, TickFigures } from "./latency-model.js";
import { SketchRecord } from "./latency-record.js";
import type { RequestGraph } from "./request-graph.js";

/**
 * One service of a request graph (./request-graph.ts) as a latency model: its `tick` gives the graph
 * the service's inputs for the tick, and the graph's `run`, once every member has them, simulates the
 * tick of all of them together and writes each one's figures. Quantiles and records are of the
 * requests answered in the tick.
 */
export class GraphMember implements LatencyModel {
  constructor(
    readonly graph: RequestGraph,
    /** The service's index in its graph. */
    readonly index: number,
  ) {}

  /** The tick's external rate, servers and slowdown (calls from callers arrive as the graph makes them). */
  tick(_t0S: number, _dtS: number, ratePerS: number, servers: number, out: TickFigures, slowdown = 1): void {
    this.graph.setInputs(this.index, ratePerS, servers, out, slowdown);
  }

  lastQuantile(q: number): number {
    return this.graph.responsesOf(this.index).quantile(q);
  }

  /** None: nothing composes a member's responses (its callers are members, whose calls meet its queue). */
  lastDistribution(): DiscreteTime | undefined {
    return undefined;
  }

  loseAll(out: TickFigures): void {
    this.graph.loseAll(this.index, out);
  }

  newRecord(): SketchRecord {
    return new SketchRecord();
  }

  feed(record: SketchRecord): void {
    this.graph.responsesOf(this.index).forEach((x) => record.add(x));
  }
}
