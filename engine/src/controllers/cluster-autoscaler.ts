import type { Pod } from "@clustersim/schedulers";
import {
  type Bin,
  decreasingSize,
  emptyBin,
  estimate,
  fitsShape,
  type NodeShape,
  take,
} from "./binpacking-estimator.js";
import type { Controller, ControllerContext } from "./controller.js";
import { chooseOption, DEFAULT_EXPANDER, type ExpanderName, type ExpansionOption } from "./expanders.js";

/** A node group the Cluster Autoscaler scales, with its bounds and the options upstream sets per group. */
export interface AutoscaledGroup {
  group: string;
  /** The group's bounds (present nodes). */
  minNodes: number;
  maxNodes: number;
  /** Time from asking for a node to its joining the cluster, seconds (the cloud's; an assumption where not given). */
  provisionS: number;
  /** Per-group --scale-down-utilization-threshold and --scale-down-unneeded-time (upstream's NodeGroupAutoscalingOptions); the autoscaler's when absent. */
  utilizationThreshold?: number;
  unneededS?: number;
  /** For the priority expander: higher wins (upstream's priority-expander ConfigMap); none when absent. */
  priority?: number;
}

/**
 * Whole-cluster limits: --max-nodes-total, --cores-total "min:max" and --memory-total "min:max"
 * (GiB upstream; here MiB and millicores). Counted over the cluster's own (not virtual) present nodes
 * of every group, autoscaled or not, and the nodes on their way. Scale-up never passes a maximum;
 * scale-down never takes the cluster below a minimum.
 */
export interface ClusterLimits {
  /** 0 or absent: no limit (upstream's default 0). */
  maxNodesTotal?: number;
  /** Defaults 0 and 320,000 cores (config.DefaultMaxClusterCores, v1.33). */
  minCpuMilli?: number;
  maxCpuMilli?: number;
  /** Defaults 0 and 6,400,000 GiB (config.DefaultMaxClusterMemory, v1.33). */
  minMemoryMiB?: number;
  maxMemoryMiB?: number;
}

/**
 * Cluster Autoscaler options, defaults from its flags (kubernetes/autoscaler cluster-autoscaler v1.33,
 * FAQ "What are the parameters to CA?"; ../shared/CALIBRATION.md, Kubernetes control-plane defaults).
 */
export interface ClusterAutoscalerOptions {
  nodeGroups: readonly AutoscaledGroup[];
  /** --expander, a chain as upstream's comma-separated list (least-waste: ./expanders.ts). */
  expander?: readonly ExpanderName[];
  limits?: ClusterLimits;
  /** --scan-interval (10 s). */
  scanIntervalS?: number;
  /** --scale-down-utilization-threshold (0.5: requested ÷ allocatable, the larger of CPU and memory). */
  utilizationThreshold?: number;
  /** --scale-down-unneeded-time (10 min). */
  unneededS?: number;
  /** --scale-down-delay-after-add (10 min), after a scale-up of any group. */
  delayAfterAddS?: number;
  /** --max-empty-bulk-delete (10). */
  maxEmptyBulkDelete?: number;
  /** --max-nodes-per-scaleup (1,000): the estimator's cap on one option. */
  maxNodesPerScaleUp?: number;
}

/** The options given, without those written as undefined (which would hide the defaults). */
function given<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A configured group as a run holds it: its nodes, template node and nodes on their way. */
interface Group {
  name: string;
  index: number;
  minNodes: number;
  maxNodes: number;
  provisionS: number;
  threshold: number;
  unneededS: number;
  priority?: number;
  /** Every node of the group, present or not. */
  nodes: number[];
  /** The largest node of the group, present or not (upstream's template node). */
  shape: NodeShape;
  /** A node standing for the group's labels and taints (its first). */
  sample: number;
  upcoming: number;
}

