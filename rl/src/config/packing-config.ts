import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "@clustersim/files";
import { z } from "zod";
import { PpoConfig } from "./rl-config.js";

/** PPO's settings for placement: validation is a set of greedy episodes (by seed) rather than windows. */
export const PackingPpoConfig = PpoConfig.omit({ validationStarts: true, validationJobs: true }).extend({
  validationSeeds: z.array(z.number().int().nonnegative()).max(100).default([]).meta({
    description:
      "episode seeds the greedy agent plays after each epoch; the epoch with the highest mean GPU allocation is kept (agent.json)",
  }),
});
export type PackingPpoConfig = z.output<typeof PackingPpoConfig>;

/**
 * An RL environment file of GPU pod placement under FGD's protocol (env: packing): an openb node list
 * and pod list, pods arriving until their GPU requests reach `load` of the cluster's GPUs.
 */
export const PackingEnvConfig = z.strictObject({
  env: z.literal("packing"),
  description: z.string().optional(),
  pods: z.string().meta({ description: "an openb pod list (CSV), relative to this file" }),
  nodes: z.string().meta({ description: "an openb node list (CSV), relative to this file" }),
  load: z.number().gt(0).max(10).default(1.3).meta({
    description: "arrivals stop before their GPU requests pass this share of the cluster's GPUs (FGD: 1.3)",
  }),
  nodesPerEpisode: z.number().int().min(0).max(100_000).default(0).meta({
    description:
      "nodes drawn (without replacement, per episode seed) from the node list for each episode; 0: all of them",
  }),
  train: PackingPpoConfig.default(PackingPpoConfig.parse({})),
});
export type PackingEnvConfig = z.output<typeof PackingEnvConfig>;
export type LoadedPackingConfig = PackingEnvConfig & { podsPath: string; nodesPath: string };

/**
 * A packing environment file's validated settings (read from `file`: scenarios' loadPackingEnvConfig)
 * with its lists located: resolved against the file's folder, and an InputError naming both if missing.
 */
export function locatePackingFiles(c: PackingEnvConfig, file: string): LoadedPackingConfig {
  const path = (field: "pods" | "nodes") => {
    const p = resolve(dirname(file), c[field]);
    if (!existsSync(p))
      throw new InputError(`${file}: ${field}: expected a readable openb CSV file, found no such file: ${p}`);
    return p;
  };
  return { ...c, podsPath: path("pods"), nodesPath: path("nodes") };
}
