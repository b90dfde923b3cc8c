import type { Rng } from "@clustersim/sim-core";
import { z } from "zod";
import { RUNTIME_ESTIMATES } from "./batch/runtime-prediction.js";
import { BATCH_POLICIES } from "./batch/scores.js";
import { Profile } from "./framework/profile.js";
import type { PlacementStrategy, Pod, ScorePlugin } from "./framework/types.js";
import { bestFit, firstFit, worstFit } from "./placement/direct-strategies.js";
import { fgd } from "./placement/fgd.js";
import { fitsFilter } from "./placement/fits-filter.js";
import { type TypicalPod, typicalPods } from "./placement/gpu-fragmentation.js";
import { dotProduct, gpuBestFit, gpuClustering, gpuPacking, randomGpu, randomScore } from "./placement/gpu-scorers.js";
import { nodeAffinity, taintToleration } from "./placement/kubernetes-preferences.js";
import { balancedAllocation, leastAllocated, mostAllocated } from "./placement/kubernetes-resources.js";
import { defaultProfileKernel } from "./placement/kubernetes-score-kernel.js";
import {
  loadAware,
  type NodeLoad,
  type NodeLoadOptions,
  nodeLoadOptions,
  PREDICTION_SETTINGS,
  trendSettingsOnlyForTrend,
} from "./placement/load-aware.js";

/** What a strategy may draw on when it is built for a run. */
export interface StrategyContext {
  /** The scheduler's random stream (ties, random choices). */
  rng: Rng;
  /** The pods the run will see, or a sample of them (FGD's workload distribution). */
  workload?: readonly Pod[];
  /** FGD's pod-type distribution, when the caller has it already (overrides `workload`). */
  typicalPods?: readonly TypicalPod[];
  /**
   * A trained placement agent's node scorer for the given pod types (rl-placement): made by the caller
   * from the strategy's `checkpoint` (@clustersim/rl's learnedPlacementScore); called once per strategy.
   */
  learnedScore?: (typical: readonly TypicalPod[]) => ScorePlugin;
  /** The run's prediction of node usage, made with the strategy's settings (load-aware); absent: none. */
  nodeLoad?: (o: NodeLoadOptions) => NodeLoad;
}

// biome-ignore lint/suspicious/noExplicitAny: strategy entries of every parameter type live in one list
type AnyStrategyEntry = StrategyEntry<any>;

export interface StrategyEntry<P = unknown> {
  name: string;
  kind: "placement" | "queue";
  summary: string;
  params: z.ZodType<P>;
  /** True when the strategy reads node usage (StrategyContext's nodeLoad), which only online runs measure. */
  readsNodeUsage?: boolean;
  /** Placement strategies only; queue policies are built by the batch run. */
  create?(params: P, ctx: StrategyContext): PlacementStrategy;
}

/** Upstream's adaptive default (0) or a percentage in (0, 100]. */
const Percentage = z.number().min(0).max(100);
const scoring = (defaultPct: number) =>
  z.strictObject({
    percentageOfNodesToScore: Percentage.default(defaultPct),
    tieBreak: z
      .enum(["random", "first"])
      .default("random")
      .meta({ description: "among equally good nodes: uniformly random (upstream), or the first in node order" }),
  });

function profile(
  name: string,
  score: { plugin: ScorePlugin; weight: number }[],
  p: { percentageOfNodesToScore: number; tieBreak: "random" | "first" },
  rng: Rng,
  extra: Partial<ConstructorParameters<typeof Profile>[0]> = {},
) {
  return new Profile(
    {
      name,
      filter: [fitsFilter],
      score,
      percentageOfNodesToScore: p.percentageOfNodesToScore,
      tieBreak: p.tieBreak,
      ...extra,
    },
    rng,
  );
}

