import { ClusterState, type NodeSpec } from "@clustersim/hardware-models";
import {
  clusterFragmentation,
  createPlacement,
  type PlacementStrategy,
  type Pod,
  type StrategyContext,
  type TypicalPod,
  typicalPods,
} from "@clustersim/schedulers";
import { RandomStreams, WorkerPool } from "@clustersim/sim-core";
import { loadOpenbNodes, loadOpenbPods, type OpenbPod, TraceError } from "@clustersim/workloads";
import { InputError } from "../errors.js";

/**
 * Reproduction of FGD's headline experiment (Weng et al., ATC'23, Fig. 7 and 9; artifact:
 * hkust-adsl/kubernetes-scheduler-simulator, experiments/run_scripts): an empty openb cluster receives
 * pods sampled with replacement from a pod list until the GPUs they request reach `load` (130%) of the
 * cluster's GPUs, in shuffled order; each is placed once, none leaves, a pod that fits nowhere fails.
 * Measured as arrived GPU requests pass each checkpoint: GPU allocation (allocated ÷ capacity) and
 * fragmentation (expected fragment ÷ capacity, and ÷ idle GPUs).
 *
 * The policies and their settings follow the artifact's run scripts: every node scored, a share's GPU
 * chosen best-fit except for Random (random GPU) and FGD (its own choice). Ties between equally scored
 * nodes go to the first in node order, as the artifact's scheduler settles them, and that order is a
 * seeded shuffle of the node list (the artifact names nodes with a random prefix per seed and lists
 * them by name). Tie-breaking matters: the coarse integer scores of GpuPacking, GpuClustering and FGD
 * tie often, and a sticky choice packs where a uniformly random one spreads (see docs/guide/reproductions.md).
 */
export const FGD_POLICIES = [
  { label: "Random", strategy: "random" },
  { label: "DotProd", strategy: "dot-product" },
  { label: "GpuClustering", strategy: "gpu-clustering" },
  { label: "GpuPacking", strategy: "gpu-packing" },
  { label: "BestFit", strategy: "gpu-best-fit" },
  { label: "FGD", strategy: "fgd" },
] as const;

export interface FgdReproOptions {
  podsFile: string;
  nodesFile: string;
  seeds?: number;
  /** First seed; seeds are firstSeed, firstSeed+1, … (the artifact uses 42…51). */
  firstSeed?: number;
  /** Arrived load checkpoints as a share of cluster GPUs; the last is where arrivals stop. */
  checkpoints?: number[];
  policies?: readonly string[];
  /** How equally scored nodes are chosen: "first" in node order (the artifact's way, default) or "random". */
  tieBreak?: "first" | "random";
  /** Worker threads running seeds in parallel (default 1: in this thread). Results do not depend on it. */
  workers?: number;
}

export interface Checkpoint {
  /** Arrived GPU requests ÷ cluster GPUs. */
  load: number;
  allocationPct: number;
  /** Expected GPU fragment ÷ cluster GPUs. */
  fragmentationPct: number;
  /** Expected GPU fragment ÷ idle GPUs. */
  fragmentationOfIdlePct: number;
  failedPods: number;
}

export interface PolicySummary {
  policy: string;
  strategy: string;
  /** Per checkpoint: mean and sample standard deviation over seeds. */
  checkpoints: {
    load: number;
    allocationPct: Stat;
    fragmentationPct: Stat;
    fragmentationOfIdlePct: Stat;
    failedPods: Stat;
  }[];
}
export interface Stat {
  mean: number;
  sd: number;
}

