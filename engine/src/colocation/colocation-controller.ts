import type { Controller, ControllerContext } from "../controllers/controller.js";
import type { ServicesController } from "../services/services-controller.js";
import type { BatchTier } from "./batch-tier.js";

export interface ColocationControllerOptions {
  /** The batch tier (co-location on); absent: no batch pods on reclaimed room, usage and interference only. */
  tier?: BatchTier;
  services?: ServicesController;
  /**
   * Online requests on a node slow by 1 + this × the node's CPU usage (a share of its capacity): the
   * interference of everything else running there. An assumption; 0.1 keeps the slowdown under 5%
   * going from 10% to 40% usage, Alibaba's reported impact of co-location (../shared/CALIBRATION.md).
   */
  interferencePerUsage: number;
}

/**
 * Co-location in a run, every second: each node's online CPU usage (allocated requests, with service
 * replicas at their traffic's usage instead), koordlet's suppression of batch pods to what online
 * usage leaves, the interference slowdown of online requests from the node's total usage, and the
 * cluster's CPU in use. Every update (60 s) the batch tier recomputes batch allocatable and waiting
 * pods are retried.
 */
export class ColocationController implements Controller {
  readonly name = "colocation";
  private ctx!: ControllerContext;
  private online!: Float64Array;
  private usage!: Float64Array;
  private cap!: Float64Array;
  private usedCoreS = 0;
  private capacityCoreS = 0;
  private batchCoreS = 0;

  constructor(private readonly o: ColocationControllerOptions) {}

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    const n = ctx.cluster.nodeCount;
    this.online = new Float64Array(n);
    this.usage = new Float64Array(n);
    this.cap = new Float64Array(n);
    for (let i = 0; i < n; i++) this.cap[i] = ctx.cluster.allocatableCpuMilli(i);
    ctx.every(1, () => this.tick(), 0);
    const tier = this.o.tier;
    if (tier) {
      ctx.every(
        tier.o.updateS,
        () => {
          this.measure();
          tier.update(this.online);
          ctx.clusterChanged();
        },
        0,
      );
    }
  }

  /** The slowdown of online requests on `node` now. */
  slowdown = (node: number): number => 1 + this.o.interferencePerUsage * (this.usage[node] / this.cap[node]);

  private measure(): void {
    const c = this.ctx.cluster;
    for (let n = 0; n < c.nodeCount; n++) {
      this.online[n] = c.isPresent(n) && !c.isVirtual(n) ? c.allocatableCpuMilli(n) - c.freeCpuMilli(n) : 0;
    }
    this.o.services?.addUsageDelta(this.online);
  }

  private tick(): void {
    const now = this.ctx.nowS;
    if (now >= this.ctx.endS) return;
    const dt = Math.min(1, this.ctx.endS - now);
    this.measure();
    const c = this.ctx.cluster;
    const tier = this.o.tier;
    const batch = tier ? tier.suppress(this.online, (t, rate) => this.ctx.setRate(t, rate)) : 0;
    let online = 0;
    for (let n = 0; n < c.nodeCount; n++) {
      if (!c.isPresent(n) || c.isVirtual(n)) continue;
      this.usage[n] = this.online[n] + (tier ? tier.usedOn(n) : 0);
      online += this.online[n];
    }
    this.usedCoreS += ((online + batch) / 1000) * dt;
    this.batchCoreS += (batch / 1000) * dt;
    this.capacityCoreS += (c.totals(-1).capacityCpuMilli / 1000) * dt;
  }

  /** The cluster's CPU in use over the run (online usage and batch pods at their suppressed rate), a share of capacity. */
  cpuUsedFraction(): number {
    return this.capacityCoreS > 0 ? this.usedCoreS / this.capacityCoreS : 0;
  }

  /** CPU used by batch pods on reclaimed room, core-hours. */
  batchCoreHours(): number {
    return this.batchCoreS / 3600;
  }
}
