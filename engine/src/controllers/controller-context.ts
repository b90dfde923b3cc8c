import type { ClusterState } from "@clustersim/hardware-models";
import type { Pod } from "@clustersim/schedulers";
import type { Rng, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunBus, RunListener } from "../bus/run-events.js";
import type { NodeGroups, ResizeOutcome, SchedulingLoop } from "../runs/scheduling-loop.js";
import type { ServiceView } from "../services/service-api.js";
import type { ControllerContext } from "./controller.js";

/** What a controller's context acts through: the run's parts. */
export interface ContextDeps {
  sim: Simulation;
  cluster: ClusterState;
  bus: RunBus;
  loop: SchedulingLoop;
  groups: NodeGroups;
  /** A task enters the run now; the task as the run holds it. */
  admit(task: Task): Task;
  /** Call `fn` at `timeS` (a controller timer event). */
  timer(timeS: number, fn: () => void): void;
  endS: number;
  services: readonly ServiceView[];
}

/** The context of controller `name`: the run's clock, cluster and counts, and the actions it may take. */
export function controllerContext(name: string, run: ContextDeps): ControllerContext {
  return new RunControllerContext(name, run);
}

class RunControllerContext implements ControllerContext {
  readonly endS: number;
  readonly cluster: ClusterState;
  readonly nodeGroups: readonly string[];
  readonly simulation: Simulation;
  readonly services: readonly ServiceView[];
  private readonly streams = new Map<string, Rng>();

