/**
 * @clustersim/hardware-models: cluster state and the hardware models a scheduler places against.
 */
export { ClusterState } from "./cluster/cluster-state.js";
export {
  type ClusterView,
  type GroupTotals,
  type NodeResources,
  type NodeSpec,
  type Request,
  type Taint,
  type Toleration,
  tolerates,
} from "./cluster/cluster-types.js";
export { FitIndex } from "./cluster/fit-index.js";
export { leastLocalMemory } from "./cluster/fit-search.js";
export { NodeOrderIndex } from "./cluster/node-order-index.js";
export { ReadOnlyObjects, ReadOnlyWrite, WriteLog } from "./cluster/read-only.js";
export { ReadOnlyClusterView } from "./cluster/read-only-view.js";
export {
  type CxlParams,
  CxlPool,
  calibrationPenalty,
  cxlSlowdown,
  DEFAULT_CXL,
  drawSensitivity,
  latencyPenalty,
  splitMemory,
  strandedMemoryMiB,
  touchedRemoteFraction,
} from "./cxl-pool.js";
export {
  DPUS,
  type DpuSpec,
  dpuLoad,
  dpuNetworkSlowdown,
  dpuPowerW,
  hostInfraCores,
  networkInfraCores,
  VIRTIO_MEASURED_GBPS,
  vfAvailable,
} from "./dpu.js";
export { type DomainOutage, type FailureCallbacks, type FailureDomain, FailureProcess } from "./failure-process.js";
export { availability, type FailureModel, gammaFunction, timeToFailureS, timeToRepairS } from "./failures.js";
export {
  FixedKeepAlive,
  HYBRID_DEFAULTS,
  HybridHistogramKeepAlive,
  type HybridHistogramParams,
  type KeepAlivePolicy,
  type KeepAliveWindow,
  type NextIdle,
  WarmInstances,
} from "./keep-alive.js";
export {
  type PoolSavings,
  type PoolSavingsOptions,
  type PoolTask,
  poolDramSavings,
  rejectionRate,
} from "./pool-savings.js";
export {
  DEFAULT_GPU_POWER,
  DEFAULT_POWER,
  EnergyMeter,
  GPU_POWER,
  type GpuPower,
  gpuPowerOf,
  meanGpuPower,
  nodeCost,
  type PowerModel,
  type PriceModel,
  powerW,
} from "./power-cost.js";
export {
  CONTAINER_ENGINE,
  type ContainerEngine,
  coldStartS,
  type Isolation,
  isolates,
  NO_ENGINE,
  RUNTIMES,
  type RuntimeSpec,
  runTimeFactor,
  runtime,
  startLatencyS,
} from "./sandbox-runtimes.js";
