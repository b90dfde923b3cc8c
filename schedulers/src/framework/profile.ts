import type { ClusterView } from "@clustersim/hardware-models";
import type { Rng } from "@clustersim/sim-core";
import {
  Code,
  type CycleContext,
  CycleState,
  type Decision,
  type DecisionRecord,
  type FilterPlugin,
  type PermitPlugin,
  type PlacementStrategy,
  type Plugin,
  type Pod,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ReservePlugin,
  type ScoreKernel,
  type ScorePlugin,
} from "./types.js";

export interface WeightedScore {
  plugin: ScorePlugin;
  weight: number;
}

export interface ProfileConfig {
  name: string;
  preFilter?: PreFilterPlugin[];
  filter: FilterPlugin[];
  preScore?: PreScorePlugin[];
  score: WeightedScore[];
  reserve?: ReservePlugin[];
  permit?: PermitPlugin[];
  /**
   * Kubernetes' percentageOfNodesToScore: stop filtering once this share of nodes is feasible and score
   * only those. 100 scores every node; 0 is upstream's adaptive default (50% − nodes/125, at least 5%,
   * at least 100 nodes). Each cycle's search starts where the last one stopped, as upstream does.
   */
  percentageOfNodesToScore: number;
  /**
   * Among nodes with the best total: "random" (upstream kube-scheduler's selectHost, the default) or
   * "first" in node order (as the FGD artifact's scheduler does; with a shuffled node order this is a
   * random but sticky choice that keeps landing on the same node while it stays best).
   */
  tieBreak?: "random" | "first";
  /**
   * The score plugins and selectHost fused into one pass (same plugins, order and weights, checked
   * here): used instead of the plugins when no decision record is asked for.
   */
  scoreKernel?: ScoreKernel;
}

const RECORD_TOP = 5;

/** Upstream numFeasibleNodesToFind (kube-scheduler, schedule_one.go). */
export function feasibleNodesToFind(nodes: number, percentage: number): number {
  if (nodes < 100 || percentage >= 100) return nodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(5, 50 - Math.floor(nodes / 125));
  return Math.max(100, Math.floor((nodes * pct) / 100));
}

/**
 * A scheduling profile: one pass of the framework's extension points per pod. Allocation-free per
 * node: feasible nodes and scores live in typed arrays reused across cycles.
 */
export class Profile implements PlacementStrategy {
  readonly name: string;
  /**
   * With no PreFilter and a filter that passes only nodes where the pod fits: for a pod that fits
   * nowhere, the filter finds no node after visiting all of them (the next search starts where this
   * one did), nothing is scored and nothing drawn.
   */
  readonly inertWhereNothingFits: boolean;
  record = false;
  lastRecord: DecisionRecord | null = null;
  /** Set when a filter other than NodeResourcesFit is configured (PlacementStrategy's). */
  readonly passesOtherFilters?: (view: ClusterView, pod: Pod, node: number) => boolean;
  private readonly state = new CycleState();
  private feasible = new Int32Array(0);
  private total = new Float64Array(0);
  private partial = new Float64Array(0);
  private ties = new Int32Array(0);
  private nextStart = 0;
  /** With a decision record: each plugin's scores of the current cycle. */
  private perPlugin: Float64Array[] | null = null;
  private readonly plugins: Plugin[];

  constructor(
    private readonly config: ProfileConfig,
    private readonly rng: Rng,
  ) {
    this.name = config.name;
    this.inertWhereNothingFits =
      (config.preFilter ?? []).length === 0 &&
      config.filter.length === 1 &&
      config.filter[0].passesOnlyWhereItFits === true;
    const all: Plugin[] = [
      ...(config.preFilter ?? []),
      ...config.filter,
      ...(config.preScore ?? []),
      ...config.score.map((s) => s.plugin),
      ...(config.reserve ?? []),
      ...(config.permit ?? []),
    ];
    this.plugins = [...new Set(all)];
    const others = config.filter.filter((f) => !f.passesOnlyWhereItFits);
    if (others.length > 0) {
      this.passesOtherFilters = (view, pod, node) => {
        this.state.clear();
        const ctx: CycleContext = { view, pod, state: this.state, rng: this.rng, gpuIndex: undefined };
        return others.every((f) => f.filter(ctx, node) === Code.Success);
      };
    }
    const kernel = config.scoreKernel;
    if (
      kernel &&
      (kernel.plugins.length !== config.score.length ||
        kernel.plugins.some((p, k) => p !== config.score[k].plugin || kernel.weights[k] !== config.score[k].weight))
    ) {
      throw new Error(`profile ${config.name}: its score kernel does not fuse the profile's score plugins`);
    }
  }

