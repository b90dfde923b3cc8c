import type { ClusterView } from "@clustersim/hardware-models";
import type { CycleContext, ScorePlugin, TypicalPod } from "@clustersim/schedulers";
import { checkCheckpoint } from "../checkpoint/checkpoint-check.js";
import { checkFiniteOutputs } from "../networks/finite-outputs.js";
import { featureScratch, nodeFragment, PLACEMENT_FEATURES, placementRow } from "../networks/placement-features.js";
import { PlacementNetworks } from "../networks/placement-networks.js";

/**
 * A trained placement agent (a `clustersim train-rl` checkpoint of PlacementNetworks) as a score
 * plugin: each node the pod fits scores the actor's output on its row
 * (../networks/placement-features.ts), so a profile that takes the best node (ties: the first) makes
 * the agent's greedy choice. A node's score is kept per pod shape until something is bound to or
 * leaves the node, as FGD's scores are (schedulers/src/placement/fgd.ts): the run must pass its bind
 * and release notices on. A change of the node's free CPU or memory that comes without one (a warm
 * pool's memory holds) also renews them. A score that is not finite stops the run with an InputError
 * naming the checkpoint and the layer (../networks/finite-outputs.ts): a NaN would pick a node
 * arbitrarily.
 */
export interface PlacementAgent {
  params: Float64Array;
  /** Names the checkpoint when its scores overflow (default: "the placement agent"). */
  where?: string;
}

/** A checkpoint's JSON checked (checkCheckpoint) and read as a placement agent; `where` names it in messages. */
export function placementAgent(json: unknown, where: string): PlacementAgent {
  const { checkpoint } = checkCheckpoint(json, where, { kinds: ["placement"] });
  return { params: Float64Array.from(checkpoint.params), where };
}

export function learnedPlacementScore(agent: PlacementAgent, typical: readonly TypicalPod[]): ScorePlugin {
  const nets = new PlacementNetworks(1);
  const ws = nets.actor.workspace(1);
  // Float32, as the environment's observations: the agent scores exactly the rows it trained on.
  const row = new Float32Array(PLACEMENT_FEATURES);
  const scratch = featureScratch();
  const fragOf: (number | undefined)[] = [];
  const perNode: (Map<string, number> | undefined)[] = [];
  // The free CPU and memory each node's scores were computed at: what changes a node without a bind
  // notice (a warm pool's memory holds) makes them stale too.
  let cpuAt = new Float64Array(0);
  let memAt = new Float64Array(0);
  let lastPod: unknown;
  let shape = "";
  const forget = (_view: ClusterView, _pod: unknown, node: number) => {
    perNode[node] = undefined;
    fragOf[node] = undefined;
  };
  return {
    name: "LearnedPlacement",
    score(ctx: CycleContext, node: number) {
      const { view, pod } = ctx;
      if (pod !== lastPod) {
        lastPod = pod;
        shape = `${pod.cpuMilli}/${pod.memoryMiB}/${pod.gpus ?? 0}/${pod.gpuMilli ?? 0}`;
      }
      if (cpuAt.length < view.nodeCount) {
        cpuAt = new Float64Array(view.nodeCount);
        memAt = new Float64Array(view.nodeCount);
      }
      const cpu = view.freeCpuMilli(node);
      const mem = view.freeMemoryMiB(node);
      if (perNode[node] && (cpuAt[node] !== cpu || memAt[node] !== mem)) forget(view, pod, node);
      cpuAt[node] = cpu;
      memAt[node] = mem;
      const m = (perNode[node] ??= new Map());
      let s = m.get(shape);
      if (s === undefined) {
        const before = (fragOf[node] ??= nodeFragment(view, node, typical, scratch));
        placementRow(view, node, pod, typical, before, row, 0, scratch);
        s = nets.actor.forward(agent.params, row, 1, ws)[0]!;
        checkFiniteOutputs(nets.actor, ws, "actor", agent.where ?? "the placement agent");
        m.set(shape, s);
      }
      return s;
    },
    onBind: forget,
    onRelease: forget,
  };
}
