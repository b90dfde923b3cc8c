import type { ClusterView, Request } from "@clustersim/hardware-models";
import type { Rng } from "@clustersim/sim-core";

/**
 * The plug-in contract, after the Kubernetes scheduling framework (pkg/scheduler/framework): a pod goes
 * through QueueSort → PreFilter → Filter → PreScore → Score (normalise, weight) → Reserve → Permit →
 * Bind, each extension point answering with a status code. Plugins only read the cluster (a
 * ClusterView); the run applies a decision through hardware-models.
 */

/** Status codes, as in Kubernetes. */
export const Code = {
  Success: 0,
  /** Does not fit now; may after other pods leave. */
  Unschedulable: 1,
  /** Can never fit here (wrong GPU model, taint): no point preempting for it. */
  UnschedulableAndUnresolvable: 2,
  Error: 3,
  /** The plugin has nothing to say about this pod (PreFilter, PreScore). */
  Skip: 4,
  /** Permit: hold the pod until its gang is complete. */
  Wait: 5,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export const CODE_NAMES: Record<Code, string> = {
  0: "Success",
  1: "Unschedulable",
  2: "UnschedulableAndUnresolvable",
  3: "Error",
  4: "Skip",
  5: "Wait",
};

/** One requirement of a node-selector term on a node label (Kubernetes' NodeSelectorRequirement). */
export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  /** In and NotIn: the accepted or refused values; Gt and Lt: one integer. */
  readonly values?: readonly string[];
}

/** A preferred node-affinity term: its weight (1–100) counts on nodes matching all its requirements. */
export interface PreferredSchedulingTerm {
  readonly weight: number;
  readonly matchExpressions: readonly NodeSelectorRequirement[];
}

/** A pod (task) to place: what it requests plus what policies order and group by. */
export interface Pod extends Request {
  /** Preferred node affinity (spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution). */
  readonly preferredAffinity?: readonly PreferredSchedulingTerm[];
  readonly id: number;
  /** Higher runs first and may preempt lower (default 0). */
  readonly priority?: number;
  /** Tasks of one job scheduled all-or-nothing share a gang id; gangSize says how many there are. */
  readonly gang?: number;
  readonly gangSize?: number;
  readonly arrivalS?: number;
  /** The run time the pod's owner asked for, seconds (NaN or absent: not known): its expected lifetime. */
  readonly reqTimeS?: number;
}

/** Per-cycle scratch data plugins share, cleared before each pod (Kubernetes' CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  clear(): void {
    if (this.data.size > 0) this.data.clear();
  }
}

/** What every plugin call sees. */
export interface CycleContext {
  readonly view: ClusterView;
  readonly pod: Pod;
  readonly state: CycleState;
  /** The scheduler's own stream: tie-breaks and random choices stay reproducible. */
  readonly rng: Rng;
  /** A share's GPU chosen at Reserve (see ReservePlugin); undefined until then. */
  gpuIndex?: number;
}

export interface Plugin {
  readonly name: string;
  /** The run tells plugins that keep their own state (GPU affinities, say) about binds and releases. */
  onBind?(view: ClusterView, pod: Pod, node: number, gpuIndex: number | undefined): void;
  onRelease?(view: ClusterView, pod: Pod, node: number): void;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(ctx: CycleContext): Code;
}
export interface FilterPlugin extends Plugin {
  filter(ctx: CycleContext, node: number): Code;
  /**
   * True when the filter passes a node only where the view's `fits` holds, and keeps no state: a
   * profile whose only filter this is decides nothing, and changes nothing, for a pod no node can hold.
   */
  readonly passesOnlyWhereItFits?: boolean;
  /**
   * Optional bulk form for a profile's only filter: scan nodes from `start` (wrapping at the node
   * count), writing feasible ones to `out` until `want` are found or every node was seen; returns
   * [found, visited].
   */
  filterAll?(ctx: CycleContext, start: number, want: number, out: Int32Array): [number, number];
}
export interface PreScorePlugin extends Plugin {
  /** `feasible[0..count)` are the nodes that passed Filter. */
  preScore(ctx: CycleContext, feasible: Int32Array, count: number): Code;
}
export interface ScorePlugin extends Plugin {
  /** Higher is better; [0, 100] after normalisation, as in Kubernetes. */
  score(ctx: CycleContext, node: number): number;
  /**
   * Optional bulk form of `score` for hot plugins: out[i] = score(ctx, nodes[i]) for i < count. One
   * call per cycle instead of one per node lets the engine inline the cluster reads.
   */
  scoreAll?(ctx: CycleContext, nodes: Int32Array, count: number, out: Float64Array): void;
  /** Rescale `scores[0..count)` in place (NormalizeScore). */
  normalize?(scores: Float64Array, count: number): void;
}
/**
 * Several score plugins and the selection fused into one pass for speed. For nodes[0..count) the
 * total is Σ weight · normalised score over `plugins` (in profile order, with the profile's weights),
 * exactly as the profile would compute it plugin by plugin (normalisation included);
 * `selectBest` writes the positions i of the nodes with the highest total to `ties`, in order, and
 * returns how many there are.
 */
