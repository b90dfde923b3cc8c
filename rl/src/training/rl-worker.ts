/**
 * Worker thread of RL training (./rl-compute.ts): plays episodes and computes gradient parts. It reads
 * the environment's data once and keeps it; each call carries the parameters it is to use.
 */
import { serveInWorker } from "@clustersim/sim-core";
import type { RlEnvConfig } from "../config/env-config.js";
import { partGradient, type RlTask, type RlWorkerApi } from "./rl-compute.js";
import { rlTaskOf } from "./rl-tasks.js";

let task: { key: string; task: RlTask } | undefined;

async function taskFor(config: RlEnvConfig): Promise<RlTask> {
  const key = JSON.stringify(config);
  if (task?.key !== key) task = { key, task: await rlTaskOf(config) };
  return task.task;
}

const api: RlWorkerApi = {
  async episode(o) {
    return (await taskFor(o.config)).episode(o.params, o.job);
  },
  async gradient(o) {
    return partGradient((await taskFor(o.config)).nets, o.kind, o.params, o.part, o.total, o.clipRatio);
  },
};

await serveInWorker(api);
