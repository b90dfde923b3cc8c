import type { NodeSpec } from "./cluster-types.js";
import type { MemoryPools } from "./memory-pools.js";

/** What the cluster's state keeps of each node's spec, as struct-of-arrays. */
export interface NodeTable {
  /** Allocatable CPU and memory: the capacity times its overcommit. */
  allocCpu: Float64Array;
  allocMem: Float64Array;
  rackOf: Int32Array;
  /** The kubelet's maxPods (Infinity when the spec gives none). */
  podCap: Float64Array;
  groupIndex: Int32Array;
  /** 1 where a node is in the cluster at the start. */
  present: Uint8Array;
  /** 1 where a node is a virtual (serverless) one. */
  virtualOf: Uint8Array;
}

/**
 * The nodes' specs, checked and laid out for the cluster's state (./cluster-state.ts), each bad value
 * named with its node; a node's CXL pool is written into `pools`. Apart from the state because it runs
 * once, at the start, and only reads specs.
 */
export function readNodeSpecs(nodes: readonly NodeSpec[], pools: MemoryPools): NodeTable {
  const n = nodes.length;
  const t: NodeTable = {
    allocCpu: new Float64Array(n),
    allocMem: new Float64Array(n),
    rackOf: new Int32Array(n),
    podCap: new Float64Array(n),
    groupIndex: new Int32Array(n),
    present: new Uint8Array(n),
    virtualOf: new Uint8Array(n),
  };
  nodes.forEach((s, i) => {
    if (!(s.cpuMilli >= 0 && s.memoryMiB >= 0)) throw new RangeError(`node ${i}: capacities must be >= 0`);
    const gpus = s.gpus ?? 0;
    if (!(Number.isInteger(gpus) && gpus >= 0 && gpus <= 52))
      throw new RangeError(`node ${i}: gpus must be an integer in 0..52, found ${gpus}`);
    t.allocCpu[i] = s.cpuMilli * (s.cpuOvercommit ?? 1);
    t.allocMem[i] = s.memoryMiB * (s.memoryOvercommit ?? 1);
    t.rackOf[i] = s.rack ?? 0;
    const maxPods = s.maxPods ?? Infinity;
    if (!(maxPods >= 0)) throw new RangeError(`node ${i}: maxPods must be >= 0, found ${s.maxPods}`);
    t.podCap[i] = maxPods;
    if (s.cxlPool !== undefined) {
      if (!(Number.isInteger(s.cxlPool) && s.cxlPool >= 0 && s.cxlPool < pools.count)) {
        throw new RangeError(`node ${i}: cxlPool must index one of the ${pools.count} pools, found ${s.cxlPool}`);
      }
      pools.of[i] = s.cxlPool;
    }
    const g = s.group ?? 0;
    if (!(Number.isInteger(g) && g >= 0)) throw new RangeError(`node ${i}: group must be an integer >= 0, found ${g}`);
    t.groupIndex[i] = g;
    t.present[i] = s.present === false ? 0 : 1;
    t.virtualOf[i] = s.virtual ? 1 : 0;
  });
  return t;
}
