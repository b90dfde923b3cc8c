/**
 * A service of a request graph (./request-graph.ts) as the graph is given it, and its call edges as the
 * graph's event handlers (./request-events.ts) read them: in typed arrays, callees by index. Its own
 * module so that both read one definition without importing each other.
 */
import type { Rng } from "@clustersim/sim-core";
import type { CallConfig } from "../service-config.js";
import type { LatencyParams } from "./latency-model.js";

/** One service of a request graph: what the per-request model of it alone would take, and its calls. */
export interface GraphService {
  name: string;
  params: LatencyParams;
  /** The service's own stream: its arrivals, service times and the calls its requests draw. */
  rng: Rng;
  serviceTimeS: (rng: Rng) => number;
  /** Its call edges, callees named among the graph's services. */
  calls: readonly CallConfig[];
  /** Called with every response time (validation, tests). */
  onResponse?: (latencyS: number) => void;
}

/** A service's call edges in typed arrays, and which are made one after another and which at once. */
export interface Edges {
  callee: Int32Array;
  perRequest: Float64Array;
  /** An attempt's timeout, seconds (infinite: none). */
  timeoutS: Float64Array;
  retries: Int32Array;
  backoffS: Float64Array;
  /** Edges whose calls are made one after another, in the order configured; then the fan-out's, at once. */
  sequential: Int32Array;
  fanOut: Int32Array;
}

/** Service s's call edges, callees by index. */
export function edgesOf(s: GraphService, index: ReadonlyMap<string, number>): Edges {
  const callee = s.calls.map((c) => {
    const j = index.get(c.service);
    if (j === undefined) throw new RangeError(`service ${s.name} calls "${c.service}", which is not in its graph`);
    return j;
  });
  const at = (parallel: boolean) => s.calls.flatMap((c, k) => ((c.parallel === true) === parallel ? [k] : []));
  return {
    callee: Int32Array.from(callee),
    perRequest: Float64Array.from(s.calls, (c) => c.perRequest),
    timeoutS: Float64Array.from(s.calls, (c) => c.timeoutS ?? Number.POSITIVE_INFINITY),
    retries: Int32Array.from(s.calls, (c) => c.retries ?? 0),
    backoffS: Float64Array.from(s.calls, (c) => c.backoffS ?? 0),
    sequential: Int32Array.from(at(false)),
    fanOut: Int32Array.from(at(true)),
  };
}
