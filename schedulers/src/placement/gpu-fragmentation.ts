import type { ClusterView } from "@clustersim/hardware-models";
import type { Pod } from "../framework/types.js";
import { modelAccepted, podGpuMilli, podGpus } from "./gpu-resources.js";

/**
 * GPU fragmentation as defined by FGD (Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing
 * Workloads with Fragmentation Gradient Descent", ATC'23, §3): a node's free GPU capacity is a fragment
 * with respect to a pod type when that pod cannot use it, and the node's fragmentation is the expected
 * fragment over the workload's distribution of pod types ("typical pods").
 *
 * Per pod type t of frequency p_t, the free GPU milli counted as fragment is
 * - for a pod that fits (CPU and GPUs): the free milli of the GPUs too small for it (Q3, partly);
 * - for every other case (GPUs too small, CPU short, wrong model, and pods without GPUs): all of it.
 * The last rule, CPU-only pod types counting every idle GPU, follows the published artifact
 * (hkust-adsl/kubernetes-scheduler-simulator, pkg/utils/frag.go) and only shifts every node alike.
 */
export interface TypicalPod {
  cpuMilli: number;
  gpus: number;
  /** Thousandths of each GPU (0 for CPU-only pods). */
  gpuMilli: number;
  models: readonly string[] | undefined;
  /** Share of the workload, summing to 1 over the list. */
  freq: number;
}

/** Scoring's view of a pod's CPU: upstream counts a pod without a CPU request as 100 millicores. */
const scoredCpu = (cpu: number) => (cpu > 0 ? cpu : 100);

/**
 * The most common pod types that together make up `coverage` of the workload (the artifact uses 95%),
 * by (CPU, GPU share, GPU count, models); frequencies renormalised over the kept types.
 */
export function typicalPods(pods: Iterable<Pod>, coverage = 0.95): TypicalPod[] {
  const counts = new Map<string, { pod: TypicalPod; n: number }>();
  let total = 0;
  for (const p of pods) {
    const models = p.gpuModels && p.gpuModels.length > 0 ? [...p.gpuModels].sort() : undefined;
    const t: TypicalPod = {
      cpuMilli: scoredCpu(p.cpuMilli),
      gpus: podGpus(p),
      gpuMilli: podGpuMilli(p),
      models,
      freq: 0,
    };
    const key = `${t.cpuMilli}/${t.gpuMilli}/${t.gpus}/${models?.join("|") ?? ""}`;
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { pod: t, n: 1 });
    total++;
  }
  // Most frequent first; equal counts by larger resources first (the artifact's reverse sort).
  const sorted = [...counts.values()].sort(
    (a, b) =>
      b.n - a.n ||
      b.pod.cpuMilli - a.pod.cpuMilli ||
      b.pod.gpuMilli - a.pod.gpuMilli ||
      b.pod.gpus - a.pod.gpus ||
      (b.pod.models?.join("|") ?? "").localeCompare(a.pod.models?.join("|") ?? ""),
  );
  const kept: { pod: TypicalPod; n: number }[] = [];
  let cum = 0;
  for (const e of sorted) {
    if (cum >= coverage * total) break;
    kept.push(e);
    cum += e.n;
  }
  return kept.map((e) => ({ ...e.pod, freq: e.n / cum }));
}

/**
 * A node's expected GPU fragment (milli) for the given free CPU and per-GPU free milli.
 * `free` holds the free milli of each GPU; only its multiset matters.
 */
export function nodeFragMilli(
  cpuFree: number,
  free: ArrayLike<number>,
  model: string,
  typical: readonly TypicalPod[],
): number {
  let idle = 0;
  for (let g = 0; g < free.length; g++) idle += free[g];
  if (idle === 0) return 0;
  let frag = 0;
  for (const t of typical) {
    if (t.gpuMilli === 0 || !modelAccepted(t.models, model) || cpuFree < t.cpuMilli) {
      frag += t.freq * idle;
      continue;
    }
    let hosts = 0;
    let tooSmall = 0;
    for (let g = 0; g < free.length; g++) {
      if (free[g] >= t.gpuMilli) hosts++;
      else tooSmall += free[g];
    }
    frag += t.freq * (hosts >= t.gpus ? tooSmall : idle);
  }
  return frag;
}

/** Cluster-wide fragmentation: expected fragment and idle GPU milli over all nodes that are up. */
export function clusterFragmentation(
  view: ClusterView,
  typical: readonly TypicalPod[],
): { fragMilli: number; idleMilli: number } {
  let fragMilli = 0;
  let idleMilli = 0;
  const free: number[] = [];
  for (let node = 0; node < view.nodeCount; node++) {
    const n = view.gpuCount(node);
    if (n === 0 || !view.isUp(node)) continue;
    free.length = n;
    for (let g = 0; g < n; g++) {
      free[g] = view.gpuFreeMilli(node, g);
      idleMilli += free[g];
    }
    fragMilli += nodeFragMilli(view.freeCpuMilli(node), free, view.gpuModel(node), typical);
  }
  return { fragMilli, idleMilli };
}
