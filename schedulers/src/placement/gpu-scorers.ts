import type { ClusterView } from "@clustersim/hardware-models";
import {
  Code,
  type CycleContext,
  type Pod,
  type PreScorePlugin,
  type ReservePlugin,
  type ScorePlugin,
} from "../framework/types.js";
import {
  fullyFreeGpus,
  GPU_MILLI,
  isGpuShare,
  MAX_SPEC_CPU_MILLI,
  MAX_SPEC_GPU_MILLI,
  podGpuMilli,
  podGpus,
  podTotalGpuMilli,
  totalGpuFreeMilli,
} from "./gpu-resources.js";

/**
 * The GPU placement heuristics FGD (ATC'23) compares against, as its artifact implements them
 * (hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin): integer scores in [0, 100].
 */
const MAX = 100;

/** Min-max rescaling to [0, 100] in integers (the artifact's NormalizeScore); all equal → 0. */
export function normalizeMinMax(scores: Float64Array, count: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < count; i++) {
    if (scores[i] > hi) hi = scores[i];
    if (scores[i] < lo) lo = scores[i];
  }
  const range = hi - lo;
  for (let i = 0; i < count; i++) scores[i] = range === 0 ? 0 : Math.trunc(((scores[i] - lo) * MAX) / range);
}

/**
 * Best fit over CPU and GPU: 1 − Σ ½·(free − request)/largest node, per resource, so the node left
 * fullest wins; then min-max normalised.
 */
export const gpuBestFit: ScorePlugin = {
  name: "GpuBestFit",
  score(ctx: CycleContext, node: number) {
    const cpuLeft = ctx.view.freeCpuMilli(node) - ctx.pod.cpuMilli;
    const gpuLeft = totalGpuFreeMilli(ctx.view, node) - podTotalGpuMilli(ctx.pod);
    const waste = (cpuLeft / MAX_SPEC_CPU_MILLI) * 0.5 + (gpuLeft / MAX_SPEC_GPU_MILLI) * 0.5;
    return Math.trunc((1 - waste) * MAX);
  },
  normalize: normalizeMinMax,
};

/**
 * Tetris (Grandl et al., SIGCOMM'14) as the FGD artifact configures it ("merge" GPUs into one
 * dimension, normalised by the largest node): the dot product of the node's free (CPU, GPU) vector with
 * the pod's request, halved; a smaller product scores higher, so pods go where little is left.
 */
export const dotProduct: ScorePlugin = {
  name: "DotProduct",
  score(ctx: CycleContext, node: number) {
    const cpuFree = ctx.view.freeCpuMilli(node);
    if (cpuFree < ctx.pod.cpuMilli) return 0;
    const dot =
      (cpuFree / MAX_SPEC_CPU_MILLI) * (ctx.pod.cpuMilli / MAX_SPEC_CPU_MILLI) +
      (totalGpuFreeMilli(ctx.view, node) / MAX_SPEC_GPU_MILLI) * (podTotalGpuMilli(ctx.pod) / MAX_SPEC_GPU_MILLI);
    return Math.trunc(MAX * (1 - dot / 2));
  },
};

/**
 * GPU packing: prefer (1) shares of GPUs already in use, the fuller the better, then (2) whole free
 * GPUs on a node already in use, then (3) an idle node, the smaller the better.
 */
export const gpuPacking: ScorePlugin = {
  name: "GpuPacking",
  score(ctx: CycleContext, node: number) {
    const { view, pod } = ctx;
    const milli = podGpuMilli(pod);
    if (milli <= 0) return 0;
    const n = view.gpuCount(node);
    const fullyFree = fullyFreeGpus(view, node);
    if (fullyFree === n) return Math.max(Math.trunc(MAX / 3) - fullyFree, fullyFree);
    // GPUs the pod would use: the least free that fit, in ascending order of free milli.
    let need = podGpus(pod);
    let wholeUsed = 0;
    let freeOnUsed = 0;
    const order = sortedGpus(view, node);
    for (const g of order) {
      if (need === 0) break;
      const free = view.gpuFreeMilli(node, g);
      if (milli <= free) {
        need--;
        if (free === GPU_MILLI) wholeUsed++;
        freeOnUsed += Math.trunc((free * 100) / GPU_MILLI);
      }
    }
    if (need !== 0) return 0;
    if (wholeUsed > 0) return Math.max(Math.trunc(MAX / 2) - wholeUsed, Math.trunc(MAX / 3));
    return Math.max(MAX - Math.trunc(freeOnUsed / 10), Math.trunc(MAX / 2));
  },
};

