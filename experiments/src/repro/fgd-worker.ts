/**
 * Worker thread of the FGD reproduction: one seed's arrivals placed with every policy. The pool in
 * ./fgd.ts runs seeds in parallel; results come back by seed, so they do not depend on which worker
 * ran what.
 */

import { type FgdCheckpoint, podFromOpenb, readOpenbNodes, runFgdOnce, sampleArrivals } from "@clustersim/rl";
import { typicalPods } from "@clustersim/schedulers";
import { serveInWorker } from "@clustersim/sim-core";
import { loadOpenbPods, type OpenbPod } from "@clustersim/workloads";

export interface FgdSeedJob {
  podsFile: string;
  nodesFile: string;
  seed: number;
  checkpoints: number[];
  policies: string[];
  tieBreak: "first" | "random";
}

let loaded: { key: string; pool: OpenbPod[]; nodes: Awaited<ReturnType<typeof readOpenbNodes>> } | undefined;

const api = {
  async runSeed(job: FgdSeedJob): Promise<FgdCheckpoint[][]> {
    const key = `${job.podsFile}\n${job.nodesFile}`;
    if (loaded?.key !== key) {
      const pool: OpenbPod[] = [];
      for await (const p of loadOpenbPods(job.podsFile)) pool.push(p);
      loaded = { key, pool, nodes: await readOpenbNodes(job.nodesFile) };
    }
    const gpus = loaded.nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
    const typical = typicalPods(loaded.pool.map(podFromOpenb));
    const arrivals = sampleArrivals(loaded.pool, gpus, job.checkpoints[job.checkpoints.length - 1], job.seed);
    return job.policies.map((s) =>
      runFgdOnce(loaded!.nodes, arrivals, typical, s, job.seed, job.checkpoints, job.tieBreak),
    );
  },
};

export type FgdWorkerApi = typeof api;

await serveInWorker(api);