/**
 * The Cluster Autoscaler: one over all the groups it is given, as upstream runs one per cluster
 * (cluster-autoscaler/core/static_autoscaler.go and core/scaleup/orchestrator/orchestrator.go, v1.33).
 * Every scan:
 * - scale-up: pods waiting that fit no present node are first packed onto the nodes already on their
 *   way (upstream injects them into its snapshot), and only those left over count. For each group
 *   below its maximum with room in the cluster limits for one more node, the binpacking estimator
 *   packs the pods its template node can hold (./binpacking-estimator.ts); the expander picks one
 *   group's option (./expanders.ts); that group alone grows, by the option's nodes capped by
 *   --max-nodes-total and the cores and memory left, and they join after its provisioning time. A
 *   scan that scales up does not scale down;
 * - scale-down: a node of a configured group whose requests stay below its group's utilisation
 *   threshold for its unneeded time, no sooner than the delay after the last scale-up of any group, is
 *   removed: empty ones up to the bulk limit per scan, and at most one with pods per scan, once every
 *   pod it holds fits elsewhere; its pods are evicted (drained) and the scheduler places them again.
 *   Neither a group's minimum nor the cluster's minimum cores and memory are crossed.
 * Simplified: a waiting pod that fits a present node is taken to be scheduled there soon (upstream
 * simulates each on the nodes' remaining room); a group's labels and taints are read from one of its
 * nodes; node affinity, ports and maxPods are not read by the estimator; similar groups are not
 * balanced (--balance-similar-node-groups is off by default upstream).
 */
export class ClusterAutoscaler implements Controller {
  readonly name = "cluster-autoscaler";
  private ctx!: ControllerContext;
  private groups: Group[] = [];
  private lastScaleUpS = Number.NEGATIVE_INFINITY;
  private readonly unneededSince = new Map<number, number>();
  private readonly o: Required<Omit<ClusterAutoscalerOptions, "limits">>;
  private readonly limits: Required<ClusterLimits>;
  /** Node count added and removed, for the summary. */
  added = 0;
  removed = 0;

