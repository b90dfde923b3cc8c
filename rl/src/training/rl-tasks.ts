import { RandomStreams } from "@clustersim/sim-core";
import type { RlEnvConfig } from "../config/env-config.js";
import type { LoadedPackingConfig } from "../config/packing-config.js";
import { queueEnvOf } from "../config/rl-config.js";
import { fgdPackingEnv } from "../env/packing-episodes.js";
import { KernelNetworks } from "../networks/kernel-networks.js";
import { PlacementNetworks } from "../networks/placement-networks.js";
import { readFgdData } from "../protocols/fgd-data.js";
import { playPackingEpisode } from "../rollouts/packing-rollout.js";
import { playEpisode } from "../rollouts/rollout.js";
import type { RlTask } from "./rl-compute.js";

/** The most nodes a placement decision may offer in training: the episode's cluster. */
export function packingChoices(c: LoadedPackingConfig, nodeListLength: number): number {
  return c.nodesPerEpisode > 0 ? Math.min(c.nodesPerEpisode, nodeListLength) : nodeListLength;
}

/** A task's networks and its training episodes (actions drawn from each episode's stream). */
export async function rlTaskOf(c: RlEnvConfig): Promise<RlTask> {
  const stream = (job: { stream: string }) => new RandomStreams(c.train.seed).fresh(job.stream);
  if (c.env === "queue") {
    const env = await queueEnvOf(c);
    const nets = new KernelNetworks();
    return {
      nets,
      episode: (params, job) =>
        playEpisode(env, nets, params, nets.workspace(), { seed: job.seed, choice: "sample", rng: stream(job) }),
    };
  }
  const data = await readFgdData(c.podsPath, c.nodesPath);
  const env = fgdPackingEnv(data, c.load, c.nodesPerEpisode);
  const nets = new PlacementNetworks(packingChoices(c, data.nodes.length));
  const ws = nets.workspace();
  return {
    nets,
    episode: (params, job) =>
      playPackingEpisode(env, nets, params, ws, { seed: job.seed, choice: "sample", rng: stream(job) }),
  };
}
