import type { ClusterState, KeepAlivePolicy, Request } from "@clustersim/hardware-models";
import { TimeIntegral } from "../metrics/metrics.js";

/** An idle instance of an app on a node: the memory it holds there (a placement of its own). */
interface Instance {
  node: number;
  /** The instance's memory hold (a ClusterState placement), or -1 while it is unloaded (pre-warm wait). */
  hold: number;
  memoryMiB: number;
  /** Bumped whenever the instance is used or dropped, so that stale timers do nothing. */
  version: number;
}

/**
 * Warm instances per node, as a serverless platform keeps them: when an invocation ends, its sandbox
 * stays on that node for the policy's window (hardware-models' keep-alive policies: fixed, or the
 * hybrid histogram of "Serverless in the Wild"), holding the invocation's memory while loaded; the
 * next invocation of the app is routed to a node holding one (a warm start) if it fits there, else it
 * starts cold wherever the scheduler puts it. One idle instance per app and node. An instance is
 * loaded only if its node has room when its window opens. Held memory counts as allocated (it is what
 * keeping warm costs); `idleMiB` integrates it over time.
 */
export class WarmPool {
  private readonly idle = new Map<string, Map<number, Instance>>();
  private readonly lastEnd = new Map<string, number>();
  /** The end of each app's idle period whose length the policy has been told (one idle time each). */
  private readonly observedAfter = new Map<string, number>();
  readonly idleMiB = new TimeIntegral();
  private heldMiB = 0;

  constructor(
    private readonly cluster: ClusterState,
    private readonly policy: KeepAlivePolicy,
    private readonly clock: { nowS(): number; at(timeS: number, fn: () => void): void },
  ) {}

  /**
   * An invocation of `app` arrives (or, queued, is tried again): the node of an idle loaded instance
   * where it fits, its memory released for the invocation to take (-1: none, a cold start). Lowest node
   * first. The policy learns each idle period once, from the first invocation after it: a second one in
   * the same period, or a retry, is not another idle time.
   */
  route(app: string, pod: Request, nowS: number): number {
    const last = this.lastEnd.get(app);
    if (last !== undefined && nowS >= last && this.observedAfter.get(app) !== last) {
      this.observedAfter.set(app, last);
      this.policy.observeIdle(app, nowS - last);
    }
    const onNodes = this.idle.get(app);
    if (!onNodes) return -1;
    const nodes = [...onNodes.keys()].sort((a, b) => a - b);
    for (const node of nodes) {
      const inst = onNodes.get(node)!;
      if (!this.cluster.isUp(node)) {
        // Its node failed: the sandbox is gone (the node's release should have dropped it already).
        this.drop(app, inst, nowS);
        continue;
      }
      if (inst.hold < 0) continue;
      this.unhold(inst, nowS);
      if (this.cluster.fits(node, pod)) {
        inst.version++;
        onNodes.delete(node);
        return node;
      }
      this.hold(inst, nowS); // it fits there no better than before: keep the instance
    }
    return -1;
  }

  /** An invocation of `app` left `node` at `nowS`: its sandbox stays warm there per the policy's window. */
  ended(app: string, node: number, memoryMiB: number, nowS: number): void {
    this.lastEnd.set(app, Math.max(this.lastEnd.get(app) ?? Number.NEGATIVE_INFINITY, nowS));
    if (!this.cluster.isUp(node)) return;
    let onNodes = this.idle.get(app);
    if (!onNodes) this.idle.set(app, (onNodes = new Map()));
    const old = onNodes.get(node);
    if (old) this.drop(app, old, nowS); // one idle instance per app and node: the newer one stays
    const inst: Instance = { node, hold: -1, memoryMiB, version: 0 };
    onNodes.set(node, inst);
    const w = this.policy.window(app);
    const v = inst.version;
    const load = (now: number) => {
      if (inst.version !== v) return;
      if (!this.cluster.isUp(node) || !this.cluster.fits(node, { cpuMilli: 0, memoryMiB })) {
        this.drop(app, inst, now);
        return;
      }
      this.hold(inst, now);
      this.clock.at(now + w.keepAliveS, () => {
        if (inst.version === v) this.drop(app, inst, this.clock.nowS());
      });
    };
    if (w.prewarmS > 0) this.clock.at(nowS + w.prewarmS, () => load(this.clock.nowS()));
    else load(nowS);
  }

  /** Drop every idle instance on `node` (it is leaving the cluster): their memory is given back. */
  dropOn(node: number, nowS: number): void {
    for (const [app, onNodes] of this.idle) {
      const inst = onNodes.get(node);
      if (inst) this.drop(app, inst, nowS);
    }
  }

  private hold(inst: Instance, nowS: number): void {
    inst.hold = this.cluster.place(inst.node, { cpuMilli: 0, memoryMiB: inst.memoryMiB });
    this.heldMiB += inst.memoryMiB;
    this.idleMiB.set(this.heldMiB, nowS);
  }

  private unhold(inst: Instance, nowS: number): void {
    if (inst.hold < 0) return;
    this.cluster.release(inst.hold);
    inst.hold = -1;
    this.heldMiB -= inst.memoryMiB;
    this.idleMiB.set(this.heldMiB, nowS);
  }

  private drop(app: string, inst: Instance, nowS: number): void {
    inst.version++;
    this.unhold(inst, nowS);
    const onNodes = this.idle.get(app);
    if (onNodes?.get(inst.node) === inst) onNodes.delete(inst.node);
  }
}