  decide(view: ClusterView, pod: Pod): Decision | null {
    const n = view.nodeCount;
    if (this.feasible.length < n) {
      this.feasible = new Int32Array(n);
      this.total = new Float64Array(n);
      this.partial = new Float64Array(n);
      this.ties = new Int32Array(n);
    }
    this.state.clear();
    const ctx: CycleContext = { view, pod, state: this.state, rng: this.rng, gpuIndex: undefined };
    const rec: DecisionRecord | null = this.record ? { pod: pod.id, node: -1, rejectedBy: {}, top: [] } : null;
    this.lastRecord = rec;

    for (const p of this.config.preFilter ?? []) {
      const c = p.preFilter(ctx);
      if (c !== Code.Success && c !== Code.Skip) return null;
    }

    // Filter, from where the last cycle stopped, until enough feasible nodes are found.
    const want = feasibleNodesToFind(n, this.config.percentageOfNodesToScore);
    let count = 0;
    let visited = 0;
    const filters = this.config.filter;
    let node = this.nextStart;
    if (filters.length === 1 && filters[0].filterAll && !rec) {
      [count, visited] = filters[0].filterAll(ctx, node, want, this.feasible);
    } else
      for (; visited < n && count < want; visited++) {
        let ok = true;
        for (let k = 0; k < filters.length; k++) {
          if (filters[k].filter(ctx, node) !== Code.Success) {
            ok = false;
            if (rec) rec.rejectedBy[filters[k].name] = (rec.rejectedBy[filters[k].name] ?? 0) + 1;
            break;
          }
        }
        if (ok) this.feasible[count++] = node;
        if (++node === n) node = 0;
      }
    this.nextStart = n > 0 ? (this.nextStart + visited) % n : 0;
    if (count === 0) return null;

    // One feasible node: no scoring, as upstream.
    node = count === 1 && !rec ? this.feasible[0] : this.scoreAndSelect(ctx, count, rec);
    for (const r of this.config.reserve ?? []) if (r.reserve(ctx, node) !== Code.Success) return null;
    for (const p of this.config.permit ?? []) if (p.permit(ctx, node) !== Code.Success) return null;
    return { node, gpuIndex: ctx.gpuIndex };
  }

  private scoreAndSelect(ctx: CycleContext, count: number, rec: DecisionRecord | null): number {
    for (const p of this.config.preScore ?? []) p.preScore(ctx, this.feasible, count);

    // selectHost: the highest total, ties broken uniformly at random as upstream does (one draw among
    // all tied nodes rather than upstream's draw per tie: the same distribution, far fewer draws).
    const ties = this.ties;
    const kernel = rec ? undefined : this.config.scoreKernel;
    const nTies = kernel ? kernel.selectBest(ctx, this.feasible, count, ties) : this.scoreAndTie(ctx, count, rec);
    const best = nTies === 1 || this.config.tieBreak === "first" ? ties[0] : ties[Math.floor(this.rng.next() * nTies)];
    const node = this.feasible[best];
    if (rec) this.recordTop(rec, node, count);
    return node;
  }

  /** Score each plugin over all feasible nodes, normalised, weighted, summed; the best nodes to `ties`. */
  private scoreAndTie(ctx: CycleContext, count: number, rec: DecisionRecord | null): number {
    const total = this.total;
    const scorers = this.config.score;
    this.perPlugin = rec ? [] : null;
    if (scorers.length === 0) total.fill(0, 0, count);
    for (let k = 0; k < scorers.length; k++) {
      const { plugin, weight } = scorers[k];
      const s = this.partial;
      if (plugin.scoreAll) plugin.scoreAll(ctx, this.feasible, count, s);
      else for (let i = 0; i < count; i++) s[i] = plugin.score(ctx, this.feasible[i]);
      plugin.normalize?.(s, count);
      if (k === 0) for (let i = 0; i < count; i++) total[i] = weight * s[i];
      else for (let i = 0; i < count; i++) total[i] += weight * s[i];
      this.perPlugin?.push(s.slice(0, count));
    }
    const ties = this.ties;
    let nTies = 0;
    let top = -Infinity;
    for (let i = 0; i < count; i++) {
      const t = total[i];
      if (t > top) {
        top = t;
        nTies = 0;
      }
      if (t === top) ties[nTies++] = i;
    }
    return nTies;
  }

  private recordTop(rec: DecisionRecord, node: number, count: number): void {
    const total = this.total;
    const perPlugin = this.perPlugin!;
    rec.node = node;
    // Best first; among equal totals the chosen node first, so the record always shows it.
    const chosen = (i: number) => (this.feasible[i] === node ? 0 : 1);
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => total[b] - total[a] || chosen(a) - chosen(b) || a - b,
    );
    rec.top = order.slice(0, RECORD_TOP).map((i) => ({
      node: this.feasible[i],
      total: total[i],
      scores: Object.fromEntries(this.config.score.map((s, k) => [s.plugin.name, perPlugin[k][i]])),
    }));
  }

  bound(view: ClusterView, pod: Pod, d: Decision): void {
    for (const p of this.plugins) p.onBind?.(view, pod, d.node, d.gpuIndex);
  }

  released(view: ClusterView, pod: Pod, node: number): void {
    for (const p of this.plugins) p.onRelease?.(view, pod, node);
  }
}
