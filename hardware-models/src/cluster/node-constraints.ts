import type { NodeSpec, Request, Taint } from "./cluster-types.js";
import { tolerates } from "./cluster-types.js";

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The nodes' labels and taints, and whether a pod may go on a node by them, as Kubernetes filters: the
 * pod must tolerate the node's NoSchedule and NoExecute taints and match its `nodeSelector`
 * (PreferNoSchedule only scores). Apart from the cluster's resources (./cluster-state.ts) because they
 * never change during a run and are read by filters and scores alone.
 */
export class NodeConstraints {
  private readonly labelsOf: Array<Readonly<Record<string, string>>>;
  private readonly taintsOf: Array<readonly Taint[]>;
  /** 1 where a node has taints: the only node-side condition beyond CPU, memory and up for a plain request. */
  readonly tainted: Uint8Array;
  readonly hasPreferNoScheduleTaints: boolean;

  constructor(nodes: readonly NodeSpec[]) {
    this.labelsOf = nodes.map((s) => s.labels ?? NO_LABELS);
    this.taintsOf = nodes.map((s) => s.taints ?? []);
    this.tainted = Uint8Array.from(this.taintsOf, (ts) => (ts.length > 0 ? 1 : 0));
    this.hasPreferNoScheduleTaints = this.taintsOf.some((ts) => ts.some((t) => t.effect === "PreferNoSchedule"));
  }

  labels(node: number): Readonly<Record<string, string>> {
    return this.labelsOf[node];
  }

  taints(node: number): readonly Taint[] {
    return this.taintsOf[node];
  }

  /** Whether the request tolerates the node's NoSchedule/NoExecute taints and matches its labels. */
  admits(node: number, r: Request): boolean {
    for (const t of this.taintsOf[node]) {
      if (t.effect === "PreferNoSchedule") continue;
      if (!(r.tolerations ?? []).some((tol) => tolerates(tol, t))) return false;
    }
    if (r.nodeSelector) {
      const labels = this.labelsOf[node];
      for (const k in r.nodeSelector) if (labels[k] !== r.nodeSelector[k]) return false;
    }
    return true;
  }
}
