import type { Pod } from "@clustersim/schedulers";
import type { Controller, ControllerContext } from "./controller.js";

/**
 * Cluster Autoscaler options, defaults from its flags (kubernetes/autoscaler cluster-autoscaler v1.33,
 * FAQ "What are the parameters to CA?"; ../shared/CALIBRATION.md, Kubernetes control-plane defaults).
 */
export interface ClusterAutoscalerOptions {
  /** The node group it scales, and its bounds (present nodes). */
  group: string;
  minNodes: number;
  maxNodes: number;
  /** Time from asking for a node to its joining the cluster, seconds (the cloud's; an assumption where not given). */
  provisionS: number;
  /** --scan-interval (10 s). */
  scanIntervalS?: number;
  /** --scale-down-utilization-threshold (0.5: requested ÷ allocatable, the larger of CPU and memory). */
  utilizationThreshold?: number;
  /** --scale-down-unneeded-time (10 min). */
  unneededS?: number;
  /** --scale-down-delay-after-add (10 min). */
  delayAfterAddS?: number;
  /** --max-empty-bulk-delete (10). */
  maxEmptyBulkDelete?: number;
}

/**
 * The Cluster Autoscaler, as its core loop decides (cluster-autoscaler/core/static_autoscaler.go):
 * - scale-up: pods waiting that fit no present node but would fit an empty node of the group are
 *   packed first-fit-decreasing onto nodes of the group's shape (the binpacking estimator), counting
 *   the nodes already on their way; the group grows by the nodes still needed, up to its maximum, and
 *   they join after the provisioning time;
 * - scale-down: a node whose requests stay below the utilisation threshold for the unneeded time, no
 *   sooner than the delay after the last scale-up, is removed: empty ones up to the bulk limit per scan,
 *   and at most one with pods per scan, once every pod it holds fits elsewhere; its pods are evicted
 *   (drained) and the scheduler places them again.
 * Simplified: a waiting pod that fits a present node is taken to be scheduled there soon (upstream
 * simulates each on the nodes' remaining room); node selectors and taints are not read.
 */
export class ClusterAutoscaler implements Controller {
  readonly name: string;
  private ctx!: ControllerContext;
  private g = -1;
  private upcoming = 0;
  private lastScaleUpS = Number.NEGATIVE_INFINITY;
  private readonly unneededSince = new Map<number, number>();
  private readonly o: Required<ClusterAutoscalerOptions>;
  /** Node count added and removed, for the summary. */
  added = 0;
  removed = 0;

