import type { Sample } from "../../metrics/metrics.js";
import type { CallCounts } from "../call-attempts.js";
import type { GraphService } from "./graph-service.js";
import { GraphTickFigures } from "./graph-tick-figures.js";
import type { TickFigures } from "./latency-model.js";
import { RequestEvents } from "./request-events.js";
import { ServerPools } from "./server-pools.js";

/**
 * The per-request services of one connected call graph, simulated together and exactly: one event
 * loop over each tick for all of them. A request arrives at a service (from outside, as a Poisson
 * stream at the tick's rate, or as a caller's call at the moment it is made), waits first come first
 * served for a free server (replicas × concurrency; past the service's timeout it leaves unserved, and
 * a caller waiting for it sees a failed attempt then), serves its own service time (a draw of the
 * service's distribution × the tick's slowdown), then makes its calls: each sequential edge's calls one
 * after another, in the order configured, then every parallel edge's at once (call-graph.ts's order;
 * a fractional `perRequest` makes the last call with that chance). Each call is a request of its own
 * in the callee's queue. The caller holds its server until all its calls have answered or failed; an
 * attempt that exceeds its call's timeout fails then (the callee still serves it: no cancellation); a
 * failed attempt (timeout, drop, or a failed answer) is retried after the back-off while retries
 * remain; a request one of whose calls failed on every attempt is answered as failed. Its response
 * time is its wait, own service and calls' time. Network time is taken as none (an assumption).
 *
 * A request is counted served when it is answered (its response time is known only then; a service
 * without calls is answered when its service ends), so arrivals = served + dropped + queued + in
 * service (holding a server) over any span of ticks. Requests in flight at a tick's end go on in the
 * next. Servers added at a tick's start are idle; servers removed are idle ones first, then those that
 * free soonest (their request completes: graceful termination), as in ./per-request-latency.ts.
 *
 * Events are ordered by time, ties by the order they were scheduled (sim-core's EventQueue), and every
 * draw comes from the stream of the service it concerns, so a run is reproducible and a service's
 * draws stay its own. Requests are records in typed arrays (./request-pool.ts): nothing is allocated
 * per request or event.
 *
 * Its parts: the services as given (./graph-service.ts), the event loop and handlers
 * (./request-events.ts), the servers (./server-pools.ts) and the tick's figures
 * (./graph-tick-figures.ts); this class sets each tick up and closes it.
 */
export class RequestGraph {
  private readonly n: number;
  private readonly services: readonly GraphService[];
  private readonly servers: ServerPools;
  private readonly figures: GraphTickFigures;
  private readonly events: RequestEvents;
  /** The tick's inputs per service: external rate, servers ready, slowdown of service times. */
  private readonly rate: Float64Array;
  private readonly serversReady: Int32Array;
  private readonly slowdown: Float64Array;
  /** Per caller, per call edge, over the last tick: calls made, attempts made, attempts timed out. */
  readonly counts: CallCounts[];
  /**
   * Per caller, per call edge, over the last tick: seconds its calls added to their requests' critical
   * paths (a sequential call its whole time, a fan-out's time to the edge whose call ended last),
   * counted when each call (or fan-out) ends.
   */
  readonly critical: Float64Array[];

  constructor(services: readonly GraphService[]) {
    this.services = services;
    const n = services.length;
    this.n = n;
    this.rate = new Float64Array(n);
    this.serversReady = new Int32Array(n);
    this.slowdown = new Float64Array(n).fill(1);
    this.servers = new ServerPools(n);
    this.figures = new GraphTickFigures(services);
    this.events = new RequestEvents(services, this.servers, this.figures, this.rate, this.slowdown);
    this.counts = this.figures.counts;
    this.critical = this.figures.critical;
  }

  /** Service j's inputs for the next tick: its external rate, ready servers, slowdown, and where its figures go. */
  setInputs(j: number, ratePerS: number, servers: number, out: TickFigures, slowdown = 1): void {
    if (!(ratePerS >= 0 && Number.isFinite(ratePerS)) || !(servers >= 0) || !(slowdown > 0)) {
      const name = this.services[j].name;
      throw new RangeError(`service ${name}: a rate ${ratePerS}/s on ${servers} servers slowed ${slowdown}×`);
    }
    this.rate[j] = ratePerS;
    this.serversReady[j] = Math.floor(servers);
    this.slowdown[j] = slowdown;
    this.figures.writeTo(j, out);
  }

  /** The tick [t0S, t0S + dtS) of every service, with the inputs last set. */
  run(t0S: number, dtS: number): void {
    const t1 = t0S + dtS;
    // The tick's figures start from nothing; its servers are resized; its first external arrival is drawn.
    for (let j = 0; j < this.n; j++) {
      this.figures.begin(j);
      this.servers.beginTick(j, t0S, this.serversReady[j]);
      this.events.firstArrival(j, t0S, t1);
    }
    this.events.run(t0S, t1);
    for (let j = 0; j < this.n; j++) {
      this.figures.finish(j, this.events.queues[j].count, this.servers.endTick(j, t1, dtS));
    }
  }

  /**
   * Every replica of service j was lost after the tick (an OOM kill, ./replica-memory.ts): its waiting
   * requests leave unserved (dropped), those holding a server are answered as failed now (served and
   * failed: they are counted when answered, so not within the objective), and its servers go (the next
   * tick adds the ready ones). Callers waiting for any of them see a failed attempt at the next tick's
   * start (their own figures for this tick are already counted). Calls those requests made are still
   * served by their callees (no cancellation); their answers reach no one.
   */
  loseAll(j: number, out: TickFigures): void {
    this.events.loseAll(j, out);
    this.figures.settle(j, out);
    out.queued = 0;
    this.servers.clear(j);
  }

  /** Service j's responses of the last tick. */
  responsesOf(j: number): Sample {
    return this.figures.responses[j];
  }

  /** Requests holding one of service j's servers now (in their own service or waiting for calls). */
  inService(j: number): number {
    return this.servers.inService(j);
  }

  /** Attempts service j received from its callers in the last tick. */
  callsReceived(j: number): number {
    return this.figures.callsIn[j];
  }
}
