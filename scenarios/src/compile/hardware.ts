import type { OnlinePlan } from "@clustersim/engine";
import type { RuntimeSpec } from "@clustersim/hardware-models";
import { dpuOf } from "../schema/cluster-schema.js";
import type { ScenarioSpec } from "../schema/schema.js";
import type { ComposedCluster } from "./cluster.js";

/** A scenario's `hardware` section and node groups, as the run's hardware effects take them. */
export function hardwareConfig(spec: ScenarioSpec, cluster: ComposedCluster): OnlinePlan["hardware"] {
  const hw = spec.hardware;
  const n = cluster.state.nodeCount;
  const dpuGbps = new Float64Array(n);
  const groups = spec.cluster.nodeGroups ?? [];
  for (let i = 0; i < n; i++) {
    const dpu = groups[cluster.nodeGroup[i]]?.dpu;
    dpuGbps[i] = dpu ? dpuOf(dpu).gbps : 0;
  }
  const runtimes: Record<string, Partial<RuntimeSpec>> = {};
  for (const [name, o] of Object.entries(hw?.runtimes ?? {})) {
    if (!o) continue;
    runtimes[name] = {
      ...(o.startMedian !== undefined && { startMedianS: o.startMedian }),
      ...(o.startSigma !== undefined && { startSigma: o.startSigma }),
      ...(o.memoryOverhead !== undefined && { memoryOverheadMiB: o.memoryOverhead }),
      ...(o.computeSlowdown !== undefined && { computeSlowdown: o.computeSlowdown }),
      ...(o.syscallUs !== undefined && { syscallUs: o.syscallUs }),
      ...(o.snapshotRestore !== undefined && { snapshotRestoreS: o.snapshotRestore }),
    };
  }
  return {
    dpuGbps,
    runtimes,
    cxl: hw?.cxl,
    containerEngine: hw?.containerEngine && {
      startMedianS: hw.containerEngine.start,
      startSigma: hw.containerEngine.startSigma,
    },
    warmPool:
      hw?.warmPool === undefined
        ? undefined
        : hw.warmPool.policy === "fixed"
          ? { policy: "fixed", keepAliveS: hw.warmPool.keepAlive ?? 600 }
          : { policy: "hybrid-histogram" },
  };
}
