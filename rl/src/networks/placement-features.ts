import type { ClusterView } from "@clustersim/hardware-models";
import {
  GPU_MILLI,
  isGpuShare,
  MAX_SPEC_CPU_MILLI,
  MAX_SPEC_GPU_MILLI,
  nodeFragMilli,
  type Pod,
  podGpuMilli,
  podGpus,
  podTotalGpuMilli,
  type TypicalPod,
} from "@clustersim/schedulers";

/**
 * What a learned placement agent sees of one node for one pod: the node before and after the pod
 * would be placed there, as the cluster would place it (a GPU share on the GPU with the least free
 * that fits, whole GPUs on the lowest-numbered free ones; ClusterState's rule). Every feature is a
 * share in [0, 1], normalised as the FGD artifact normalises its scores (the largest openb node:
 * 128 cores, 8 GPUs):
 *
 *  0. the node's free GPU thousandths before, ÷ 8,000;   1. the same after;
 *  2. GPUs left wholly free after, ÷ 8;
 *  3. the node's expected GPU fragment before (FGD's measure against the workload's pod types,
 *     schedulers/src/placement/gpu-fragmentation.ts), ÷ 8,000;  4. the same after;
 *  5. for a GPU share: what is left free on its GPU, ÷ 1,000 (else 0);
 *  6. free CPU after, ÷ 128 cores;                        7. free memory after, ÷ the node's allocatable;
 *  8. the pod's GPU thousandths, ÷ 8,000;                 9. the pod's CPU, ÷ 128 cores.
 *
 * The fragmentation features are FGD's own signal: the agent learns how to weigh it against the
 * packing features (those BestFit scores by) rather than discovering fragmentation from scratch.
 * A node's row depends only on that node and the pod, so a scorer may keep it until either changes.
 */
export const PLACEMENT_FEATURES = 10;

/** Scratch space for the rows (one per thread). */
export interface FeatureScratch {
  free: number[];
}

export function featureScratch(): FeatureScratch {
  return { free: [] };
}

/**
 * Write the row of `pod` on `node` (which it must fit) into `out` at `at`. `fragBefore` is the node's
 * expected fragment now (nodeFragment), passed in because callers keep it per node.
 */
export function placementRow(
  view: ClusterView,
  node: number,
  pod: Pod,
  typical: readonly TypicalPod[],
  fragBefore: number,
  out: Float32Array | Float64Array,
  at: number,
  s: FeatureScratch,
): void {
  const n = view.gpuCount(node);
  const free = s.free;
  free.length = n;
  let before = 0;
  for (let g = 0; g < n; g++) {
    free[g] = view.gpuFreeMilli(node, g);
    before += free[g]!;
  }
  const milli = podGpuMilli(pod);
  let shareLeft = 0;
  if (isGpuShare(pod)) {
    let best = -1;
    for (let g = 0; g < n; g++) if (free[g]! >= milli && (best < 0 || free[g]! < free[best]!)) best = g;
    if (best >= 0) {
      free[best] = free[best]! - milli;
      shareLeft = free[best]!;
    }
  } else {
    let need = podGpus(pod);
    for (let g = 0; g < n && need > 0; g++) {
      if (free[g] === GPU_MILLI) {
        free[g] = 0;
        need--;
      }
    }
  }
  let after = 0;
  let wholeFree = 0;
  for (let g = 0; g < n; g++) {
    after += free[g]!;
    if (free[g] === GPU_MILLI) wholeFree++;
  }
  const cpuAfter = view.freeCpuMilli(node) - pod.cpuMilli;
  // FGD scores a pod without a CPU request as 100 millicores (schedulers/src/placement/fgd.ts).
  const fragAfter = nodeFragMilli(cpuAfter - (pod.cpuMilli > 0 ? 0 : 100), free, view.gpuModel(node), typical);
  const mem = view.allocatableMemoryMiB(node);
  out[at] = clamp(before / MAX_SPEC_GPU_MILLI);
  out[at + 1] = clamp(after / MAX_SPEC_GPU_MILLI);
  out[at + 2] = clamp(wholeFree / (MAX_SPEC_GPU_MILLI / GPU_MILLI));
  out[at + 3] = clamp(fragBefore / MAX_SPEC_GPU_MILLI);
  out[at + 4] = clamp(fragAfter / MAX_SPEC_GPU_MILLI);
  out[at + 5] = shareLeft / GPU_MILLI;
  out[at + 6] = clamp(cpuAfter / MAX_SPEC_CPU_MILLI);
  out[at + 7] = mem > 0 ? clamp((view.freeMemoryMiB(node) - pod.memoryMiB) / mem) : 0;
  out[at + 8] = clamp(podTotalGpuMilli(pod) / MAX_SPEC_GPU_MILLI);
  out[at + 9] = clamp(pod.cpuMilli / MAX_SPEC_CPU_MILLI);
}

/** A node's expected GPU fragment now (milli), against the workload's pod types. */
export function nodeFragment(view: ClusterView, node: number, typical: readonly TypicalPod[], s: FeatureScratch) {
  const n = view.gpuCount(node);
  if (n === 0) return 0;
  s.free.length = n;
  for (let g = 0; g < n; g++) s.free[g] = view.gpuFreeMilli(node, g);
  return nodeFragMilli(view.freeCpuMilli(node), s.free, view.gpuModel(node), typical);
}

const clamp = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
