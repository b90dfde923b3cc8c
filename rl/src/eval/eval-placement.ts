import { basename } from "node:path";
import { createLearnedPlacement, type StrategyContext } from "@clustersim/schedulers";
import { learnedPlacementScore, type PlacementAgent } from "../agents/learned-placement.js";
import { readFgdData, sampleArrivals } from "../protocols/fgd-data.js";
import { FGD_POLICIES, runFgdOnce } from "../protocols/fgd-run.js";

/** One placement figure: a policy's mean GPU allocation (%) at the end of FGD's protocol over the seeds. */
export interface PlacementEvalRow {
  task: "placement";
  trace: string;
  policy: string;
  metric: "gpuAllocationPct";
  value: number;
}

/**
 * Trained placement agents and FGD's heuristics under FGD's protocol (../protocols/fgd-run.ts) on one pod
 * list and node list: for each seed the same arrivals up to `load` and the same node order for every
 * policy; the figure is the GPU allocation when arrivals stop, averaged over the seeds (the artifact's
 * 42…51 by default). The agents place greedily (their best-scored node).
 */
export async function evaluatePlacement(o: {
  podsFile: string;
  nodesFile: string;
  agents: readonly { name: string; agent: PlacementAgent }[];
  seeds?: readonly number[];
  load?: number;
  heuristics?: readonly string[];
}): Promise<PlacementEvalRow[]> {
  const d = await readFgdData(o.podsFile, o.nodesFile);
  const load = o.load ?? 1.3;
  const seeds = o.seeds ?? Array.from({ length: 10 }, (_, i) => 42 + i);
  const gpus = d.nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
  const heuristics = o.heuristics ?? FGD_POLICIES.map((p) => p.strategy);
  const policies: { name: string; strategy: Parameters<typeof runFgdOnce>[3] }[] = [
    ...heuristics.map((h) => ({ name: h, strategy: h })),
    ...o.agents.map((a) => ({
      name: a.name,
      strategy: (ctx: StrategyContext) => createLearnedPlacement(learnedPlacementScore(a.agent, d.typical), ctx.rng),
    })),
  ];
  const sums = new Float64Array(policies.length);
  for (const seed of seeds) {
    const arrivals = sampleArrivals(d.pool, gpus, load, seed);
    policies.forEach((p, k) => {
      sums[k] += runFgdOnce(d.nodes, arrivals, d.typical, p.strategy, seed, [load]).at(-1)!.allocationPct;
    });
  }
  return policies.map((p, k) => ({
    task: "placement",
    trace: basename(o.podsFile),
    policy: p.name,
    metric: "gpuAllocationPct",
    value: sums[k]! / seeds.length,
  }));
}