export interface ScoreKernel {
  readonly plugins: readonly ScorePlugin[];
  /** The plugins' weights it applies: the profile checks them against its own. */
  readonly weights: readonly number[];
  selectBest(ctx: CycleContext, nodes: Int32Array, count: number, ties: Int32Array): number;
}
export interface ReservePlugin extends Plugin {
  /** Claim what the pod needs on `node` beyond CPU and memory, e.g. pick a share's GPU (ctx.gpuIndex). */
  reserve(ctx: CycleContext, node: number): Code;
}
export interface PermitPlugin extends Plugin {
  permit(ctx: CycleContext, node: number): Code;
}

/** A placement decision: the node and, for a GPU share, the GPU. */
export interface Decision {
  node: number;
  gpuIndex?: number;
}

/** Why a pod was not placed, or where it went and why there (off by default; see DecisionLog). */
export interface DecisionRecord {
  pod: number;
  node: number;
  /** Nodes each filter rejected. */
  rejectedBy: Record<string, number>;
  /** The best few nodes with their weighted total and each plugin's normalised score. */
  top: { node: number; total: number; scores: Record<string, number> }[];
}

/**
 * A placement strategy: given one pod, choose a node (or none). Plugin profiles implement it through
 * the framework; strategies with their own search (an index, a queue) implement it directly.
 */
export interface PlacementStrategy {
  readonly name: string;
  /** Choose a node for the pod, or null when none fits. Must not change the cluster. */
  decide(view: ClusterView, pod: Pod): Decision | null;
  /**
   * True when `decide`, for a pod that no node has the room for (no node has its CPU and memory free at
   * once, nor its GPUs), returns null and changes nothing: no random draw, no state carried to the next
   * pod. The online run then fails such a pod without asking, as kube-scheduler's queue retries it under
   * overload.
   */
  readonly inertWhereNothingFits?: boolean;
  /**
   * True when `decide` draws no random number and its answers depend on nothing but the nodes' state
   * (not on the order of earlier places and releases): a try whose placements are undone changes
   * nothing, so a caller may skip one it knows must fail (the batch loop, a gang the free room cannot
   * hold). Best fit is not: the placement index breaks its ties by the most recently touched node.
   */
  readonly withoutEffects?: boolean;
  /**
   * Where the strategy filters on more than room (CPU, memory, pods), whether those other filters pass
   * the pod on `node`: preemption evicts only where they do, as upstream's dry run runs every filter with
   * the victims removed (a filter that reads no pod's request passes or fails the same either way).
   * Absent: the strategy filters on room only.
   */
  passesOtherFilters?(view: ClusterView, pod: Pod, node: number): boolean;
  /** Called after the run applied a decision, and when a placed pod leaves. */
  bound?(view: ClusterView, pod: Pod, decision: Decision): void;
  released?(view: ClusterView, pod: Pod, node: number): void;
  /** Turn the per-decision record on (it costs time); the last decision's record. */
  record?: boolean;
  lastRecord?: DecisionRecord | null;
}
