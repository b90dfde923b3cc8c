import type { Rng, Simulation } from "@clustersim/sim-core";
import { type FailureModel, timeToFailureS, timeToRepairS } from "./failures.js";

/**
 * Node failures and correlated domain failures as simulation events. A node is down while it has
 * failed itself or while any domain containing it (a rack, a CXL pool, a DPU) is down; the callbacks
 * fire on the transitions only, so a node failing inside a failed rack is reported once and comes back
 * when both are repaired. What happens to the tasks on a node is the caller's business (`onDown`).
 */
export interface FailureDomain {
  kind: "rack" | "cxl-pool" | "dpu";
  nodes: readonly number[];
}

export interface DomainOutage {
  domain: number;
  atS: number;
  repairS: number;
}

export interface FailureCallbacks {
  onDown(node: number): void;
  onUp(node: number): void;
}

export class FailureProcess {
  /** Reasons a node is down: its own failure (1) plus each failed domain containing it. */
  private readonly downCount: Int32Array;
  private readonly failKind: number;
  private readonly repairKind: number;
  private readonly domainDownKind: number;
  private readonly domainUpKind: number;
  /** Each node's failure model and stream (an index into `models`), or -1 for nodes that do not fail. */
  private readonly models: { model: FailureModel; rng: Rng }[] = [];
  private readonly modelOf: Int32Array;
  failures = 0;
  domainOutages = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly nodes: number,
    private readonly callbacks: FailureCallbacks,
    private readonly domains: readonly FailureDomain[] = [],
  ) {
    this.downCount = new Int32Array(nodes);
    this.modelOf = new Int32Array(nodes).fill(-1);
    this.failKind = sim.on("node-failure", (node) => this.fail(node));
    this.repairKind = sim.on("node-repair", (node) => this.repair(node));
    this.domainDownKind = sim.on("domain-failure", (d, repairS) => this.domainDown(d, repairS));
    this.domainUpKind = sim.on("domain-repair", (d) => this.domainUp(d));
  }

  /** Start independent failures of every node (or of `only`) under a model, drawing from `rng`. */
  startNodeFailures(model: FailureModel, rng: Rng, only?: readonly number[]): void {
    const m = this.models.push({ model, rng }) - 1;
    for (const node of only ?? Array.from({ length: this.nodes }, (_, i) => i)) {
      this.modelOf[node] = m;
      this.sim.after(timeToFailureS(rng, model), this.failKind, node);
    }
  }

  /** Schedule an outage of a whole domain at a fixed time. */
  scheduleOutage(o: DomainOutage): void {
    if (!(o.domain >= 0 && o.domain < this.domains.length)) {
      throw new RangeError(
        `domain outage: expected a domain index in 0..${this.domains.length - 1}, found ${o.domain}`,
      );
    }
    this.sim.at(o.atS, this.domainDownKind, o.domain, o.repairS);
  }

  isDown(node: number): boolean {
    return this.downCount[node] > 0;
  }

  private down(node: number): void {
    if (this.downCount[node]++ === 0) this.callbacks.onDown(node);
  }

  private up(node: number): void {
    if (--this.downCount[node] === 0) this.callbacks.onUp(node);
  }

  private fail(node: number): void {
    this.failures++;
    this.down(node);
    const { model, rng } = this.models[this.modelOf[node]];
    this.sim.after(timeToRepairS(rng, model), this.repairKind, node);
  }

  private repair(node: number): void {
    this.up(node);
    const { model, rng } = this.models[this.modelOf[node]];
    this.sim.after(timeToFailureS(rng, model), this.failKind, node);
  }

  private domainDown(d: number, repairS: number): void {
    this.domainOutages++;
    for (const node of this.domains[d].nodes) this.down(node);
    this.sim.after(repairS, this.domainUpKind, d);
  }

  private domainUp(d: number): void {
    for (const node of this.domains[d].nodes) this.up(node);
  }
}