  constructor(o: ClusterAutoscalerOptions) {
    this.o = {
      expander: DEFAULT_EXPANDER,
      scanIntervalS: 10,
      utilizationThreshold: 0.5,
      unneededS: 600,
      delayAfterAddS: 600,
      maxEmptyBulkDelete: 10,
      maxNodesPerScaleUp: 1000,
      ...given(o),
      nodeGroups: o.nodeGroups,
    };
    this.limits = {
      maxNodesTotal: 0,
      minCpuMilli: 0,
      maxCpuMilli: 320_000 * 1000,
      minMemoryMiB: 0,
      maxMemoryMiB: 6_400_000 * 1024,
      ...given(o.limits ?? {}),
    };
  }

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    const seen = new Set<string>();
    this.groups = this.o.nodeGroups.map((g) => {
      const index = ctx.nodeGroups.indexOf(g.group);
      if (index < 0)
        throw new RangeError(`cluster autoscaler: no node group "${g.group}" (groups: ${ctx.nodeGroups.join(", ")})`);
      if (seen.has(g.group)) throw new RangeError(`cluster autoscaler: node group "${g.group}" given twice`);
      seen.add(g.group);
      return this.resolve(g, index);
    });
    ctx.every(this.o.scanIntervalS, () => this.scan());
  }

  private resolve(g: AutoscaledGroup, index: number): Group {
    const c = this.ctx.cluster;
    const nodes: number[] = [];
    const shape = { cpuMilli: 0, memoryMiB: 0, gpus: 0 };
    for (let n = 0; n < c.nodeCount; n++) {
      if (this.ctx.groupOf(n) !== index) continue;
      nodes.push(n);
      shape.cpuMilli = Math.max(shape.cpuMilli, c.allocatableCpuMilli(n));
      shape.memoryMiB = Math.max(shape.memoryMiB, c.allocatableMemoryMiB(n));
      shape.gpus = Math.max(shape.gpus, c.gpuCount(n));
    }
    return {
      name: g.group,
      index,
      minNodes: g.minNodes,
      maxNodes: g.maxNodes,
      provisionS: g.provisionS,
      threshold: g.utilizationThreshold ?? this.o.utilizationThreshold,
      unneededS: g.unneededS ?? this.o.unneededS,
      priority: g.priority,
      nodes,
      shape,
      sample: nodes[0] ?? -1,
      upcoming: 0,
    };
  }

  private scan(): void {
    if (!this.scaleUp()) this.scaleDown();
  }

  private presentOf(g: Group): number {
    let k = 0;
    for (const n of g.nodes) if (this.ctx.cluster.isPresent(n)) k++;
    return k;
  }

  /** Pods waiting that fit no present node, less those the nodes on their way will hold. */
  private podsToHelp(): Pod[] {
    const c = this.ctx.cluster;
    const pending: Pod[] = [];
    this.ctx.forEachWaiting((_t, pod) => {
      if (c.bestFitNode(pod) < 0) pending.push(pod);
    });
    const coming = this.groups.filter((g) => g.upcoming > 0);
    if (pending.length === 0 || coming.length === 0) return pending;
    // First fit, largest pods first (sized against the largest template among the groups coming),
    // onto the nodes on their way in group order.
    const bins: { room: Bin; g: Group }[] = [];
    for (const g of coming) for (let k = 0; k < g.upcoming; k++) bins.push({ room: emptyBin(g.shape), g });
    const norm = {
      cpuMilli: Math.max(...coming.map((g) => g.shape.cpuMilli)),
      memoryMiB: Math.max(...coming.map((g) => g.shape.memoryMiB)),
      gpus: 0,
    };
    return decreasingSize(pending, norm).filter((p) => {
      const bin = bins.find((b) => fitsShape(p, b.room) && c.admits(b.g.sample, p));
      if (bin) take(bin.room, p);
      return !bin;
    });
  }

  /** What the cluster holds now, nodes on their way included: node count, CPU and memory. */
  private clusterSize(): { nodes: number; cpuMilli: number; memoryMiB: number } {
    const t = this.ctx.cluster.totals(-1);
    const size = { nodes: t.nodesPresent, cpuMilli: t.capacityCpuMilli, memoryMiB: t.capacityMemoryMiB };
    for (const g of this.groups) {
      size.nodes += g.upcoming;
      size.cpuMilli += g.upcoming * g.shape.cpuMilli;
      size.memoryMiB += g.upcoming * g.shape.memoryMiB;
    }
    return size;
  }

  /** One scale-up, of the group the expander picks; false when there was none. */
  private scaleUp(): boolean {
    const pods = this.podsToHelp();
    if (pods.length === 0) return false;
    const L = this.limits;
    const size = this.clusterSize();
    // Upstream counts its ready nodes against --max-nodes-total before anything else.
    if (L.maxNodesTotal > 0 && this.ctx.cluster.totals(-1).nodesPresent >= L.maxNodesTotal) return false;
    const cpuLeft = Math.max(0, L.maxCpuMilli - size.cpuMilli);
    const memLeft = Math.max(0, L.maxMemoryMiB - size.memoryMiB);
    const nodesLeft = L.maxNodesTotal > 0 ? L.maxNodesTotal - size.nodes : Number.POSITIVE_INFINITY;
    const options: (ExpansionOption<Pod> & { g: Group; room: number })[] = [];
    for (const g of this.groups) {
      const room = g.maxNodes - this.presentOf(g) - g.upcoming;
      // Skipped as upstream's filterValidScaleUpNodeGroups does: at its maximum, or one node over a limit.
      if (room <= 0 || g.nodes.length === 0 || g.shape.cpuMilli > cpuLeft || g.shape.memoryMiB > memLeft) continue;
      const fitting = pods.filter((p) => fitsShape(p, g.shape) && this.ctx.cluster.admits(g.sample, p));
      if (fitting.length === 0) continue;
      const cap = Math.min(room, nodesLeft, this.o.maxNodesPerScaleUp);
      if (cap <= 0) continue;
      const e = estimate(fitting, g.shape, cap);
      if (e.nodes > 0)
        options.push({
          group: g.index,
          nodeCount: e.nodes,
          pods: e.pods,
          shape: g.shape,
          priority: g.priority,
          g,
          room,
        });
    }
    const best = chooseOption(options, this.o.expander, this.ctx.rng("expander"));
    if (!best) return false;
    const { g } = best;
    const add = Math.min(
      best.nodeCount,
      best.room,
      nodesLeft,
      Math.floor(cpuLeft / g.shape.cpuMilli),
      Math.floor(memLeft / g.shape.memoryMiB),
    );
    if (add < 1) return false;
    g.upcoming += add;
    this.lastScaleUpS = this.ctx.nowS;
    this.ctx.after(g.provisionS, () => {
      g.upcoming -= add;
      this.added += this.ctx.addNodes(g.name, add);
    });
    return true;
  }

  /**
   * Track which nodes are unneeded and since when on every scan; remove those unneeded long enough,
   * unless a scale-up was too recent. The cool-down blocks removal only, not the tracking: upstream's
   * RunOnce updates the unneeded nodes (scaleDownPlanner.UpdateClusterState) before it checks
   * isScaleDownInCooldown (cluster-autoscaler/core/static_autoscaler.go, v1.27–v1.33).
   */
  private scaleDown(): void {
    const c = this.ctx.cluster;
    const now = this.ctx.nowS;
    const candidates: number[] = [];
    const groupOfNode = new Map<number, Group>();
    for (const g of this.groups) {
      for (const n of g.nodes) {
        const cpu = 1 - c.freeCpuMilli(n) / c.allocatableCpuMilli(n);
        const mem = 1 - c.freeMemoryMiB(n) / c.allocatableMemoryMiB(n);
        if (!c.isPresent(n) || !c.isUp(n) || Math.max(cpu, mem) >= g.threshold) {
          this.unneededSince.delete(n);
          continue;
        }
        const since = this.unneededSince.get(n) ?? now;
        this.unneededSince.set(n, since);
        if (now - since >= g.unneededS) {
          candidates.push(n);
          groupOfNode.set(n, g);
        }
      }
    }
    if (now - this.lastScaleUpS < this.o.delayAfterAddS || candidates.length === 0) return;
    candidates.sort((a, b) => a - b);
    // What may still go: nodes above each group's minimum, cores and memory above the cluster's.
    const left = new Map(this.groups.map((g) => [g, this.presentOf(g) - g.minNodes]));
    const t = c.totals(-1);
    let cpuAbove = t.capacityCpuMilli - this.limits.minCpuMilli;
    let memAbove = t.capacityMemoryMiB - this.limits.minMemoryMiB;
    const removable = (n: number) =>
      left.get(groupOfNode.get(n)!)! > 0 &&
      c.allocatableCpuMilli(n) <= cpuAbove &&
      c.allocatableMemoryMiB(n) <= memAbove;
    const removed = (n: number) => {
      const g = groupOfNode.get(n)!;
      left.set(g, left.get(g)! - 1);
      cpuAbove -= c.allocatableCpuMilli(n);
      memAbove -= c.allocatableMemoryMiB(n);
      this.unneededSince.delete(n);
      this.removed++;
    };
    let empty = 0;
    for (const n of candidates) {
      if (empty >= this.o.maxEmptyBulkDelete) break;
      if (c.podsOn(n) === 0 && removable(n) && this.ctx.removeNode(n)) {
        removed(n);
        empty++;
      }
    }
    // One node with pods per scan: drained only if each of its pods fits on another node.
    for (const n of candidates) {
      if (c.podsOn(n) === 0 || !c.isPresent(n) || !removable(n)) continue;
      const pods = this.ctx.tasksOn(n);
      if (!this.fitsElsewhere(n, pods)) continue;
      for (const t of pods) this.ctx.evict(t);
      if (this.ctx.removeNode(n)) removed(n);
      return;
    }
  }

  /**
   * Whether every pod fits on some other present, up, real (not virtual) node that admits it (taints,
   * selector) and has room for another pod, each taking its room (first fit).
   */
  private fitsElsewhere(node: number, pods: readonly Pod[]): boolean {
    const c = this.ctx.cluster;
    const taken = new Map<number, { cpu: number; mem: number; pods: number }>();
    for (const p of pods) {
      let placed = false;
      if ((p.gpus ?? 0) > 0) return false;
      for (let m = 0; m < c.nodeCount && !placed; m++) {
        if (m === node || !c.isPresent(m) || !c.isUp(m) || c.isVirtual(m) || !c.admits(m, p)) continue;
        const t = taken.get(m) ?? { cpu: 0, mem: 0, pods: 0 };
        const room =
          c.freeCpuMilli(m) - t.cpu >= p.cpuMilli &&
          c.freeMemoryMiB(m) - t.mem >= p.memoryMiB &&
          c.podsOn(m) + t.pods < c.maxPodsOn(m);
        if (room) {
          t.cpu += p.cpuMilli;
          t.mem += p.memoryMiB;
          t.pods++;
          taken.set(m, t);
          placed = true;
        }
      }
      if (!placed) return false;
    }
    return true;
  }
}
