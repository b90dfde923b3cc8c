import { DiscreteTime } from "./discrete-time.js";
import type { Hold, LatencyModel, TickFigures } from "./latency-model.js";
import { SketchRecord } from "./latency-record.js";

/**
 * The fluid model of a service that calls others: the inner model queues requests for the time they
 * hold a server (their own service, then their calls: `hold`) and gives its own response times; a
 * request's end-to-end time is that response plus its calls' time, independent. The tick's figures,
 * quantiles and records are end-to-end. Records are DDSketches fed each tick's distribution, each
 * stratum weighted by its share of the requests served.
 */
export class CallingLatency implements LatencyModel {
  private endToEnd: DiscreteTime | undefined;
  private served = 0;
  /** What the last end-to-end distribution was made of (a steady tick's are the same objects). */
  private madeOf: [DiscreteTime | undefined, DiscreteTime | undefined] = [undefined, undefined];

  constructor(
    private readonly inner: LatencyModel,
    private readonly targetS: number,
  ) {}

  tick(
    t0S: number,
    dtS: number,
    ratePerS: number,
    servers: number,
    out: TickFigures,
    slowdown = 1,
    hold?: Hold,
    arrivals?: number,
  ): void {
    this.inner.tick(t0S, dtS, ratePerS, servers, out, slowdown, hold, arrivals);
    const own = out.served > 0 ? this.inner.lastDistribution() : undefined;
    this.served = out.served;
    // A composed hold carries its distribution; a distribution may stand as its own hold.
    const calls = hold?.time ?? (hold instanceof DiscreteTime ? hold : undefined);
    if (own !== this.madeOf[0] || calls !== this.madeOf[1]) {
      this.endToEnd = own && calls ? own.with(calls) : own;
      this.madeOf = [own, calls];
    }
    if (!this.endToEnd || !calls) return;
    out.meanS += calls.mean();
    out.withinTarget = out.served * this.endToEnd.cdf(this.targetS);
  }

  waitChangeAt(ratePerS: number, dtS: number): number {
    return this.inner.waitChangeAt?.(ratePerS, dtS) ?? 0;
  }

  loseAll(out: TickFigures): void {
    this.inner.loseAll(out);
  }

  lastQuantile(q: number): number {
    return this.endToEnd ? this.endToEnd.quantile(q) : Number.NaN;
  }

  lastDistribution(): DiscreteTime | undefined {
    return this.endToEnd;
  }

  newRecord(): SketchRecord {
    return new SketchRecord();
  }

  feed(record: SketchRecord): void {
    const served = this.served;
    this.endToEnd?.forEachSlice(4, (t, share) => record.add(t, share * served));
  }
}
