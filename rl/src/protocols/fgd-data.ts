import { InputError } from "@clustersim/files";
import type { NodeSpec } from "@clustersim/hardware-models";
import { type Pod, type TypicalPod, typicalPods } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { loadOpenbNodes, loadOpenbPods, type OpenbPod, TraceError } from "@clustersim/workloads";

/**
 * The data of FGD's protocol (Weng et al., ATC'23; artifact: hkust-adsl/kubernetes-scheduler-simulator):
 * an openb node list and pod list, and each seed's arrivals sampled from the pod list (./fgd-run.ts
 * places them; the packing environment and the reproduction, experiments' `repro fgd`, play the same).
 */

/** The data of FGD's protocol: the node list, the pod list, and the list's pod types. */
export interface FgdData {
  nodes: readonly NodeSpec[];
  pool: readonly OpenbPod[];
  typical: readonly TypicalPod[];
}

/**
 * An openb node list and pod list, read and checked for what the protocol needs (GPUs to fill, pods
 * asking for them); a file that cannot be read or parsed is an InputError naming it.
 */
export async function readFgdData(podsFile: string, nodesFile: string): Promise<FgdData> {
  const nodes = await asInput(() => readOpenbNodes(nodesFile));
  const pool: OpenbPod[] = [];
  await asInput(async () => {
    for await (const p of loadOpenbPods(podsFile)) pool.push(p);
  });
  if (pool.length === 0) throw new InputError(`${podsFile}: expected openb pods, found none`);
  if (!pool.some((p) => p.numGpu > 0 && p.gpuMilli > 0))
    throw new InputError(`${podsFile}: expected pods that request GPUs, found none`);
  if (!nodes.some((n) => (n.gpus ?? 0) > 0))
    throw new InputError(`${nodesFile}: expected nodes with GPUs, found none in the node list`);
  return { nodes, pool, typical: typicalPods(pool.map(podFromOpenb)) };
}

/** A loader's complaint about its file (a TraceError, a missing file) as an InputError. */
async function asInput<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof TraceError || (err as NodeJS.ErrnoException).code === "ENOENT")
      throw new InputError((err as Error).message);
    throw err;
  }
}

export const podFromOpenb = (p: OpenbPod, id: number): Pod => ({
  id,
  cpuMilli: p.cpuMilli,
  memoryMiB: p.memoryMiB,
  gpus: p.numGpu,
  gpuMilli: p.numGpu > 0 ? p.gpuMilli : 0,
  gpuModels: p.gpuSpec.length > 0 ? p.gpuSpec : undefined,
});

export async function readOpenbNodes(file: string): Promise<NodeSpec[]> {
  const nodes: NodeSpec[] = [];
  for await (const n of loadOpenbNodes(file)) {
    nodes.push({ cpuMilli: n.cpuMilli, memoryMiB: n.memoryMiB, gpus: n.gpus, gpuModel: n.gpuModel || undefined });
  }
  return nodes;
}

/**
 * One seed's arrivals, as the artifact's workload tuning builds them (TunePodsByNodeTotalResource):
 * every pod of the list, plus copies drawn with replacement until the next copy would take the GPU
 * requests past `load` × cluster GPUs (or, for a list already above it, pods dropped at random until
 * it is not), in shuffled order.
 */
export function sampleArrivals(pool: readonly OpenbPod[], clusterGpus: number, load: number, seed: number): Pod[] {
  const rng = new RandomStreams(seed).get("fgd-workload");
  const milli = (p: OpenbPod) => p.numGpu * (p.numGpu > 0 ? p.gpuMilli : 0);
  if (!pool.some((p) => milli(p) > 0)) throw new Error("the pod list has no pod that requests a GPU");
  const target = load * clusterGpus * 1000;
  const chosen = [...pool];
  let total = chosen.reduce((s, p) => s + milli(p), 0);
  if (total > target) {
    while (total > target) total -= milli(chosen.splice(Math.floor(rng.next() * chosen.length), 1)[0]);
  } else {
    for (;;) {
      const p = pool[Math.floor(rng.next() * pool.length)];
      if (total + milli(p) > target) break;
      chosen.push(p);
      total += milli(p);
    }
  }
  const out = chosen.map((p, i) => podFromOpenb(p, i));
  rng.shuffle(out);
  return out;
}