  constructor(
    private readonly name: string,
    private readonly run: ContextDeps,
  ) {
    this.endS = run.endS;
    this.cluster = run.cluster;
    this.nodeGroups = run.groups.names;
    this.simulation = run.sim;
    this.services = run.services;
    // Methods stay usable when a plug-in takes them off the context (`const { every } = ctx`).
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(RunControllerContext.prototype)) {
      const d = Object.getOwnPropertyDescriptor(RunControllerContext.prototype, key)!;
      if (key !== "constructor" && typeof d.value === "function") self[key] = d.value.bind(this);
    }
  }

  get nowS(): number {
    return this.run.sim.now;
  }
  get waiting(): number {
    return this.run.loop.waiting;
  }
  get running(): number {
    return this.run.loop.running;
  }
  groupOf(node: number): number {
    return this.run.groups.nodeGroup[node];
  }

  service(name: string): ServiceView | undefined {
    return this.services.find((s) => s.name === name);
  }

  rng(stream: string): Rng {
    let r = this.streams.get(stream);
    if (!r) {
      r = this.run.sim.random.get(`controller/${this.name}/${stream}`);
      this.streams.set(stream, r);
    }
    return r;
  }

  on(l: RunListener): void {
    this.run.bus.subscribe(l);
  }
  at(t: number, fn: () => void): void {
    this.run.timer(t, fn);
  }
  after(d: number, fn: () => void): void {
    this.run.timer(this.run.sim.now + d, fn);
  }
  every(periodS: number, fn: () => void, firstS?: number): void {
    const { sim } = this.run;
    if (!(periodS > 0)) throw new RangeError(`controller ${this.name}: every() needs a period > 0, found ${periodS}`);
    const tick = () => {
      fn();
      this.run.timer(sim.now + periodS, tick);
    };
    this.run.timer(firstS ?? sim.now + periodS, tick);
  }

  submit(task: Task): Task {
    const entered = this.run.admit({ ...task, arrivalS: this.run.sim.now });
    this.run.sim.requestInstantEnd();
    return entered;
  }

  addNodes(group: string, count: number): number {
    const { cluster, bus, sim, groups, loop } = this.run;
    const g = this.groupIndex(group);
    let added = 0;
    for (let n = 0; n < cluster.nodeCount && added < count; n++) {
      if (groups.nodeGroup[n] !== g || cluster.isPresent(n)) continue;
      cluster.setPresent(n, true);
      bus.nodeAdded(n, sim.now);
      added++;
    }
    if (added > 0) {
      loop.capacityAdded();
      sim.requestInstantEnd();
    }
    return added;
  }

  removeNodes(group: string, count: number): number {
    const { cluster, bus, sim, groups } = this.run;
    const g = this.groupIndex(group);
    let removed = 0;
    for (let n = cluster.nodeCount - 1; n >= 0 && removed < count; n--) {
      if (groups.nodeGroup[n] !== g || !cluster.isPresent(n)) continue;
      if (cluster.podsOn(n) > 0 && this.tasksOn(n).length === 0) this.run.loop.releaseIdle?.(n);
      if (cluster.podsOn(n) > 0) continue;
      cluster.setPresent(n, false);
      bus.nodeRemoved(n, sim.now);
      removed++;
    }
    return removed;
  }

  remove(task: Task): "running" | "waiting" | undefined {
    const { loop } = this.run;
    if (!loop.remove) throw new Error(`controller ${this.name}: this run's loop cannot remove tasks`);
    return loop.remove(task);
  }

  evict(task: Task): boolean {
    const { loop, sim } = this.run;
    if (!loop.evict) throw new Error(`controller ${this.name}: this run's loop cannot evict tasks`);
    const evicted = loop.evict(task);
    if (evicted) sim.requestInstantEnd();
    return evicted;
  }

  resize(task: Task, cpuMilli: number): ResizeOutcome | undefined {
    const { loop } = this.run;
    if (!loop.resize) throw new Error(`controller ${this.name}: this run's loop cannot resize tasks in place`);
    if (!Number.isInteger(cpuMilli) || cpuMilli <= 0)
      throw new RangeError(
        `controller ${this.name}: resize of task ${task.id} needs whole millicores above 0, found ${cpuMilli}`,
      );
    return loop.resize(task, cpuMilli);
  }

  tasksOn(node: number): Task[] {
    const { loop } = this.run;
    return loop.tasksOn ? loop.tasksOn(node) : [];
  }
  forEachWaiting(fn: (task: Task, pod: Pod) => void): void {
    this.run.loop.forEachWaiting?.(fn);
  }
  markReady(task: Task, node: number): void {
    this.run.bus.ready(task, node, this.run.sim.now);
  }
  clusterChanged(): void {
    this.run.loop.capacityAdded();
    this.run.sim.requestInstantEnd();
  }

  removeNode(node: number): boolean {
    const { cluster, bus, sim, loop } = this.run;
    if (!cluster.isPresent(node)) return false;
    // Idle warm instances hold memory but run no task: they go with the node (a drain would evict them).
    if (cluster.podsOn(node) > 0 && this.tasksOn(node).length === 0) loop.releaseIdle?.(node);
    if (cluster.podsOn(node) > 0) return false;
    cluster.setPresent(node, false);
    bus.nodeRemoved(node, sim.now);
    return true;
  }

  workStartS(task: Task): number {
    const { loop } = this.run;
    return loop.workStartS ? loop.workStartS(task) : Number.NaN;
  }

  setRate(task: Task, rate: number): boolean {
    const { loop } = this.run;
    if (!loop.setRate) throw new Error(`controller ${this.name}: this run's loop has no rate-based progress`);
    return loop.setRate(task, rate);
  }

  setPoolUp(pool: number, up: boolean): void {
    const { cluster, loop, sim } = this.run;
    if (cluster.isPoolUp(pool) === up) return;
    cluster.setPoolUp(pool, up);
    if (up) loop.capacityAdded();
    else loop.poolDown?.(pool);
    sim.requestInstantEnd();
  }

  setNodeUp(node: number, up: boolean): void {
    const { cluster, bus, loop, sim } = this.run;
    if (cluster.isUp(node) === up || !cluster.isPresent(node)) {
      cluster.setUp(node, up);
      return;
    }
    cluster.setUp(node, up);
    if (up) {
      bus.nodeUp(node, sim.now);
      loop.capacityAdded();
    } else {
      bus.nodeDown(node, sim.now);
      loop.nodeDown(node);
      // Its idle warm sandboxes go with it (they lived in its memory).
      loop.releaseIdle?.(node);
    }
    sim.requestInstantEnd();
  }

  private groupIndex(group: string): number {
    const names = this.run.groups.names;
    const g = names.indexOf(group);
    if (g < 0) throw new RangeError(`controller ${this.name}: no node group "${group}" (groups: ${names.join(", ")})`);
    return g;
  }
}