export interface FgdReproResult {
  nodes: number;
  gpus: number;
  podTypes: number;
  seeds: number[];
  policies: PolicySummary[];
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

/**
 * Place `arrivals` once each with one strategy (a registered name, or a builder such as a trained
 * agent's), sampling the metrics at each checkpoint.
 */
export function runFgdOnce(
  nodeList: readonly NodeSpec[],
  arrivals: readonly Pod[],
  typical: readonly TypicalPod[],
  strategyName: string | ((ctx: StrategyContext) => PlacementStrategy),
  seed: number,
  checkpoints: readonly number[],
  tieBreak: "first" | "random" = "first",
): Checkpoint[] {
  const streams = new RandomStreams(seed);
  const nodes = streams.get("node-order").shuffle([...nodeList]);
  const cluster = new ClusterState(nodes);
  const capacity = nodes.reduce((s, n) => s + (n.gpus ?? 0), 0) * 1000;
  const ctx = { rng: streams.get("scheduler"), typicalPods: typical };
  const strategy =
    typeof strategyName === "string" ? createPlacement(strategyName, { tieBreak }, ctx) : strategyName(ctx);
  const out: Checkpoint[] = [];
  let arrived = 0;
  let allocated = 0;
  let failed = 0;
  let next = 0;
  for (const pod of arrivals) {
    const milli = (pod.gpus ?? 0) * (pod.gpuMilli ?? 0);
    arrived += milli;
    const d = strategy.decide(cluster, pod);
    if (d) {
      cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex });
      strategy.bound?.(cluster, pod, d);
      allocated += milli;
    } else failed++;
    const last = pod === arrivals[arrivals.length - 1];
    // A checkpoint is taken once arrivals pass it; arrivals stop just short of the last, so it is taken at the end.
    while (next < checkpoints.length && (arrived >= checkpoints[next] * capacity || last)) {
      const f = clusterFragmentation(cluster, typical);
      out.push({
        load: checkpoints[next++],
        allocationPct: (100 * allocated) / capacity,
        fragmentationPct: (100 * f.fragMilli) / capacity,
        fragmentationOfIdlePct: f.idleMilli > 0 ? (100 * f.fragMilli) / f.idleMilli : 0,
        failedPods: failed,
      });
    }
  }
  return out;
}

const stat = (xs: number[]): Stat => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
};

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

export async function reproFgd(o: FgdReproOptions): Promise<FgdReproResult> {
  const { nodes, pool, typical } = await readFgdData(o.podsFile, o.nodesFile);
  const gpus = nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
  const checkpoints = [...(o.checkpoints ?? [1.0, 1.3])].sort((a, b) => a - b);
  const first = o.firstSeed ?? 42;
  const seeds = Array.from({ length: o.seeds ?? 10 }, (_, i) => first + i);
  const chosen = o.policies ?? FGD_POLICIES.map((p) => p.strategy);
  const runs = new Map<string, Checkpoint[][]>(chosen.map((s) => [s, []]));
  // The pod-type distribution FGD targets is the original list's (the artifact's SetTypicalPods): typical.
  const tieBreak = o.tieBreak ?? "first";
  const bySeed: Checkpoint[][][] = [];
  if ((o.workers ?? 1) > 1) {
    const workers = new WorkerPool<{ runSeed(job: unknown): Promise<Checkpoint[][]> }>(
      new URL("../../dist/repro/fgd-worker.js", import.meta.url),
      Math.min(o.workers!, seeds.length),
    );
    const errors: string[] = [];
    try {
      await workers.run(
        seeds,
        (api, seed) =>
          api.runSeed({
            podsFile: o.podsFile,
            nodesFile: o.nodesFile,
            seed,
            checkpoints,
            policies: [...chosen],
            tieBreak,
          }),
        (out) => (out.ok ? (bySeed[out.index] = out.value!) : errors.push(`seed ${seeds[out.index]}: ${out.error}`)),
      );
    } finally {
      await workers.close();
    }
    if (errors.length > 0) throw new Error(errors.join("; "));
  } else {
    for (const seed of seeds) {
      const arrivals = sampleArrivals(pool, gpus, checkpoints[checkpoints.length - 1], seed);
      bySeed.push(chosen.map((s) => runFgdOnce(nodes, arrivals, typical, s, seed, checkpoints, tieBreak)));
    }
  }
  chosen.forEach((s, k) =>
    runs.set(
      s,
      bySeed.map((perPolicy) => perPolicy[k]),
    ),
  );
  const policies = chosen.map((s) => {
    const perSeed = runs.get(s)!;
    return {
      policy: FGD_POLICIES.find((p) => p.strategy === s)?.label ?? s,
      strategy: s,
      checkpoints: checkpoints.map((load, k) => ({
        load,
        allocationPct: stat(perSeed.map((r) => r[k].allocationPct)),
        fragmentationPct: stat(perSeed.map((r) => r[k].fragmentationPct)),
        fragmentationOfIdlePct: stat(perSeed.map((r) => r[k].fragmentationOfIdlePct)),
        failedPods: stat(perSeed.map((r) => r[k].failedPods)),
      })),
    };
  });
  return { nodes: nodes.length, gpus, podTypes: typical.length, seeds, policies };
}