  constructor(o: ClusterAutoscalerOptions) {
    this.o = {
      scanIntervalS: 10,
      utilizationThreshold: 0.5,
      unneededS: 600,
      delayAfterAddS: 600,
      maxEmptyBulkDelete: 10,
      ...o,
    };
    this.name = `cluster-autoscaler/${o.group}`;
  }

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.g = ctx.nodeGroups.indexOf(this.o.group);
    if (this.g < 0)
      throw new RangeError(
        `cluster autoscaler: no node group "${this.o.group}" (groups: ${ctx.nodeGroups.join(", ")})`,
      );
    ctx.every(this.o.scanIntervalS, () => this.scan());
  }

  /** Nodes of the group: present ones, and a template (the largest node of the group, present or not). */
  private groupNodes(): { present: number[]; cpu: number; mem: number; gpus: number } {
    const c = this.ctx.cluster;
    const present: number[] = [];
    let cpu = 0;
    let mem = 0;
    let gpus = 0;
    for (let n = 0; n < c.nodeCount; n++) {
      if (this.ctx.groupOf(n) !== this.g) continue;
      if (c.isPresent(n)) present.push(n);
      cpu = Math.max(cpu, c.allocatableCpuMilli(n));
      mem = Math.max(mem, c.allocatableMemoryMiB(n));
      gpus = Math.max(gpus, c.gpuCount(n));
    }
    return { present, cpu, mem, gpus };
  }

  private scan(): void {
    const nodes = this.groupNodes();
    if (!this.scaleUp(nodes)) this.scaleDown(nodes.present);
  }

  private scaleUp(nodes: ReturnType<ClusterAutoscaler["groupNodes"]>): boolean {
    const c = this.ctx.cluster;
    const needy: Pod[] = [];
    this.ctx.forEachWaiting((_t, pod) => {
      const fitsTemplate = pod.cpuMilli <= nodes.cpu && pod.memoryMiB <= nodes.mem && (pod.gpus ?? 0) <= nodes.gpus;
      if (fitsTemplate && c.bestFitNode(pod) < 0) needy.push(pod);
    });
    if (needy.length === 0) return false;
    // First-fit decreasing onto template nodes (upstream's binpacking estimator sorts by a score of
    // the pod's CPU and memory relative to the node).
    const score = (p: Pod) => p.cpuMilli / nodes.cpu + p.memoryMiB / nodes.mem;
    needy.sort((a, b) => score(b) - score(a));
    const bins: { cpu: number; mem: number; gpus: number }[] = [];
    for (const p of needy) {
      const bin = bins.find((b) => b.cpu >= p.cpuMilli && b.mem >= p.memoryMiB && b.gpus >= (p.gpus ?? 0));
      const b = bin ?? { cpu: nodes.cpu, mem: nodes.mem, gpus: nodes.gpus };
      if (!bin) bins.push(b);
      b.cpu -= p.cpuMilli;
      b.mem -= p.memoryMiB;
      b.gpus -= p.gpus ?? 0;
    }
    const room = this.o.maxNodes - nodes.present.length - this.upcoming;
    const add = Math.min(bins.length - this.upcoming, room);
    if (add <= 0) return this.upcoming > 0;
    this.upcoming += add;
    this.lastScaleUpS = this.ctx.nowS;
    this.ctx.after(this.o.provisionS, () => {
      this.upcoming -= add;
      this.added += this.ctx.addNodes(this.o.group, add);
    });
    return true;
  }

  /**
   * Track which nodes are unneeded and since when on every scan; remove those unneeded long enough,
   * unless a scale-up was too recent. The cool-down blocks removal only, not the tracking: upstream's
   * RunOnce updates the unneeded nodes (scaleDownPlanner.UpdateClusterState) before it checks
   * isScaleDownInCooldown (cluster-autoscaler/core/static_autoscaler.go, v1.27–v1.33).
   */
  private scaleDown(present: number[]): void {
    const c = this.ctx.cluster;
    const now = this.ctx.nowS;
    const coolingDown = now - this.lastScaleUpS < this.o.delayAfterAddS;
    const candidates: number[] = [];
    for (const n of present) {
      const cpu = 1 - c.freeCpuMilli(n) / c.allocatableCpuMilli(n);
      const mem = 1 - c.freeMemoryMiB(n) / c.allocatableMemoryMiB(n);
      if (!c.isUp(n) || Math.max(cpu, mem) >= this.o.utilizationThreshold) {
        this.unneededSince.delete(n);
        continue;
      }
      const since = this.unneededSince.get(n) ?? now;
      this.unneededSince.set(n, since);
      if (now - since >= this.o.unneededS) candidates.push(n);
    }
    if (coolingDown) return;
    let left = present.length - this.o.minNodes;
    let empty = 0;
    for (const n of candidates) {
      if (left <= 0 || empty >= this.o.maxEmptyBulkDelete) break;
      if (c.podsOn(n) === 0 && this.ctx.removeNode(n)) {
        this.unneededSince.delete(n);
        this.removed++;
        empty++;
        left--;
      }
    }
    if (left <= 0) return;
    // One node with pods per scan: drained only if each of its pods fits on another node.
    for (const n of candidates) {
      if (c.podsOn(n) === 0 || !c.isPresent(n)) continue;
      const pods = this.ctx.tasksOn(n);
      if (!this.fitsElsewhere(n, pods)) continue;
      for (const t of pods) this.ctx.evict(t);
      if (this.ctx.removeNode(n)) {
        this.unneededSince.delete(n);
        this.removed++;
      }
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
