import type { LoadedPackingConfig } from "./packing-config.js";
import type { LoadedQueueConfig } from "./rl-config.js";

/** An RL environment file, read: the queue (env: queue) or GPU placement (env: packing). */
export type RlEnvConfig = LoadedQueueConfig | LoadedPackingConfig;
