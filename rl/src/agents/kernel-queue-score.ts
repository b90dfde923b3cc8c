import type { QueuedJob, QueueScore } from "@clustersim/schedulers";
import { FEATURES, KernelNetworks } from "../networks/kernel-networks.js";

/**
 * A trained queue agent (a `clustersim train-rl` checkpoint) as a batch-queue order: each waiting job
 * gets the actor kernel's score from the features it saw in training, and the queue runs highest score
 * first, so the job at its head is the one the agent would pick. Features as the queue environment
 * builds them (../env/queue-env.ts): wait / 12 h, requested time / the training trace's longest
 * run, processors / the machine's, then requested memory, user, group and executable (runs carry none
 * of these: 1, as unknown values read in training), then whether the job fits the free capacity now.
 */
export interface KernelAgent {
  /** The networks' parameters (the actor's come first). */
  params: Float64Array;
  /** The training trace's longest run, seconds. */
  maxExecS: number;
}

const MAX_WAIT_S = 12 * 3600;
const HI = 1 - 1e-5;
const LO = 1e-5;

/** A checkpoint's JSON checked and read as an agent; `where` names it in messages. */
export function kernelAgent(json: unknown, where: string): KernelAgent {
  const c = json as {
    format?: unknown;
    version?: unknown;
    networks?: unknown;
    params?: unknown;
    normalisers?: { maxExecS?: unknown };
  };
  if (c?.format !== "clustersim-rl-checkpoint" || c.version !== 1 || c.networks !== "rlscheduler-kernel")
    throw new RangeError(
      `${where}: expected a clustersim RL checkpoint of the kernel networks (train-rl), found something else`,
    );
  const n = new KernelNetworks().paramCount;
  if (!Array.isArray(c.params) || c.params.length !== n || !c.params.every((x) => Number.isFinite(x)))
    throw new RangeError(
      `${where}: expected ${n} finite parameters, found ${Array.isArray(c.params) ? c.params.length : "none"}`,
    );
  const maxExecS = c.normalisers?.maxExecS;
  if (typeof maxExecS !== "number" || !(maxExecS > 0))
    throw new RangeError(`${where}: expected normalisers.maxExecS > 0, found ${String(maxExecS)}`);
  return { params: Float64Array.from(c.params as number[]), maxExecS };
}

/**
 * The agent's queue order for a machine of `maxProcs` processors; `fitsNow` tells whether a job fits
 * the free capacity at the moment the queue is ordered.
 */
export function kernelQueueScore(
  agent: KernelAgent,
  maxProcs: number,
  fitsNow: (job: QueuedJob) => boolean,
): QueueScore {
  const nets = new KernelNetworks();
  const ws = nets.actor.workspace(1);
  const x = new Float64Array(FEATURES);
  return (job, waitS) => {
    x[0] = Math.min(Math.max(waitS, 0) / MAX_WAIT_S, HI);
    x[1] = Math.min(job.reqTimeS / agent.maxExecS, HI);
    x[2] = Math.min(job.procs / maxProcs, HI);
    x.fill(1, 3, 7);
    x[7] = fitsNow(job) ? HI : LO;
    return -nets.actor.forward(agent.params, x, 1, ws)[0]!;
  };
}
