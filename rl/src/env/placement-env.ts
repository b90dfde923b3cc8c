import { OnlineLoop, Run, type TaskSource } from "@clustersim/engine";
import type { ClusterState } from "@clustersim/hardware-models";
import { foundValue } from "./found-value.js";

/** One episode's run: its cluster and tasks (a synchronous source), and when it ends. */
export interface Episode {
  cluster: ClusterState;
  tasks: TaskSource;
  untilS?: number;
}

export interface PlacementEnvOptions {
  /** A fresh episode for a seed: the same seed gives the same cluster and tasks. */
  episode(seed: number): Episode;
  /** The resource whose allocated share rewards a step (default: GPUs when the cluster has any, else CPU). */
  resource?: "cpu" | "gpu";
  /** Steps after which an episode is cut short (truncated); default 1,000,000. */
  maxSteps?: number;
}

export interface StepResult {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: { mask: Uint8Array; timeS: number; task: number };
}

/**
 * Pod placement as a Gymnasium-shaped environment over the steppable run: each step places the pod
 * the run awaits a decision for. `reset(seed)` gives the first observation; `step(action)` takes a
 * node index, or `nodeCount` for "no node now" (the pod waits in kube-scheduler's queue and comes back
 * later), and runs to the next decision. `info.mask` marks the actions allowed (the nodes the pod fits,
 * and waiting, always); a masked-out action is refused.
 *
 * Observation (floats in [0, 1]), per node: free CPU, free memory and free GPU (thousandths over all
 * its GPUs) as shares of its allocatable; then the pod: its CPU and memory as shares of the largest
 * node's, and its GPU demand in GPUs (a share of one GPU, or whole GPUs capped at 1). Reward: the change
 * of the cluster's allocated share of the resource since the last decision (so an episode's rewards
 * sum to the share at its end: departures count too).
 */
export class PlacementEnv {
  private run: Run | undefined;
  private cluster!: ClusterState;
  private steps = 0;
  private lastShare = 0;
  private maxCpu = 1;
  private maxMem = 1;
  private useGpu = false;
  nodeCount = 0;

  constructor(private readonly o: PlacementEnvOptions) {}

  get observationSize(): number {
    return 3 * this.nodeCount + 3;
  }

  reset(seed: number): { observation: Float32Array; info: StepResult["info"] } {
    const e = this.o.episode(seed);
    this.cluster = e.cluster;
    this.nodeCount = e.cluster.nodeCount;
    this.maxCpu = 1;
    this.maxMem = 1;
    for (let n = 0; n < this.nodeCount; n++) {
      this.maxCpu = Math.max(this.maxCpu, e.cluster.allocatableCpuMilli(n));
      this.maxMem = Math.max(this.maxMem, e.cluster.allocatableMemoryMiB(n));
    }
    this.useGpu =
      this.o.resource === "gpu" || (this.o.resource === undefined && e.cluster.totals(-1).capacityGpuMilli > 0);
    this.run = new Run({
      cluster: e.cluster,
      tasks: e.tasks,
      loop: new OnlineLoop({ strategy: "external" }),
      seed,
      untilS: e.untilS,
    });
    this.steps = 0;
    this.lastShare = this.share();
    const r = this.advance();
    return { observation: r.observation, info: r.info };
  }

  step(action: number): StepResult {
    const run = this.run;
    const pending = run?.pendingDecision;
    if (!run || !pending) throw new Error("step(): no episode under way (not begun, or ended); call reset()");
    if (!Number.isInteger(action) || action < 0 || action > this.nodeCount) {
      throw new RangeError(
        `step(): expected an action in 0..${this.nodeCount} (${this.nodeCount}: no node), found ${foundValue(action)}`,
      );
    }
    if (action < this.nodeCount && !this.cluster.fits(action, pending.pod)) {
      throw new RangeError(`step(): node ${action} is masked out: task ${pending.task.id} does not fit it`);
    }
    run.decide(action < this.nodeCount ? { node: action } : null);
    this.steps++;
    return this.advance();
  }

  /** Run to the next decision (or the end); the observation, reward and flags there. */
  private advance(): StepResult {
    const run = this.run!;
    const status = run.advance();
    if (status === "input") throw new Error("PlacementEnv: an episode's tasks must be a synchronous source");
    const share = this.share();
    const reward = share - this.lastShare;
    this.lastShare = share;
    const pending = run.pendingDecision;
    const terminated = status === "ended";
    const truncated = !terminated && this.steps >= (this.o.maxSteps ?? 1_000_000);
    const observation = new Float32Array(this.observationSize);
    const mask = new Uint8Array(this.nodeCount + 1);
    mask[this.nodeCount] = 1;
    const c = this.cluster;
    for (let n = 0; n < this.nodeCount; n++) {
      const gpus = c.gpuCount(n);
      let gpuFree = 0;
      for (let g = 0; g < gpus; g++) gpuFree += c.gpuFreeMilli(n, g);
      observation[3 * n] = c.allocatableCpuMilli(n) > 0 ? c.freeCpuMilli(n) / c.allocatableCpuMilli(n) : 0;
      observation[3 * n + 1] = c.allocatableMemoryMiB(n) > 0 ? c.freeMemoryMiB(n) / c.allocatableMemoryMiB(n) : 0;
      observation[3 * n + 2] = gpus > 0 ? gpuFree / (gpus * 1000) : 0;
      if (pending && c.fits(n, pending.pod)) mask[n] = 1;
    }
    if (pending) {
      const p = pending.pod;
      const o = 3 * this.nodeCount;
      observation[o] = Math.min(1, p.cpuMilli / this.maxCpu);
      observation[o + 1] = Math.min(1, p.memoryMiB / this.maxMem);
      const gpus = p.gpus ?? 0;
      observation[o + 2] = gpus === 1 ? (p.gpuMilli ?? 1000) / 1000 : Math.min(1, gpus);
    }
    return {
      observation,
      reward,
      terminated,
      truncated,
      info: { mask, timeS: run.nowS, task: pending?.task.id ?? -1 },
    };
  }

  private share(): number {
    const t = this.cluster.totals(-1);
    return this.useGpu
      ? t.capacityGpuMilli > 0
        ? t.allocatedGpuMilli / t.capacityGpuMilli
        : 0
      : t.capacityCpuMilli > 0
        ? t.allocatedCpuMilli / t.capacityCpuMilli
        : 0;
  }
}
