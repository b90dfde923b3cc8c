import type { Controller, ControllerContext } from "../controllers/controller.js";
import type { NodeLoadForecast, NodeLoadSources } from "./node-load-forecast.js";
import type { UsageModel } from "./usage-model.js";

/**
 * Samples the services' usage into the load-aware strategy's forecast every `sampleS` (koordlet reports
 * NodeMetric every 60 s), with each node's usage less its allocation from the run's usage model to
 * settle the placements it watches, and tells the scheduler: pods held back by predicted usage are
 * tried again as the prediction moves.
 */
export class NodeLoadController implements Controller {
  readonly name = "node-load";

  constructor(
    private readonly forecast: NodeLoadForecast,
    private readonly usage: UsageModel,
    private readonly sources: NodeLoadSources,
  ) {}

  start(ctx: ControllerContext): void {
    this.forecast.start(this.sources, () => ctx.nowS);
    const delta = new Float64Array(ctx.cluster.nodeCount);
    ctx.every(
      this.forecast.o.sampleS,
      () => {
        if (ctx.nowS >= ctx.endS) return;
        this.usage.usageDelta(delta);
        this.forecast.observe(ctx.nowS, delta);
        if (ctx.waiting > 0) ctx.clusterChanged();
      },
      0,
    );
  }
}
