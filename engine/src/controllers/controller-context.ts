import type { ClusterState } from "@clustersim/hardware-models";
import type { Rng, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunBus } from "../bus/run-events.js";
import type { NodeGroups, SchedulingLoop } from "../runs/scheduling-loop.js";
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
}

/** The context of controller `name`: the run's clock, cluster and counts, and the actions it may take. */
export function controllerContext(name: string, run: ContextDeps): ControllerContext {
  const { sim, cluster, bus, loop, groups } = run;
  const streams = new Map<string, Rng>();
  const groupIndex = (group: string) => {
    const g = groups.names.indexOf(group);
    if (g < 0)
      throw new RangeError(`controller ${name}: no node group "${group}" (groups: ${groups.names.join(", ")})`);
    return g;
  };
  return {
    get nowS() {
      return sim.now;
    },
    endS: run.endS,
    cluster,
    nodeGroups: groups.names,
    groupOf: (node) => groups.nodeGroup[node],
    get waiting() {
      return loop.waiting;
    },
    get running() {
      return loop.running;
    },
    rng(stream) {
      let r = streams.get(stream);
      if (!r) {
        r = sim.random.get(`controller/${name}/${stream}`);
        streams.set(stream, r);
      }
      return r;
    },
    on: (l) => bus.subscribe(l),
    at: (t, fn) => run.timer(t, fn),
    after: (d, fn) => run.timer(sim.now + d, fn),
    every(periodS, fn, firstS) {
      if (!(periodS > 0)) throw new RangeError(`controller ${name}: every() needs a period > 0, found ${periodS}`);
      const tick = () => {
        fn();
        run.timer(sim.now + periodS, tick);
      };
      run.timer(firstS ?? sim.now + periodS, tick);
    },
    submit(task) {
      const entered = run.admit({ ...task, arrivalS: sim.now });
      sim.requestInstantEnd();
      return entered;
    },
    addNodes(group, count) {
      const g = groupIndex(group);
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
    },
    removeNodes(group, count) {
      const g = groupIndex(group);
      let removed = 0;
      for (let n = cluster.nodeCount - 1; n >= 0 && removed < count; n--) {
        if (groups.nodeGroup[n] !== g || !cluster.isPresent(n) || cluster.podsOn(n) > 0) continue;
        cluster.setPresent(n, false);
        bus.nodeRemoved(n, sim.now);
        removed++;
      }
      return removed;
    },
    remove(task) {
      if (!loop.remove) throw new Error(`controller ${name}: this run's loop cannot remove tasks`);
      return loop.remove(task);
    },
    evict(task) {
      if (!loop.evict) throw new Error(`controller ${name}: this run's loop cannot evict tasks`);
      const evicted = loop.evict(task);
      if (evicted) sim.requestInstantEnd();
      return evicted;
    },
    tasksOn(node) {
      return loop.tasksOn ? loop.tasksOn(node) : [];
    },
    forEachWaiting(fn) {
      loop.forEachWaiting?.(fn);
    },
    markReady(task, node) {
      bus.ready(task, node, sim.now);
    },
    clusterChanged() {
      loop.capacityAdded();
      sim.requestInstantEnd();
    },
    removeNode(node) {
      if (!cluster.isPresent(node) || cluster.podsOn(node) > 0) return false;
      cluster.setPresent(node, false);
      bus.nodeRemoved(node, sim.now);
      return true;
    },
    workStartS(task) {
      return loop.workStartS ? loop.workStartS(task) : Number.NaN;
    },
    setRate(task, rate) {
      if (!loop.setRate) throw new Error(`controller ${name}: this run's loop has no rate-based progress`);
      return loop.setRate(task, rate);
    },
    setPoolUp(pool, up) {
      if (cluster.isPoolUp(pool) === up) return;
      cluster.setPoolUp(pool, up);
      if (up) loop.capacityAdded();
      else loop.poolDown?.(pool);
      sim.requestInstantEnd();
    },
    setNodeUp(node, up) {
      if (cluster.isUp(node) === up || !cluster.isPresent(node)) {
        cluster.setUp(node, up);
        return;
      }
      if (up) {
        cluster.setUp(node, true);
        bus.nodeUp(node, sim.now);
        loop.capacityAdded();
        sim.requestInstantEnd();
      } else {
        cluster.setUp(node, false);
        bus.nodeDown(node, sim.now);
        loop.nodeDown(node);
        sim.requestInstantEnd();
      }
    },
    simulation: sim,
  };
}
