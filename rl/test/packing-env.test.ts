import { ClusterState } from "@clustersim/hardware-models";
import {
  type FgdData,
  fgdEpisode,
  fgdPackingEnv,
  learnedPlacementScore,
  type PackingEnv,
  PLACEMENT_FEATURES,
  PLACEMENT_STATE,
  PlacementNetworks,
  playPackingEpisode,
  readFgdData,
  sampleArrivals,
} from "@clustersim/rl";
import { createLearnedPlacement, createPlacement, type PlacementStrategy } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { beforeAll, describe, expect, it } from "vitest";

const OPENB = new URL("../../../shared/traces/alibaba-gpu-v2023/", import.meta.url).pathname;

let data: FgdData;
beforeAll(async () => {
  data = await readFgdData(`${OPENB}openb_pod_list_default.csv`, `${OPENB}openb_node_list_gpu_node.csv`);
});

const gpuMilli = (p: { gpus?: number; gpuMilli?: number }) => (p.gpus ?? 0) * (p.gpuMilli ?? 0);

/** Play an episode with a heuristic deciding on the environment's cluster; every step's reward and the end. */
function playHeuristic(env: PackingEnv, seed: number, strategy: PlacementStrategy) {
  let { info } = env.reset(seed);
  const rewards: number[] = [];
  const nodes: number[] = [];
  while (env.pendingPod) {
    const pod = env.pendingPod;
    const d = strategy.decide(env.view, pod)!;
    const s = env.step(d.node);
    strategy.bound?.(env.view, pod, d);
    rewards.push(s.reward);
    nodes.push(d.node);
    info = s.info;
  }
  return { rewards, nodes, info };
}

describe("packing environment (GPU placement under FGD's protocol)", () => {
  it("builds the reproduction's episode on the whole cluster: its node order and its arrivals", () => {
    const e = fgdEpisode(data, 1.3, 0, 42);
    const gpus = data.nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
    expect(e.nodes).toEqual(new RandomStreams(42).get("node-order").shuffle([...data.nodes]));
    expect(e.pods).toEqual(sampleArrivals(data.pool, gpus, 1.3, 42));
    // Arrivals stop short of 130% of the cluster's GPUs, within one pod.
    const arrived = e.pods.reduce((s, p) => s + gpuMilli(p), 0) / (gpus * 1000);
    expect(arrived).toBeLessThanOrEqual(1.3);
    expect(arrived).toBeGreaterThan(1.29);
  });

  it("rewards sum to the final GPU allocation less the arrived load, as a direct placement loop counts them", () => {
    const env = fgdPackingEnv(data, 1.3, 96);
    const strategy = () =>
      createPlacement("gpu-best-fit", { tieBreak: "first" }, { rng: new RandomStreams(3).get("s") });
    const played = playHeuristic(env, 7, strategy());
    // The same episode placed by the same heuristic outside the environment.
    const e = fgdEpisode(data, 1.3, 96, 7);
    const cluster = new ClusterState([...e.nodes]);
    const s = strategy();
    let allocated = 0;
    let failed = 0;
    for (const pod of e.pods) {
      const d = s.decide(cluster, pod);
      if (!d) {
        failed++;
        continue;
      }
      cluster.place(d.node, pod);
      s.bound?.(cluster, pod, d);
      allocated += gpuMilli(pod);
    }
    const capacity = e.nodes.reduce((x, n) => x + (n.gpus ?? 0), 0) * 1000;
    const arrived = e.pods.reduce((x, p) => x + gpuMilli(p), 0);
    expect(failed).toBeGreaterThan(0); // 130% load: some pods must fail
    expect(played.info.failedPods).toBe(failed);
    expect(played.info.allocation).toBe(allocated / capacity);
    expect(played.info.arrivedLoad).toBe(arrived / capacity);
    const sum = played.rewards.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(allocated / capacity - arrived / capacity, 12);
    // Nothing fails while the cluster is nearly empty: the first rewards are zero.
    expect(played.rewards.slice(0, 50).every((r) => r === 0)).toBe(true);
  });

  it("masks the nodes a pod does not fit and refuses them; the same seed gives the same episode", () => {
    const env = fgdPackingEnv(data, 1.3, 32);
    let { observation, info } = env.reset(11);
    expect(observation).toHaveLength(32 * PLACEMENT_FEATURES + PLACEMENT_STATE);
    let refused = 0;
    let steps = 0;
    while (env.pendingPod) {
      const pod = env.pendingPod;
      for (let n = 0; n < env.nodeCount; n++) {
        expect(info.mask[n], `node ${n}`).toBe(env.view.fits(n, pod) ? 1 : 0);
        // A node's row is zero where the pod does not fit.
        if (!info.mask[n]) expect(observation[n * PLACEMENT_FEATURES + 1]).toBe(0);
      }
      const masked = info.mask.indexOf(0);
      if (masked >= 0) {
        expect(() => env.step(masked)).toThrow(/masked out/);
        refused++;
      }
      const s = env.step(info.candidates[info.candidates.length - 1]!);
      observation = s.observation;
      info = s.info;
      steps++;
    }
    expect(refused).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(100);
    expect(() => env.step(0)).toThrow(/no episode under way/);
    // Determinism: the same seed and actions, the same rewards and observations; another seed differs.
    const nets = new PlacementNetworks(32);
    const params = nets.init(new RandomStreams(1).get("init"));
    const run = (seed: number) =>
      playPackingEpisode(env, nets, params, nets.workspace(), {
        seed,
        choice: "sample",
        rng: new RandomStreams(5).fresh("actions"),
      });
    const a = run(11);
    expect(a.action.length).toBeGreaterThan(100);
    expect(run(11)).toEqual(a);
    expect(run(12).rows).not.toEqual(a.rows);
  });

  it("a trained agent as a strategy makes the environment's greedy choices", () => {
    const nets = new PlacementNetworks(64);
    const params = nets.init(new RandomStreams(9).get("init"));
    const env = fgdPackingEnv(data, 1.3, 64);
    const chosen: number[] = [];
    const greedy = playPackingEpisode(env, nets, params, nets.workspace(), {
      seed: 4,
      choice: "greedy",
      onNode: (n) => chosen.push(n),
    });
    const asStrategy = playHeuristic(
      env,
      4,
      createLearnedPlacement(learnedPlacementScore({ params }, data.typical), new RandomStreams(0).get("s")),
    );
    expect(asStrategy.nodes).toEqual(chosen);
    expect(asStrategy.info.allocation).toBe(greedy.metrics.allocation);
  });
});
