import { readFileSync } from "node:fs";
import { KernelNetworks, PlacementNetworks } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { parse } from "yaml";
import { InputError } from "../errors.js";
import { readFgdData } from "../repro/fgd.js";
import type { RlEnvConfig } from "./env-config.js";
import { type LoadedPackingConfig, loadPackingEnvConfig } from "./packing-config.js";
import { fgdPackingEnv } from "./packing-episodes.js";
import { playPackingEpisode } from "./packing-rollout.js";
import type { RlTask } from "./rl-compute.js";
import { loadQueueEnvConfig, queueEnvOf } from "./rl-config.js";
import { playEpisode } from "./rollout.js";

export type { RlEnvConfig } from "./env-config.js";

/** The RL environment file at `file`, by its `env:` key. */
export function loadRlEnvConfig(file: string): RlEnvConfig {
  let env: unknown;
  try {
    env = (parse(readFileSync(file, "utf8")) as { env?: unknown } | null)?.env;
  } catch {
    env = undefined; // the loader below reports what is wrong with the file
  }
  if (env === "packing") return loadPackingEnvConfig(file);
  if (env === "queue" || env === undefined) return loadQueueEnvConfig(file);
  throw new InputError(`${file}: env: expected "queue" or "packing", found ${JSON.stringify(env)}`);
}

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
