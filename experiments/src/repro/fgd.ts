import { FGD_POLICIES, type FgdCheckpoint, readFgdData, runFgdOnce, sampleArrivals } from "@clustersim/rl";
import { WorkerPool } from "@clustersim/sim-core";

/**
 * Reproduction of FGD's headline experiment (Weng et al., ATC'23, Fig. 7 and 9): every policy on the
 * same seeds under the artifact's protocol (@clustersim/rl's runFgdOnce: an empty openb cluster filled
 * by pods sampled until their GPU requests reach 130% of its GPUs), the measures at each checkpoint of
 * arrived load as mean and standard deviation over the seeds.
 */
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

const stat = (xs: number[]): Stat => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
};

export async function reproFgd(o: FgdReproOptions): Promise<FgdReproResult> {
  const { nodes, pool, typical } = await readFgdData(o.podsFile, o.nodesFile);
  const gpus = nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
  const checkpoints = [...(o.checkpoints ?? [1.0, 1.3])].sort((a, b) => a - b);
  const first = o.firstSeed ?? 42;
  const seeds = Array.from({ length: o.seeds ?? 10 }, (_, i) => first + i);
  const chosen = o.policies ?? FGD_POLICIES.map((p) => p.strategy);
  const runs = new Map<string, FgdCheckpoint[][]>(chosen.map((s) => [s, []]));
  // The pod-type distribution FGD targets is the original list's (the artifact's SetTypicalPods): typical.
  const tieBreak = o.tieBreak ?? "first";
  const bySeed: FgdCheckpoint[][][] = [];
  if ((o.workers ?? 1) > 1) {
    const workers = new WorkerPool<{ runSeed(job: unknown): Promise<FgdCheckpoint[][]> }>(
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
