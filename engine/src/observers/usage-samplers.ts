import type { ClusterState } from "@clustersim/hardware-models";
import type { ReplayWriter } from "@clustersim/replay";
import type { RunListener } from "../bus/run-events.js";
import type { HardwareEffects } from "../effects/hardware-effects.js";
import type { ServicesController } from "../services/services-controller.js";
import type { UsageModel } from "../usage/usage-model.js";
import { round6 } from "./csv.js";
import type { GroupEconomics, RunMetrics } from "./run-metrics.js";

/**
 * Samplers of what the nodes use where it differs from what they hold, as the usage model read it at
 * the same run sample (../usage/usage-model.ts: a listener before these). Each holds its reading until
 * the next sample (outputs.timeseriesInterval).
 */

/**
 * Tell the metrics how the nodes' CPU usage differs from their allocation, per node group, so that
 * power follows usage; energy integrates it at the sample's resolution. Each node's utilisation stays
 * within 0 and 1 (or its allocation, where overcommitted).
 */
export function usageForEnergy(metrics: RunMetrics, state: ClusterState, usage: UsageModel): RunListener {
  const n = state.nodeCount;
  const delta = usage.delta;
  const byGroup = new Float64Array(Math.max(1, state.groupCount));
  return {
    sample(now) {
      byGroup.fill(0);
      for (let i = 0; i < n; i++) {
        const cap = state.allocatableCpuMilli(i);
        if (!(cap > 0) || !state.isUp(i)) continue;
        const extra = delta[i];
        if (extra === 0) continue;
        const allocated = (cap - state.freeCpuMilli(i)) / cap;
        const used = Math.min(Math.max(allocated + extra / cap, 0), Math.max(1, allocated));
        byGroup[state.groupCount === 0 ? 0 : state.groupOf(i)] += used - allocated;
      }
      metrics.setUsage(now, byGroup);
    },
  };
}

/**
 * Into the replay: each node's CPU in use where it differs from its allocation, when it moved by over
 * 1% of the node since last written, and each CXL pool's use when it changed.
 */
export function replayUsage(w: ReplayWriter, state: ClusterState, model: UsageModel | undefined): RunListener {
  const n = state.nodeCount;
  const written = new Float64Array(n).fill(Number.NaN);
  const pools = poolCount(state);
  const poolWritten = new Float64Array(pools);
  return {
    sample(now) {
      if (model) {
        const usage = model.delta;
        for (let i = 0; i < n; i++) {
          const allocated = state.allocatableCpuMilli(i) - state.freeCpuMilli(i);
          const used = Math.round(allocated + usage[i]);
          const last = written[i];
          const moved = Number.isNaN(last)
            ? used !== allocated
            : Math.abs(used - last) > 0.01 * state.allocatableCpuMilli(i);
          if (moved) {
            written[i] = used;
            w.usage(now, i, used);
          }
        }
      }
      for (let p = 0; p < pools; p++) {
        const used = state.poolUsedMiB(p);
        if (used !== poolWritten[p]) {
          poolWritten[p] = used;
          w.pool(now, p, used);
        }
      }
    },
  };
}

/**
 * Into the replay: cold starts so far, and the bill so far: each priced node group's nodes present
 * (not virtual) at the sample, at its hourly price, times the time since the last sample, plus the
 * serverless containers' bill.
 */
export function replayTotals(
  w: ReplayWriter,
  state: ClusterState,
  nodeGroup: Int32Array,
  economics: readonly GroupEconomics[],
  effects: HardwareEffects | undefined,
  services: ServicesController | undefined,
): RunListener {
  let lastS = 0;
  let nodeCost = 0;
  let hasVirtual = false;
  for (let n = 0; n < state.nodeCount; n++) if (state.isVirtual(n)) hasVirtual = true;
  return {
    sample(now) {
      for (let g = 0; g < economics.length; g++) {
        const price = economics[g]?.perNodeHour;
        if (price === undefined) continue;
        let present = 0;
        for (let n = 0; n < state.nodeCount; n++) {
          if (nodeGroup[n] === g && state.isPresent(n) && !state.isVirtual(n)) present++;
        }
        nodeCost += (present * price * (now - lastS)) / 3600;
      }
      lastS = now;
      let serverless = 0;
      if (services) for (const t of services.tallies) serverless += t.serverlessCost;
      const apart = hasVirtual ? round6(serverless) : undefined;
      w.totals(now, effects?.counters.coldStarts ?? 0, round6(nodeCost + serverless), apart);
    },
  };
}

/** How many CXL pools the cluster has (pools are numbered from 0). */
export function poolCount(state: ClusterState): number {
  let pools = 0;
  for (let n = 0; n < state.nodeCount; n++) pools = Math.max(pools, state.poolOf(n) + 1);
  return pools;
}
