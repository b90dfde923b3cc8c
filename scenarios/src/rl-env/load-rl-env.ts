import { readFileSync } from "node:fs";
import {
  InputError,
  type LoadedPackingConfig,
  type LoadedQueueConfig,
  locatePackingFiles,
  locateQueueFiles,
  PackingEnvConfig,
  QueueEnvConfig,
  type RlEnvConfig,
} from "@clustersim/rl";
import { parse } from "yaml";
import { loadYamlFile } from "../schema/load-spec.js";

/**
 * Reading RL environment files (`clustersim train-rl`, `env serve`): YAML validated against
 * @clustersim/rl's schemas, each problem named with its file, line and field as a scenario's are
 * (loadYamlFile), then the data files they name located (rl's locateQueueFiles, locatePackingFiles).
 * What the files mean is rl's; here they are only read.
 */

/** Whether `file` is an RL environment file (a top-level `env:` key) rather than a scenario. */
export function isEnvConfigFile(file: string): boolean {
  try {
    const doc = parse(readFileSync(file, "utf8")) as unknown;
    return typeof doc === "object" && doc !== null && "env" in doc;
  } catch {
    return false; // the scenario loader reports what is wrong with it
  }
}

/** A queue environment file (env: queue), its trace located. */
export function loadQueueEnvConfig(file: string): LoadedQueueConfig {
  return locateQueueFiles(loadYamlFile(file, QueueEnvConfig, "RL environment file"), file);
}

/** A GPU placement environment file (env: packing), its node and pod lists located. */
export function loadPackingEnvConfig(file: string): LoadedPackingConfig {
  return locatePackingFiles(loadYamlFile(file, PackingEnvConfig, "RL environment file"), file);
}

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
