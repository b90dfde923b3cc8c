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
 * failure domains, by hardware-models' FailureProcess. A rack's outage takes its nodes down; a DPU's
 * takes its node's network, so the node is unreachable and down too; either kills the node's tasks (the
 * run resubmits them), and a node coming back takes pods again. A CXL pool's outage leaves its nodes up
 * but its memory unusable: only the tasks holding memory in it are killed, and nothing spills into it
 * until it is repaired.
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
    // Pools are numbered in the order of their domains.
    const poolOf = new Map<number, number>();
    this.domains.forEach((d, i) => {
      if (d.kind === "cxl-pool") poolOf.set(i, poolOf.size);
    });
    for (const o of this.outages) {
      const pool = poolOf.get(o.domain);
      if (pool === undefined) fp.scheduleOutage(o);
      else {
        ctx.at(o.atS, () => ctx.setPoolUp(pool, false));
        ctx.at(o.atS + o.repairS, () => ctx.setPoolUp(pool, true));
      }
    }
  }
}
