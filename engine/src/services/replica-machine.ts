import type { Task } from "@clustersim/workloads";
import type { ReplicaSet } from "./replica-set.js";

/**
 * What a replica's machine does to the requests it serves: how much slower they run (its sandbox
 * runtime's compute, its memory on a CXL pool, a saturated DPU), and the host cores its software
 * network path takes from its CPU (none on a DPU). `version` changes whenever either may have.
 */
export interface ReplicaMachine {
  slowdown(task: Task, node: number): number;
  hostNetworkCores(task: Task, node: number): number;
  version(): number;
}

/** A service's ready replicas' machine figures, averaged. */
export interface MachineFigures {
  slowdown: number;
  networkCores: number;
}

/**
 * One service's ready replicas' machine figures, averaged, recomputed only when its ready replicas or
 * the machines changed (the tick reads them every second).
 */
export class MachineFiguresCache {
  private readonly figures: MachineFigures = { slowdown: 1, networkCores: 0 };
  private readyVersion = -1;
  private machineVersion = -1;

  constructor(private readonly machine: ReplicaMachine) {}

  of(set: ReplicaSet): MachineFigures {
    const version = this.machine.version();
    if (this.readyVersion === set.readyVersion && this.machineVersion === version) return this.figures;
    let slowdown = 0;
    let networkCores = 0;
    for (const t of set.ready.keys()) {
      const node = set.nodeOf.get(t)!;
      slowdown += this.machine.slowdown(t, node);
      networkCores += this.machine.hostNetworkCores(t, node);
    }
    const n = set.ready.size;
    this.figures.slowdown = n > 0 ? slowdown / n : 1;
    this.figures.networkCores = n > 0 ? networkCores / n : 0;
    this.readyVersion = set.readyVersion;
    this.machineVersion = version;
    return this.figures;
  }
}