/** GPU indices of a node by free milli ascending, stable. */
function sortedGpus(view: ClusterView, node: number): number[] {
  const order = Array.from({ length: view.gpuCount(node) }, (_, g) => g);
  return order.sort((a, b) => view.gpuFreeMilli(node, a) - view.gpuFreeMilli(node, b) || a - b);
}

const affinityTag = (pod: Pod) => (podGpus(pod) === 0 ? "" : isGpuShare(pod) ? "share" : `${podGpus(pod)}-gpu`);

/**
 * GPU clustering: keep pods of the same GPU shape (share, 1-GPU, 2-GPU, …) together: nodes holding only
 * that shape first, then mixed nodes with it, then idle nodes, then others; fuller first within a band.
 * Keeps per-node counts of the shapes placed, from the run's bind and release notices.
 */
export function gpuClustering(): ScorePlugin {
  const tags: (Map<string, number> | undefined)[] = [];
  return {
    name: "GpuClustering",
    score(ctx: CycleContext, node: number) {
      const tag = affinityTag(ctx.pod);
      if (tag === "") return 0;
      const used = Math.trunc(
        ((MAX / 4) * (MAX_SPEC_GPU_MILLI - totalGpuFreeMilli(ctx.view, node))) / MAX_SPEC_GPU_MILLI,
      );
      const onNode = tags[node];
      const kinds = onNode?.size ?? 0;
      if ((onNode?.get(tag) ?? 0) > 0) return used + (kinds === 1 ? (MAX * 3) / 4 : (MAX * 2) / 4);
      return used + (kinds === 0 ? MAX / 4 : 0);
    },
    onBind(_view, pod, node) {
      const tag = affinityTag(pod);
      if (tag === "") return;
      const m = (tags[node] ??= new Map());
      m.set(tag, (m.get(tag) ?? 0) + 1);
    },
    onRelease(_view, pod, node) {
      const tag = affinityTag(pod);
      const m = tags[node];
      if (tag === "" || !m) return;
      const left = (m.get(tag) ?? 0) - 1;
      if (left > 0) m.set(tag, left);
      else m.delete(tag);
    },
  };
}

/** Random: one feasible node drawn uniformly at PreScore gets 100, the rest 0. */
export function randomScore(): PreScorePlugin & ScorePlugin {
  let chosen = -1;
  return {
    name: "RandomScore",
    preScore(ctx: CycleContext, feasible: Int32Array, count: number) {
      chosen = feasible[Math.floor(ctx.rng.next() * count)];
      return Code.Success;
    },
    score: (_ctx, node) => (node === chosen ? MAX : 0),
  };
}

/** Reserve a share on a GPU drawn uniformly among those it fits (the artifact's "random" GPU selection). */
export const randomGpu: ReservePlugin = {
  name: "RandomGpu",
  reserve(ctx: CycleContext, node: number) {
    if (!isGpuShare(ctx.pod)) return Code.Success;
    const milli = podGpuMilli(ctx.pod);
    let seen = 0;
    for (let g = 0; g < ctx.view.gpuCount(node); g++) {
      if (ctx.view.gpuFreeMilli(node, g) >= milli && Math.floor(ctx.rng.next() * ++seen) === 0) ctx.gpuIndex = g;
    }
    return seen > 0 ? Code.Success : Code.Unschedulable;
  },
};
