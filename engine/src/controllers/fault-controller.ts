import { type FailureDomain, type FailureModel, FailureProcess } from "@clustersim/hardware-models";
import type { Controller, ControllerContext } from "./controller.js";

/** Independent failures of a set of nodes (all when absent), drawn from the controller's stream `name`. */
export interface NodeFailures {
  model: FailureModel;
  nodes?: readonly number[];
  stream: string;
}

export interface Outage {
  domain: number;
  atS: number;
  repairS: number;
}

/**
 * Faults as a controller: node failures and repairs (exponential or Weibull) and scheduled outages of
 * failure domains (racks, CXL pools, DPUs), by hardware-models' FailureProcess; a node going down
 * kills its tasks (the run resubmits them), a node coming back takes pods again.
 */
export class FaultController implements Controller {
  readonly name = "faults";

  constructor(
    private readonly domains: readonly FailureDomain[],
    private readonly failures: readonly NodeFailures[],
    private readonly outages: readonly Outage[],
  ) {}

  start(ctx: ControllerContext): void {
    const fp = new FailureProcess(
      ctx.simulation,
      ctx.cluster.nodeCount,
      { onDown: (n) => ctx.setNodeUp(n, false), onUp: (n) => ctx.setNodeUp(n, true) },
      this.domains,
    );
    for (const f of this.failures) fp.startNodeFailures(f.model, ctx.rng(f.stream), f.nodes);
    for (const o of this.outages) fp.scheduleOutage(o);
  }
}
