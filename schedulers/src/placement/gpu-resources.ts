import type { ClusterView } from "@clustersim/hardware-models";
import type { Pod } from "../framework/types.js";

/** GPU arithmetic shared by the GPU-aware plugins (openb model: 1000 thousandths per GPU). */
export const GPU_MILLI = 1000;

/** Largest node of the openb cluster, used by the FGD artifact to normalise scores (open-gpu-share const.go). */
export const MAX_SPEC_CPU_MILLI = 128_000;
export const MAX_SPEC_GPU_MILLI = 8_000;

export const podGpus = (pod: Pod) => pod.gpus ?? 0;
/** Thousandths asked of each GPU: 1000 for whole GPUs, 0 for none. */
export const podGpuMilli = (pod: Pod) => (podGpus(pod) === 0 ? 0 : (pod.gpuMilli ?? GPU_MILLI));
export const podTotalGpuMilli = (pod: Pod) => podGpus(pod) * podGpuMilli(pod);
export const isGpuShare = (pod: Pod) => podGpus(pod) === 1 && podGpuMilli(pod) < GPU_MILLI;

export function totalGpuFreeMilli(view: ClusterView, node: number): number {
  let sum = 0;
  for (let g = view.gpuCount(node) - 1; g >= 0; g--) sum += view.gpuFreeMilli(node, g);
  return sum;
}

export function fullyFreeGpus(view: ClusterView, node: number): number {
  let n = 0;
  for (let g = view.gpuCount(node) - 1; g >= 0; g--) if (view.gpuFreeMilli(node, g) === GPU_MILLI) n++;
  return n;
}

/** Whether the node's GPU model is one the pod accepts (any, when the pod names none). */
export function modelAccepted(models: readonly string[] | undefined, nodeModel: string): boolean {
  if (!models || models.length === 0) return true;
  return nodeModel !== "" && models.includes(nodeModel);
}
