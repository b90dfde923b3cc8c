import type { QueuedJob, QueueScore } from "@clustersim/schedulers";
import { checkCheckpoint } from "../checkpoint/checkpoint-check.js";
import { checkFiniteOutputs } from "../networks/finite-outputs.js";
import { FEATURES, KernelNetworks } from "../networks/kernel-networks.js";
import type { RlCheckpoint } from "../training/ppo-trainer.js";

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
  /** Names the checkpoint when its scores overflow (default: "the queue agent"). */
  where?: string;
}

const MAX_WAIT_S = 12 * 3600;
const HI = 1 - 1e-5;
const LO = 1e-5;

/** A checkpoint's JSON checked (checkCheckpoint) and read as a queue agent; `where` names it in messages. */
export function kernelAgent(json: unknown, where: string): KernelAgent {
  const { checkpoint } = checkCheckpoint(json, where, { kinds: ["queue"] }) as { checkpoint: RlCheckpoint };
  return { params: Float64Array.from(checkpoint.params), maxExecS: checkpoint.normalisers.maxExecS, where };
}

/**
 * The agent's queue order for a machine of `maxProcs` processors; `fitsNow` tells whether a job fits
 * the free capacity at the moment the queue is ordered. A score that is not finite stops the run with
 * an InputError naming the checkpoint and the layer (../networks/finite-outputs.ts): a NaN would
 * order the queue arbitrarily.
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
    const score = nets.actor.forward(agent.params, x, 1, ws)[0]!;
    checkFiniteOutputs(nets.actor, ws, "actor", agent.where ?? "the queue agent");
    return -score;
  };
}
