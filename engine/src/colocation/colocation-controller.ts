import type { Controller, ControllerContext } from "../controllers/controller.js";
import type { UsageModel } from "../usage/usage-model.js";
import type { BatchTier } from "./batch-tier.js";

export interface ColocationControllerOptions {
  /** The batch tier (co-location on); absent: no batch pods on reclaimed room, usage and interference only. */
  tier?: BatchTier;
  /** Where each node's online usage is read (../usage/usage-model.ts). */
  usage: UsageModel;
  /**
   * Online requests on a node slow by 1 + this × the node's CPU usage (a share of its capacity): the
   * interference of everything else running there. An assumption; 0.1 keeps the slowdown under 5%
   * going from 10% to 40% usage, Alibaba's reported impact of co-location (../shared/CALIBRATION.md).
   */
  interferencePerUsage: number;
}

/**
 * Co-location in a run, every second: each node's online CPU usage (read from the usage model),
 * koordlet's suppression of batch pods to what online usage leaves, and the interference slowdown of
 * online requests from the node's total usage. Every update (60 s) the batch tier recomputes batch
 * allocatable and waiting pods are retried.
 */
export class ColocationController implements Controller {
  readonly name = "colocation";
  private ctx!: ControllerContext;
  private online!: Float64Array;
  private usage!: Float64Array;
  private cap!: Float64Array;

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

  private askedMilliS = 0;
  private deniedMilliS = 0;

  /**
   * The share of the CPU batch pods asked for that suppression took from them, second by second: how
   * often online usage rose into the room they were given (the overcommit's cost to batch).
   */
  get batchCpuSuppressedShare(): number {
    return this.askedMilliS > 0 ? this.deniedMilliS / this.askedMilliS : 0;
  }

  /** The slowdown of online requests on `node` now. */
  slowdown = (node: number): number => 1 + this.o.interferencePerUsage * (this.usage[node] / this.cap[node]);

  private measure(): void {
    this.o.usage.online(this.online);
  }

  private tick(): void {
    const now = this.ctx.nowS;
    if (now >= this.ctx.endS) return;
    this.measure();
    const c = this.ctx.cluster;
    const tier = this.o.tier;
    if (tier) {
      const inUse = tier.suppress(this.online, (t, rate) => this.ctx.setRate(t, rate));
      this.askedMilliS += tier.asked;
      this.deniedMilliS += tier.asked - inUse;
    }
    for (let n = 0; n < c.nodeCount; n++) {
      if (!c.isPresent(n) || c.isVirtual(n)) continue;
      this.usage[n] = this.online[n] + (tier ? tier.usedOn(n) : 0);
    }
  }
}
