import type { ClusterState } from "@clustersim/hardware-models";
import type { RunListener } from "../bus/run-events.js";
import type { BatchTier } from "../colocation/batch-tier.js";
import type { ServicesController } from "../services/services-controller.js";

/** What the usage model reads: the services (their replicas' usage) and the co-located batch tier. */
export interface UsageSources {
  services?: ServicesController;
  tier?: BatchTier;
}

/**
 * The one owner of what each node's CPU is doing where it differs from what its pods request; every
 * reader (co-location's suppression and interference, energy, the replay, the summary) asks it.
 * - A node's online usage: what its pods hold, with each placed service replica at its traffic's usage
 *   instead of its request (ready replicas share their service's usage; starting ones use none). Other
 *   pods use what they request: an assumption until tasks carry a usage.
 * - Its batch usage: co-located batch pods at their current (suppressed) rate, on reclaimed room.
 * - At every run sample (outputs.timeseriesInterval) it reads each node's usage less its allocation
 *   (`delta`, what energy and the replay read) and the cluster's CPU in use: each present, non-virtual
 *   node's usage, at most its allocatable CPU (a node cannot run more than it has). Both are held until
 *   the next sample: `cpuUsedFraction`, the summary's one definition, integrates them at that
 *   resolution, as energy does.
 */
export class UsageModel implements RunListener {
  /** Each node's usage less its allocation at the last sample, millicores. */
  readonly delta: Float64Array;
  private lastS = 0;
  private usedMilli = 0;
  private capacityMilli = 0;
  private batchMilli = 0;
  private usedCoreS = 0;
  private capacityCoreS = 0;
  private batchCoreS = 0;

  constructor(
    private readonly cluster: ClusterState,
    private readonly o: UsageSources,
  ) {
    this.delta = new Float64Array(cluster.nodeCount);
  }

  /** Each node's online usage now, millicores, into `out` (0 for nodes absent or virtual). */
  online(out: Float64Array): void {
    const c = this.cluster;
    for (let n = 0; n < c.nodeCount; n++) {
      out[n] = c.isPresent(n) && !c.isVirtual(n) ? c.allocatableCpuMilli(n) - c.freeCpuMilli(n) : 0;
    }
    this.o.services?.addUsageDelta(out);
  }

  /**
   * Each node's usage less its allocation now, millicores, into `out`: service replicas' usage less
   * their requests, plus the batch tier's pods (which take no allocatable).
   */
  usageDelta(out: Float64Array): void {
    out.fill(0);
    this.o.services?.addUsageDelta(out);
    const tier = this.o.tier;
    if (tier) for (let n = 0; n < out.length; n++) out[n] += tier.usedOn(n);
  }

  sample(nowS: number): void {
    this.advance(nowS);
    const c = this.cluster;
    const delta = this.delta;
    const tier = this.o.tier;
    this.usageDelta(delta);
    let used = 0;
    let batch = 0;
    for (let n = 0; n < c.nodeCount; n++) {
      if (!c.isPresent(n) || c.isVirtual(n)) continue;
      const cap = c.allocatableCpuMilli(n);
      used += Math.min(Math.max(cap - c.freeCpuMilli(n) + delta[n], 0), cap);
      if (tier) batch += tier.usedOn(n);
    }
    this.usedMilli = used;
    this.batchMilli = batch;
    this.capacityMilli = c.totals(-1).capacityCpuMilli;
  }

  /** Integrate the held figures up to `nowS`. */
  private advance(nowS: number): void {
    const dt = nowS - this.lastS;
    if (!(dt > 0)) return;
    this.usedCoreS += (this.usedMilli / 1000) * dt;
    this.batchCoreS += (this.batchMilli / 1000) * dt;
    this.capacityCoreS += (this.capacityMilli / 1000) * dt;
    this.lastS = nowS;
  }

  /** The cluster's CPU in use over the run until `endS`, a share of its capacity (never above 1). */
  cpuUsedFraction(endS: number): number {
    this.advance(endS);
    return this.capacityCoreS > 0 ? this.usedCoreS / this.capacityCoreS : 0;
  }

  /** CPU used by batch pods on reclaimed room until `endS`, core-hours. */
  batchCoreHours(endS: number): number {
    this.advance(endS);
    return this.batchCoreS / 3600;
  }
}
