/**
 * @clustersim/hardware-models: cluster state and the hardware models a scheduler places against.
 * For now: nodes with CPU, memory and shareable GPUs, and the best-fit placement index.
 */
export { ClusterState, type ClusterView, type NodeSpec, type Request } from "./cluster-state.js";
export { FitIndex } from "./fit-index.js";
