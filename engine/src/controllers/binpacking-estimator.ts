import type { Request } from "@clustersim/hardware-models";

/** A node group's template node (upstream's node info of the group): what one new node offers. */
export interface NodeShape {
  cpuMilli: number;
  memoryMiB: number;
  gpus: number;
}

/** The room left on a simulated node (new or on its way). */
export interface Bin {
  cpuMilli: number;
  memoryMiB: number;
  gpus: number;
}

/** What the estimator needs of a pod: its CPU, memory and whole GPUs. */
export type Sized = Pick<Request, "cpuMilli" | "memoryMiB" | "gpus">;

export const emptyBin = (s: NodeShape): Bin => ({ cpuMilli: s.cpuMilli, memoryMiB: s.memoryMiB, gpus: s.gpus });

export const fitsShape = (p: Sized, s: NodeShape | Bin): boolean =>
  p.cpuMilli <= s.cpuMilli && p.memoryMiB <= s.memoryMiB && (p.gpus ?? 0) <= s.gpus;

export function take(b: Bin, p: Sized): void {
  b.cpuMilli -= p.cpuMilli;
  b.memoryMiB -= p.memoryMiB;
  b.gpus -= p.gpus ?? 0;
}

/**
 * Pods in upstream's order for packing onto nodes of shape `s`: by decreasing CPU ÷ the node's CPU +
 * memory ÷ the node's memory (estimator/decreasing_pod_orderer.go, v1.33). Stable: equal scores keep
 * their order (the waiting order).
 */
export function decreasingSize<P extends Sized>(pods: readonly P[], s: NodeShape): P[] {
  const score = (p: Sized) => p.cpuMilli / s.cpuMilli + p.memoryMiB / s.memoryMiB;
  return [...pods].sort((a, b) => score(b) - score(a));
}

/**
 * Upstream's binpacking estimator (estimator/binpacking_estimator.go, v1.33): first-fit decreasing
 * onto new nodes of the group's shape. Each pod goes to the first new node with room; a node is added
 * when none has, up to `maxNodes` (the estimation limiter: the group's room below its maximum, the
 * cluster's below --max-nodes-total, --max-nodes-per-scaleup); pods that then find no room are left
 * out of the estimate. Returns the nodes needed and the pods they would hold (upstream's option's
 * NodeCount and Pods, what the expanders compare).
 */
export function estimate<P extends Sized>(
  pods: readonly P[],
  shape: NodeShape,
  maxNodes: number,
): { nodes: number; pods: P[] } {
  const bins: Bin[] = [];
  const placed: P[] = [];
  for (const p of decreasingSize(pods, shape)) {
    let bin = bins.find((b) => fitsShape(p, b));
    if (!bin) {
      if (bins.length >= maxNodes || !fitsShape(p, shape)) continue;
      bin = emptyBin(shape);
      bins.push(bin);
    }
    take(bin, p);
    placed.push(p);
  }
  return { nodes: bins.length, pods: placed };
}
