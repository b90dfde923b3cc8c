/**
 * @clustersim/hardware-models: cluster state and the hardware models a scheduler places against.
 */
export { ClusterState, type ClusterView, type NodeResources, type NodeSpec, type Request, type Taint, type Toleration } from "./cluster-state.js";
export { FitIndex } from "./fit-index.js";
export { NodeOrderIndex } from "./node-order-index.js";
export { RUNTIMES, runtime, coldStartS, startLatencyS, runTimeFactor, isolates, type RuntimeSpec, type Isolation } from "./sandbox-runtimes.js";
export { DEFAULT_CXL, CxlPool, cxlSlowdown, drawSensitivity, latencyPenalty, splitMemory, strandedMemoryMiB, type CxlParams } from "./cxl-pool.js";
export { DPUS, networkInfraCores, storageInfraCores, hostInfraCores, dpuNetworkSlowdown, vfAvailable, type DpuSpec } from "./dpu.js";
export { availability, gammaFunction, timeToFailureS, timeToRepairS, type FailureModel } from "./failures.js";
export { DEFAULT_POWER, EnergyMeter, nodeCost, powerW, type PowerModel, type PriceModel } from "./power-cost.js";
export { FailureProcess, type DomainOutage, type FailureCallbacks, type FailureDomain } from "./failure-process.js";
export { FixedKeepAlive, HybridHistogramKeepAlive, HYBRID_DEFAULTS, WarmInstances, type KeepAlivePolicy, type KeepAliveWindow, type HybridHistogramParams } from "./keep-alive.js";
export { poolDramSavings, rejectionRate, type PoolSavings, type PoolSavingsOptions, type PoolTask } from "./pool-savings.js";
