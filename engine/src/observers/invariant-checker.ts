import type { ClusterState } from "@clustersim/hardware-models";
import type { Task } from "@clustersim/workloads";
import type { RejectReason, RunListener } from "../bus/run-events.js";

/** A run broke one of its invariants: the event, time, node and task say where. */
export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation";
}

type State = "waiting" | "running" | "done" | "removed" | "rejected" | "failed";

/**
 * Checks a run's invariants as its events happen (`clustersim run --check`, and in the tests):
 * - time never goes back;
 * - every task is in exactly one state, and moves only along arrive → waiting → running → done, with
 *   kill and preemption back to waiting, rejection from waiting, failure after a kill, removal (by a
 *   controller) from waiting or running; only a running task is resized in place;
 * - the nodes an event touched have free CPU, memory and GPUs within [0, allocatable];
 * - every `sampleEvery` events, the placement index's best fit for a small request agrees with a scan;
 * - at every sample, every `sampleEvery` events and at the end, the cluster's live arrays agree with
 *   the placements they were booked from (ClusterState.audit): a change made behind the engine's back
 *   (a write to its arrays) shows there, and the message names the last plug-in call before it;
 * - at the end, tasks are conserved: submitted = completed + removed + running + waiting + rejected + failed.
 * A violation stops the run with an InvariantViolation naming the event, time, node and task.
 */
export class InvariantChecker implements RunListener {
  private readonly state = new Map<Task, State>();
  private lastS = 0;
  private readonly one = [0];
  private events = 0;
  private submitted = 0;
  private completed = 0;

  constructor(
    private readonly cluster: ClusterState,
    private readonly sampleEvery = 1000,
    private readonly lastPluginCall?: () => string | undefined,
  ) {}

  private broken(event: string, nowS: number, what: string): never {
    throw new InvariantViolation(`invariant broken at ${event}, time ${nowS}: ${what}`);
  }

  private tick(event: string, nowS: number): void {
    if (nowS < this.lastS) this.broken(event, nowS, `time went back from ${this.lastS}`);
    this.lastS = nowS;
    if (++this.events % this.sampleEvery === 0) {
      this.checkIndex(event, nowS);
      this.audit(event, nowS);
    }
  }

  /** The cluster's arrays against its placements: O(nodes + placements), so not after every event. */
  private audit(event: string, nowS: number): void {
    const wrong = this.cluster.audit();
    if (wrong === undefined) return;
    const last = this.lastPluginCall?.();
    this.broken(
      event,
      nowS,
      `${wrong}: the cluster changed outside the engine${last ? ` (the last plug-in call: ${last})` : ""}`,
    );
  }

  private move(event: string, t: Task, nowS: number, from: State | undefined, to: State): void {
    this.tick(event, nowS);
    const now = this.state.get(t);
    if (now !== from) this.broken(event, nowS, `task ${t.id} is ${now ?? "unknown"}, expected ${from ?? "unknown"}`);
    this.state.set(t, to);
  }

  private checkNodes(event: string, nodes: readonly number[], t: Task, nowS: number): void {
    const c = this.cluster;
    for (const n of nodes) {
      const cpu = c.freeCpuMilli(n);
      const mem = c.freeMemoryMiB(n);
      const where = `node ${n}, task ${t.id}`;
      if (!(cpu >= 0 && cpu <= c.allocatableCpuMilli(n))) this.broken(event, nowS, `${where}: free CPU ${cpu} m`);
      if (!(mem >= 0 && mem <= c.allocatableMemoryMiB(n))) this.broken(event, nowS, `${where}: free memory ${mem} MiB`);
      for (let g = 0; g < c.gpuCount(n); g++) {
        const free = c.gpuFreeMilli(n, g);
        if (!(free >= 0 && free <= 1000)) this.broken(event, nowS, `${where}: GPU ${g} has ${free} thousandths free`);
      }
    }
  }

  /** The index's best fit for a 1-millicore, 1-MiB request: the node with the least free CPU that fits. */
  private checkIndex(event: string, nowS: number): void {
    const c = this.cluster;
    const r = { cpuMilli: 1, memoryMiB: 1 };
    const chosen = c.bestFitNode(r);
    let least = Number.POSITIVE_INFINITY;
    for (let n = 0; n < c.nodeCount; n++) if (c.fits(n, r)) least = Math.min(least, c.freeCpuMilli(n));
    const got = chosen < 0 ? Number.POSITIVE_INFINITY : c.freeCpuMilli(chosen);
    if (got !== least)
      this.broken(event, nowS, `the placement index chose node ${chosen} (free ${got} m), a scan finds ${least} m`);
  }

  arrive(t: Task, nowS: number): void {
    this.submitted++;
    this.move("arrive", t, nowS, undefined, "waiting");
  }
  reject(t: Task, _why: RejectReason, nowS: number): void {
    this.move("reject", t, nowS, "waiting", "rejected");
  }
  start(t: Task, nodes: readonly number[], nowS: number): void {
    this.move("start", t, nowS, "waiting", "running");
    this.checkNodes("start", nodes, t, nowS);
  }
  finish(t: Task, nodes: readonly number[], _startS: number, nowS: number): void {
    this.completed++;
    this.move("finish", t, nowS, "running", "done");
    this.checkNodes("finish", nodes, t, nowS);
  }
  kill(t: Task, nodes: readonly number[], nowS: number): void {
    this.move("kill", t, nowS, "running", "waiting");
    this.checkNodes("kill", nodes, t, nowS);
  }
  preempt(t: Task, nodes: readonly number[], nowS: number): void {
    this.move("preempt", t, nowS, "running", "waiting");
    this.checkNodes("preempt", nodes, t, nowS);
  }
  fail(t: Task, nowS: number): void {
    this.move("fail", t, nowS, "waiting", "failed");
  }
  remove(t: Task, nodes: readonly number[], _startS: number, nowS: number): void {
    this.move("remove", t, nowS, nodes.length > 0 ? "running" : "waiting", "removed");
    this.checkNodes("remove", nodes, t, nowS);
  }
  resize(t: Task, node: number, _fromCpuMilli: number, nowS: number): void {
    this.move("resize", t, nowS, "running", "running");
    this.one[0] = node;
    this.checkNodes("resize", this.one, t, nowS);
  }
  nodeDown(_n: number, nowS: number): void {
    this.tick("node down", nowS);
  }
  nodeUp(_n: number, nowS: number): void {
    this.tick("node up", nowS);
  }
  sample(nowS: number): void {
    this.tick("sample", nowS);
    this.audit("sample", nowS);
  }

  end(nowS: number): void {
    const count: Record<State, number> = { waiting: 0, running: 0, done: 0, removed: 0, rejected: 0, failed: 0 };
    for (const s of this.state.values()) count[s]++;
    if (count.done !== this.completed || this.state.size !== this.submitted) {
      this.broken("end", nowS, `tasks not conserved: ${this.submitted} submitted, states ${JSON.stringify(count)}`);
    }
    this.checkIndex("end", nowS);
    this.audit("end", nowS);
  }
}
