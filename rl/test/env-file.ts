import { readFileSync } from "node:fs";
import {
  locatePackingFiles,
  locateQueueFiles,
  PackingEnvConfig,
  QueueEnvConfig,
  type RlEnvConfig,
} from "@clustersim/rl";
import { parse } from "yaml";

/**
 * An RL environment file as train-rl reads it, for rl's own tests: YAML, rl's schema by its `env:`, its
 * data files located. (scenarios' loadRlEnvConfig, a layer above, also names each problem's line.)
 */
export function readEnvFile(file: string): RlEnvConfig {
  const data = parse(readFileSync(file, "utf8")) as { env?: unknown };
  return data.env === "packing"
    ? locatePackingFiles(PackingEnvConfig.parse(data), file)
    : locateQueueFiles(QueueEnvConfig.parse(data), file);
}
