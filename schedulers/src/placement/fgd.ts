import type { ClusterView } from "@clustersim/hardware-models";
import { Code, type CycleContext, type ReservePlugin, type ScorePlugin } from "../framework/types.js";
import { nodeFragMilli, type TypicalPod } from "./gpu-fragmentation.js";
import { isGpuShare, podGpuMilli, podGpus } from "./gpu-resources.js";

/**
 * Fragmentation Gradient Descent (Weng et al., ATC'23): place the pod where the node's expected GPU
 * fragmentation (./gpu-fragmentation.ts) grows least; for a GPU share, also on the GPU where it grows
 * least. Score = ⌊100·sigmoid((before − after) / 1000)⌋ as in the published artifact.
 *
 * Scores are cached per node and pod shape, and each node's current fragmentation per node, until
 * something is bound to or leaves the node: the run must pass its bind and release notices on
 * (`PlacementStrategy.bound` / `released`), as every run loop here does.
 */
export function fgd(typical: readonly TypicalPod[]): ScorePlugin & ReservePlugin {
  return new Fgd(typical);
}

class Fgd implements ScorePlugin, ReservePlugin {
  readonly name = "FGD";
  private readonly scratch: number[] = [];
  /** Each node's current fragmentation, until something is bound to or leaves it. */
  private readonly beforeOf: (number | undefined)[] = [];
  /** A node's (score, gpu) per pod shape, valid until something is bound to or leaves that node. */
  private readonly perNode: (Map<string, [number, number]> | undefined)[] = [];
  /** The pod's shape key, computed once per pod rather than once per node. */
  private lastPod: unknown;
  private lastShape = "";

  constructor(private readonly typical: readonly TypicalPod[]) {}

  // Plug-in hooks as bound functions: the framework may call them off the object.
  score = (ctx: CycleContext, node: number): number => this.cached(ctx, node)[0];
  onBind = (_view: ClusterView, _pod: unknown, node: number): void => this.forget(node);
  onRelease = (_view: ClusterView, _pod: unknown, node: number): void => this.forget(node);
  reserve = (ctx: CycleContext, node: number): Code => {
    if (isGpuShare(ctx.pod)) {
      const gpu = this.cached(ctx, node)[1];
      if (gpu < 0) return Code.Unschedulable;
      ctx.gpuIndex = gpu;
    }
    return Code.Success;
  };

  private forget(node: number): void {
    this.perNode[node] = undefined;
    this.beforeOf[node] = undefined;
  }

  private shapeOf(ctx: CycleContext): string {
    if (ctx.pod !== this.lastPod) {
      const p = ctx.pod;
      this.lastPod = p;
      this.lastShape = `${p.cpuMilli}/${podGpus(p)}/${podGpuMilli(p)}`;
    }
    return this.lastShape;
  }

  private cached(ctx: CycleContext, node: number): [number, number] {
    const m = (this.perNode[node] ??= new Map());
    const key = this.shapeOf(ctx);
    let v = m.get(key);
    if (v === undefined) {
      v = this.evaluate(ctx, node);
      m.set(key, v);
    }
    return v;
  }

  /** Fragmentation of `node` with CPU reduced by `cpu` and GPU g's free milli reduced by take(g). */
  private fragAfter(view: ClusterView, node: number, cpu: number, take: (g: number) => number): number {
    const n = view.gpuCount(node);
    const scratch = this.scratch;
    scratch.length = n;
    for (let g = 0; g < n; g++) scratch[g] = view.gpuFreeMilli(node, g) - take(g);
    return nodeFragMilli(view.freeCpuMilli(node) - cpu, scratch, view.gpuModel(node), this.typical);
  }

  /** Best (score, gpu) for the pod on the node; gpu is -1 unless the pod is a share. */
  private evaluate(ctx: CycleContext, node: number): [number, number] {
    const { view, pod } = ctx;
    let before = this.beforeOf[node];
    if (before === undefined) before = this.beforeOf[node] = this.fragAfter(view, node, 0, () => 0);
    const b = before;
    const cpu = pod.cpuMilli > 0 ? pod.cpuMilli : 100;
    const scoreOf = (after: number) => Math.trunc(sigmoid((b - after) / 1000) * 100);
    return isGpuShare(pod) ? this.bestShare(ctx, node, cpu, scoreOf) : this.wholeGpus(ctx, node, cpu, scoreOf);
  }

  /** A share: the GPU whose fragmentation grows least (the earliest among equals). */
  private bestShare(ctx: CycleContext, node: number, cpu: number, scoreOf: (a: number) => number): [number, number] {
    const { view, pod } = ctx;
    const milli = podGpuMilli(pod);
    let best = 0;
    let gpu = -1;
    for (let g = 0; g < view.gpuCount(node); g++) {
      const free = view.gpuFreeMilli(node, g);
      if (free < milli) continue;
      // A GPU with the same free milli as an earlier one leaves the same node state: same score, and
      // the earlier GPU wins ties anyway.
      let seen = false;
      for (let k = 0; k < g && !seen; k++) seen = view.gpuFreeMilli(node, k) === free;
      if (seen) continue;
      const s = scoreOf(this.fragAfter(view, node, cpu, (k) => (k === g ? milli : 0)));
      if (gpu < 0 || s > best) {
        best = s;
        gpu = g;
      }
    }
    return [best, gpu];
  }

  /** Whole GPUs: the lowest-numbered free ones (the artifact's exclusive allocation). */
  private wholeGpus(ctx: CycleContext, node: number, cpu: number, scoreOf: (a: number) => number): [number, number] {
    const { view, pod } = ctx;
    let need = podGpus(pod);
    const taken = new Set<number>();
    for (let g = 0; g < view.gpuCount(node) && need > 0; g++) {
      if (view.gpuFreeMilli(node, g) === 1000) {
        taken.add(g);
        need--;
      }
    }
    return [scoreOf(this.fragAfter(view, node, cpu, (g) => (taken.has(g) ? 1000 : 0))), -1];
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
