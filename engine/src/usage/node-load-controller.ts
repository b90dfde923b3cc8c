import type { Controller, ControllerContext } from "../controllers/controller.js";
import type { NodeLoadForecast } from "./node-load-forecast.js";
import type { UsageModel } from "./usage-model.js";

/**
 * Samples each node's usage less its allocation into the load-aware strategy's forecast every
 * `sampleS` (koordlet reports NodeMetric every 60 s), from the run's usage model, and tells the
 * scheduler: pods held back by predicted usage are tried again as the prediction moves.
 */
export class NodeLoadController implements Controller {
  readonly name = "node-load";

  constructor(
    private readonly forecast: NodeLoadForecast,
    private readonly usage: UsageModel,
  ) {}

  start(ctx: ControllerContext): void {
    const delta = new Float64Array(ctx.cluster.nodeCount);
    ctx.every(
      this.forecast.o.sampleS,
      () => {
        if (ctx.nowS >= ctx.endS) return;
        this.usage.usageDelta(delta);
        this.forecast.observe(delta);
        if (ctx.waiting > 0) ctx.clusterChanged();
      },
      0,
    );
  }
}
