import { ClusterState, type ClusterView, type NodeSpec } from "@clustersim/hardware-models";
import { type Pod, podTotalGpuMilli, type TypicalPod } from "@clustersim/schedulers";
import {
  type FeatureScratch,
  featureScratch,
  nodeFragment,
  PLACEMENT_FEATURES,
  placementRow,
} from "../networks/placement-features.js";
import { PLACEMENT_STATE } from "../networks/placement-networks.js";
import { foundValue } from "./found-value.js";

/** One episode: the cluster's nodes (in the order actions name them) and the pods, in arrival order. */
export interface PackingEpisode {
  nodes: readonly NodeSpec[];
  pods: readonly Pod[];
}

export interface PackingEnvOptions {
  /** A fresh episode for a seed: the same seed gives the same nodes and pods. */
  episode(seed: number): PackingEpisode;
  /** The workload's pod types, against which fragmentation is measured (FGD's typical pods). */
  typical: readonly TypicalPod[];
}

export interface PackingInfo {
  /** 1 for the nodes the pod fits. */
  mask: Uint8Array;
  /** Those nodes, in node order. */
  candidates: Int32Array;
  /** Allocated GPU thousandths ÷ the cluster's, arrived GPU requests ÷ the cluster's, pods failed. */
  allocation: number;
  arrivedLoad: number;
  failedPods: number;
}

export interface PackingStep {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: PackingInfo;
}

/**
 * GPU pod placement under FGD's protocol (Weng et al., ATC'23) as a Gymnasium-shaped environment:
 * pods arrive one after another into an empty cluster, each is placed once and none leaves; a pod
 * that fits no node fails without a decision. `step(node)` places the pending pod on a node it fits
 * (`info.mask`; any other is refused) and moves to the next pod that fits somewhere.
 *
 * Observation: one row of PLACEMENT_FEATURES per node (placementRow, ../networks/placement-features.ts:
 * the node before and after the pod; zeros where it does not fit), then PLACEMENT_STATE figures of the whole cluster: the
 * share of pods arrived, arrived GPU requests, allocated GPUs and expected fragment, each ÷ the
 * cluster's GPUs, and the pod's GPU and CPU (÷ 8 GPUs, ÷ 128 cores).
 *
 * Reward: minus the GPU requests of the pods that failed since the last decision, ÷ the cluster's
 * GPUs. An episode's rewards sum to its final GPU allocation less its arrived load (pods that failed
 * before the first decision, which no node of the empty cluster takes, are not counted), and the
 * arrivals of a seed are the same whatever the agent does, so the return ranks policies exactly as the
 * allocation does. A reward of the pod just placed would add the same amount whichever node is chosen: noise
 * that only a perfect critic cancels.
 */
export class PackingEnv {
  private cluster!: ClusterState;
  private pods: readonly Pod[] = [];
  private next = 0;
  private capacity = 1;
  private arrived = 0;
  private allocated = 0;
  private failed = 0;
  private fragSum = 0;
  private fragOf = new Float64Array(0);
  private pending: Pod | undefined;
  private readonly scratch: FeatureScratch = featureScratch();
  nodeCount = 0;

  constructor(private readonly o: PackingEnvOptions) {}

  get observationSize(): number {
    return this.nodeCount * PLACEMENT_FEATURES + PLACEMENT_STATE;
  }

  /** The episode's cluster as it stands (for a heuristic to decide on, as a baseline does). */
  get view(): ClusterView {
    return this.cluster;
  }

  /** The pod awaiting a decision (undefined once the episode has ended). */
  get pendingPod(): Pod | undefined {
    return this.pending;
  }

  reset(seed: number): { observation: Float32Array; info: PackingInfo } {
    const e = this.o.episode(seed);
    this.cluster = new ClusterState([...e.nodes]);
    this.nodeCount = this.cluster.nodeCount;
    this.pods = e.pods;
    this.capacity = e.nodes.reduce((s, n) => s + (n.gpus ?? 0), 0) * 1000;
    if (this.capacity === 0) throw new RangeError("PackingEnv: the episode's cluster has no GPUs");
    this.next = 0;
    this.arrived = 0;
    this.allocated = 0;
    this.failed = 0;
    this.fragOf = new Float64Array(this.nodeCount);
    this.fragSum = 0;
    for (let n = 0; n < this.nodeCount; n++) {
      this.fragOf[n] = nodeFragment(this.cluster, n, this.o.typical, this.scratch);
      this.fragSum += this.fragOf[n]!;
    }
    const r = this.advance();
    return { observation: r.observation, info: r.info };
  }

  step(action: number): PackingStep {
    const pod = this.pending;
    if (!pod) throw new Error("step(): no episode under way (not begun, or ended); call reset()");
    if (!Number.isInteger(action) || action < 0 || action >= this.nodeCount)
      throw new RangeError(`step(): expected a node in 0..${this.nodeCount - 1}, found ${foundValue(action)}`);
    if (!this.cluster.fits(action, pod))
      throw new RangeError(`step(): node ${action} is masked out: pod ${pod.id} does not fit it`);
    this.cluster.place(action, pod);
    const milli = podTotalGpuMilli(pod);
    this.allocated += milli;
    this.fragSum -= this.fragOf[action]!;
    this.fragOf[action] = nodeFragment(this.cluster, action, this.o.typical, this.scratch);
    this.fragSum += this.fragOf[action]!;
    return this.advance();
  }

  /** On to the next pod that fits somewhere (failing those that fit nowhere), or the end. */
  private advance(): PackingStep {
    const c = this.cluster;
    const mask = new Uint8Array(this.nodeCount);
    const fits: number[] = [];
    this.pending = undefined;
    let failedMilli = 0;
    while (this.next < this.pods.length) {
      const pod = this.pods[this.next++]!;
      this.arrived += podTotalGpuMilli(pod);
      for (let n = 0; n < this.nodeCount; n++) if (c.fits(n, pod)) fits.push(n);
      if (fits.length > 0) {
        this.pending = pod;
        break;
      }
      this.failed++;
      failedMilli += podTotalGpuMilli(pod);
    }
    const reward = -failedMilli / this.capacity;
    const observation = new Float32Array(this.observationSize);
    const pod = this.pending;
    if (pod) {
      for (const n of fits) {
        mask[n] = 1;
        placementRow(c, n, pod, this.o.typical, this.fragOf[n]!, observation, n * PLACEMENT_FEATURES, this.scratch);
      }
      const s = this.nodeCount * PLACEMENT_FEATURES;
      observation[s] = (this.next - 1) / this.pods.length;
      observation[s + 1] = this.arrived / this.capacity;
      observation[s + 2] = this.allocated / this.capacity;
      observation[s + 3] = this.fragSum / this.capacity;
      observation[s + 4] = Math.min(1, podTotalGpuMilli(pod) / 8000);
      observation[s + 5] = Math.min(1, pod.cpuMilli / 128_000);
    }
    return {
      observation,
      reward,
      terminated: !pod,
      truncated: false,
      info: {
        mask,
        candidates: Int32Array.from(fits),
        allocation: this.allocated / this.capacity,
        arrivedLoad: this.arrived / this.capacity,
        failedPods: this.failed,
      },
    };
  }
}
