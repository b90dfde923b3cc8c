/**
 * The serverless side of the services' accounts: which of a service's replicas run on virtual
 * (serverless) nodes, and what they cost per second at those nodes' prices. Apart from the services'
 * controller (./services-controller.ts), which only asks these two questions of the run's virtual nodes.
 */
import type { ReplicaSet } from "./replica-set.js";
import type { VirtualNode } from "./service-config.js";

export class ServerlessLedger {
  /** Whether the run has a virtual node at all (without one nothing is billed). */
  readonly active: boolean;

  constructor(
    /** Virtual nodes by node index (absent: none). */
    private readonly virtualNodes: ReadonlyMap<number, VirtualNode> | undefined,
  ) {
    this.active = (virtualNodes?.size ?? 0) > 0;
  }

  /** How many of the set's replicas are placed on virtual nodes now. */
  replicasOn(set: ReplicaSet): number {
    const virtual = this.virtualNodes;
    if (!virtual) return 0;
    let n = 0;
    for (const node of set.nodeOf.values()) if (virtual.has(node)) n++;
    return n;
  }

  /** What the set's replicas on virtual nodes cost per second (requests at the node's prices); only when `active`. */
  costPerS(set: ReplicaSet): number {
    let costPerS = 0;
    for (const [t, node] of set.nodeOf) {
      const v = this.virtualNodes!.get(node);
      if (v) costPerS += (t.cpuMilli / 1000) * v.pricePerVcpuS + (t.memoryMiB / 1024) * v.pricePerGiBS;
    }
    return costPerS;
  }
}