const entries: AnyStrategyEntry[] = [
  {
    name: "first-fit",
    kind: "placement",
    summary: "lowest-numbered node that fits",
    params: z.strictObject({}),
    create: () => firstFit(),
  },
  {
    name: "best-fit",
    kind: "placement",
    summary: "least free CPU (then memory) left, via the placement index",
    params: z.strictObject({}),
    create: () => bestFit(),
  },
  {
    name: "worst-fit",
    kind: "placement",
    summary: "most free CPU (then memory) left",
    params: z.strictObject({}),
    create: () => worstFit(),
  },
  {
    name: "random",
    kind: "placement",
    summary: "a feasible node uniformly at random; a share on a random GPU",
    params: scoring(100),
    create: (p, { rng }) => {
      const r = randomScore();
      return profile("random", [{ plugin: r, weight: 1 }], p, rng, { preScore: [r], reserve: [randomGpu] });
    },
  },
  {
    name: "kubernetes-default",
    kind: "placement",
    summary:
      "kube-scheduler v1.33's default scoring: TaintToleration 3, NodeAffinity 2, LeastAllocated 1, BalancedAllocation 1, adaptive node sampling",
    params: scoring(0),
    // Upstream's default profile (pkg/scheduler/apis/config/v1/default_plugins.go) also scores
    // PodTopologySpread (2), InterPodAffinity (2) and ImageLocality (1): the simulator has no spread
    // constraints, pod affinity or images, where upstream gives every node the same score, so leaving
    // them out changes no choice.
    create: (p, { rng }) =>
      profile(
        "kubernetes-default",
        [
          { plugin: taintToleration, weight: 3 },
          { plugin: nodeAffinity, weight: 2 },
          { plugin: leastAllocated, weight: 1 },
          { plugin: balancedAllocation, weight: 1 },
        ],
        p,
        rng,
        { scoreKernel: defaultProfileKernel(3, 2, 1, 1) },
      ),
  },
  {
    name: "load-aware",
    kind: "placement",
    readsNodeUsage: true,
    summary:
      "Koordinator's LoadAwareScheduling: nodes filtered and scored by predicted CPU usage (the recent mean, or a trend's upper bound over the pod's lifetime) instead of requests",
    params: scoring(0)
      .extend({
        cpuThreshold: z.number().gt(0).max(1).default(0.65).meta({
          description:
            "a node whose predicted CPU usage with the pod would pass this share of its allocatable is filtered out (Koordinator's usageThresholds cpu, 65%)",
        }),
        estimatedCpuShare: z.number().gt(0).max(1).default(0.85).meta({
          description:
            "a new pod's CPU usage as a share of its request (Koordinator's estimatedScalingFactors cpu, 85%)",
        }),
        ...PREDICTION_SETTINGS,
        predictor: PREDICTION_SETTINGS.predictor.meta({
          description:
            "average: the mean of the last 5 minutes' samples (Koordinator); trend: a line fitted to the last `window` minutes, its upper bound at `risk` over the pod's expected lifetime",
        }),
      })
      .refine(...trendSettingsOnlyForTrend),
    create: (p, { rng, nodeLoad }) => {
      if (!nodeLoad) throw new Error("load-aware: this run measures no node usage (online runs only)");
      const prediction = nodeLoadOptions(p);
      const plugin = loadAware(nodeLoad(prediction), {
        cpuThreshold: p.cpuThreshold,
        estimatedCpuShare: p.estimatedCpuShare,
        prediction,
      });
      return profile(
        "load-aware",
        [
          { plugin: taintToleration, weight: 3 },
          { plugin: nodeAffinity, weight: 2 },
          { plugin, weight: 1 },
        ],
        p,
        rng,
        { filter: [fitsFilter, plugin], reserve: [plugin] },
      );
    },
  },
  {
    name: "least-allocated",
    kind: "placement",
    summary: "spread: most free CPU and memory after placement",
    params: scoring(0),
    create: (p, { rng }) => profile("least-allocated", [{ plugin: leastAllocated, weight: 1 }], p, rng),
  },
  {
    name: "most-allocated",
    kind: "placement",
    summary: "pack: least free CPU and memory after placement",
    params: scoring(0),
    create: (p, { rng }) => profile("most-allocated", [{ plugin: mostAllocated, weight: 1 }], p, rng),
  },
  {
    name: "dot-product",
    kind: "placement",
    summary: "Tetris alignment of free (CPU, GPU) with the request",
    params: scoring(100),
    create: (p, { rng }) => profile("dot-product", [{ plugin: dotProduct, weight: 1 }], p, rng),
  },
  {
    name: "gpu-packing",
    kind: "placement",
    summary: "shares on used GPUs, then free GPUs on used nodes, then idle nodes",
    params: scoring(100),
    create: (p, { rng }) => profile("gpu-packing", [{ plugin: gpuPacking, weight: 1 }], p, rng),
  },
  {
    name: "gpu-clustering",
    kind: "placement",
    summary: "keep pods of one GPU shape on the same nodes",
    params: scoring(100),
    create: (p, { rng }) => profile("gpu-clustering", [{ plugin: gpuClustering(), weight: 1 }], p, rng),
  },
  {
    name: "gpu-best-fit",
    kind: "placement",
    summary: "least CPU and GPU left over, normalised by the largest node (FGD's BestFit baseline)",
    params: scoring(100),
    create: (p, { rng }) => profile("gpu-best-fit", [{ plugin: gpuBestFit, weight: 1 }], p, rng),
  },
  {
    name: "fgd",
    kind: "placement",
    summary: "fragmentation gradient descent (ATC'23) against the workload's pod-type distribution",
    params: scoring(100).extend({ coverage: z.number().gt(0).max(1).default(0.95) }),
    create: (p, { rng, workload, typicalPods: given }) => {
      const f = fgd(given ?? typicalPods(workload ?? [], p.coverage));
      return profile("fgd", [{ plugin: f, weight: 1 }], p, rng, { reserve: [f] });
    },
  },
  {
    name: "rl-placement",
    kind: "placement",
    summary:
      "GPU placement by a trained agent (a train-rl checkpoint of the placement networks): every node scored, the best taken",
    params: z.strictObject({
      checkpoint: z.string().meta({ description: "the checkpoint file, relative to the scenario" }),
      coverage: z.number().gt(0).max(1).default(0.95).meta({
        description: "share of the workload whose pod types the fragmentation features count (FGD's)",
      }),
    }),
    create: (p, { rng, workload, typicalPods: given, learnedScore }) => {
      if (!learnedScore) throw new Error(`rl-placement: the agent of ${p.checkpoint} was not loaded`);
      return createLearnedPlacement(learnedScore(given ?? typicalPods(workload ?? [], p.coverage)), rng);
    },
  },
  {
    name: "rl-kernel",
    kind: "queue",
    summary:
      "batch queue ordered by a trained agent (a train-rl checkpoint of RLScheduler's kernel networks), optionally with EASY backfilling",
    params: z.strictObject({
      checkpoint: z.string().meta({ description: "the checkpoint file, relative to the scenario" }),
      backfill: z.enum(["none", "easy"]).default("none"),
      placement: z.string().default("first-fit"),
    }),
  },
  ...BATCH_POLICIES.map(
    (name): StrategyEntry => ({
      name,
      kind: "queue",
      summary: `batch queue ordered by ${name.toUpperCase()}, optionally with EASY backfilling`,
      params: z.strictObject({
        backfill: z.enum(["none", "easy"]).default("none"),
        placement: z.string().default("first-fit"),
        runtime: z.enum(RUNTIME_ESTIMATES).default("requested").meta({
          description:
            "the run time the queue orders and backfills by: the user's request, or predicted from the user's last two completed jobs (Tsafrir et al., TPDS 2007)",
        }),
        backfillOrder: z.enum(["arrival", "shortest"]).default("arrival").meta({
          description:
            "the order backfilling tries the waiting jobs in: arrival (EASY), or shortest estimated run time first (SJBF, as EASY++ does)",
        }),
      }),
    }),
  ),
];

const registry = new Map<string, AnyStrategyEntry>(entries.map((e) => [e.name, e]));

export function strategyNames(): string[] {
  return [...registry.keys()];
}

export function strategy(name: string): AnyStrategyEntry | undefined {
  return registry.get(name);
}

/**
 * A trained placement agent as a strategy, from its node scorer: every feasible node scored by the
 * agent, the best taken (ties: the first in node order), as its greedy choice in training.
 */
export function createLearnedPlacement(score: ScorePlugin, rng: Rng) {
  return profile(
    "rl-placement",
    [{ plugin: score, weight: 1 }],
    { percentageOfNodesToScore: 100, tieBreak: "first" },
    rng,
  );
}

/** Build a placement strategy by name with validated params; throws with the field at fault. */
export function createPlacement(name: string, params: unknown, ctx: StrategyContext): PlacementStrategy {
  const e = registry.get(name);
  if (!e) throw new Error(`unknown scheduler "${name}"; expected one of: ${strategyNames().join(", ")}`);
  if (!e.create) throw new Error(`"${name}" is a queue policy, not a placement strategy`);
  return e.create(e.params.parse(params ?? {}), ctx);
}
