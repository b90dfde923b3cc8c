import { BATCH_POLICIES, type BatchPolicyName, type CompatJob, runCompatWindow } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { runEngineWindow } from "../env/engine-window.js";
import type { QueueEnv } from "../env/queue-env.js";
import { KernelNetworks } from "../networks/kernel-networks.js";
import { playEpisode } from "../rollouts/rollout.js";
import type { RlCheckpoint } from "../training/ppo-trainer.js";

/** One evaluation figure: a policy's mean over the windows of a trace. */
export interface EvalRow {
  task: "queue";
  trace: string;
  backfill: boolean;
  policy: string;
  metric: "boundedSlowdown" | "utilisation";
  /** The mean over the windows. */
  value: number;
  /** The value on each window, in the order of the windows' starts (for its spread). */
  windows: number[];
}

export interface QueueWindows {
  /** A name for the trace in the rows (its file name). */
  trace: string;
  jobs: readonly CompatJob[];
  nodes: number;
  procsPerNode: number;
  /** Job index where each window starts, and the jobs per window. */
  starts: readonly number[];
  windowJobs: number;
  /** Whose physics the heuristics run in (as the agents' environment): the paper's (default) or the engine's. */
  semantics?: "compat" | "engine";
}

/**
 * A trained agent and the queue heuristics on the same windows, without and with backfilling: mean
 * bounded slowdown and utilisation over the windows. The agent picks its likeliest job (greedy);
 * `env` must be the queue environment over `w.jobs` with `w.windowJobs` jobs per episode. An agent
 * whose scores are not finite is refused (an InputError naming its `file`, or its name, and the layer).
 */
export function evaluateQueue(
  env: (backfill: boolean) => QueueEnv,
  w: QueueWindows,
  agents: { name: string; checkpoint: RlCheckpoint; file?: string }[],
  o: { randomPolicy?: boolean } = {},
): EvalRow[] {
  const rows: EvalRow[] = [];
  const push = (backfill: boolean, policy: string, bsld: number[], util: number[]) => {
    const row = (metric: EvalRow["metric"], windows: number[]) =>
      rows.push({ task: "queue", trace: w.trace, backfill, policy, metric, value: mean(windows), windows });
    row("boundedSlowdown", bsld);
    row("utilisation", util);
  };
  const nets = new KernelNetworks();
  const ws = nets.workspace();
  for (const backfill of [false, true]) {
    for (const policy of BATCH_POLICIES as readonly BatchPolicyName[]) {
      const run = w.semantics === "engine" ? runEngineWindow : runCompatWindow;
      const r = w.starts.map((s) =>
        run(w.jobs, s, w.windowJobs, { nodes: w.nodes, procsPerNode: w.procsPerNode, backfill, policy }),
      );
      push(
        backfill,
        policy,
        r.map((x) => x.boundedSlowdown),
        r.map((x) => x.utilisation),
      );
    }
    const e = env(backfill);
    for (const a of agents) {
      const params = Float64Array.from(a.checkpoint.params);
      const r = w.starts.map((start) =>
        playEpisode(e, nets, params, ws, { seed: 0, start, choice: "greedy", values: false, check: a.file ?? a.name }),
      );
      push(
        backfill,
        a.name,
        r.map((x) => x.metrics.boundedSlowdown!),
        r.map((x) => x.metrics.utilisation!),
      );
    }
    if (o.randomPolicy) {
      // The untrained baseline: a job drawn uniformly among those shown (seeded per window).
      const r = w.starts.map((start, i) => {
        const rng = new RandomStreams(1).fresh(`random-policy/${i}`);
        let { info } = e.reset(0, start);
        for (;;) {
          const n = info.mask.indexOf(0) < 0 ? info.mask.length : info.mask.indexOf(0);
          const s = e.step(Math.floor(rng.next() * n));
          if (s.terminated) return s.info;
          info = s.info;
        }
      });
      push(
        backfill,
        "random",
        r.map((x) => x.boundedSlowdown!),
        r.map((x) => x.utilisation!),
      );
    }
  }
  return rows;
}

function mean(x: readonly number[]): number {
  return x.reduce((s, v) => s + v, 0) / x.length;
}
