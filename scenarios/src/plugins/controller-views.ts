import type { ControllerContext, RunListener, ServiceView } from "@clustersim/engine";
import type { Pod } from "@clustersim/schedulers";
import type { Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { type PluginViews, refuseWrites } from "./plugin-views.js";
import { simulationView } from "./simulation-view.js";

/** Marks a plug-in callback as its `doing` (the watchdog's: time limit, exceptions, refused writes). */
type Mark = <A extends unknown[]>(doing: string, fn: (...args: A) => unknown) => (...args: A) => unknown;

/** What the run events' object arguments are called, for messages ("its start listener wrote task.cpuMilli"). */
const ARGUMENTS: Record<string, readonly string[]> = {
  start: ["task", "nodes"],
  finish: ["task", "nodes"],
  kill: ["task", "nodes"],
  preempt: ["task", "nodes"],
  remove: ["task", "nodes"],
  decision: ["task", "record"],
};

/**
 * A user controller's context: the run's context, read only where it holds the run's state. The
 * cluster is a ReadOnlyClusterView; the tasks and pods it is handed (run events, tasksOn,
 * forEachWaiting, submit) and the services are read-only proxies, and the run's own objects are
 * given back when the plug-in passes them to an action (evict, remove, resize, ...). Writes to the
 * context itself are refused too. Actions go through the run's own methods, which check them; the
 * event core is handed as ./simulation-view.ts makes it (events of the plug-in's own kinds only).
 */
export function readOnlyContext(ctx: ControllerContext, views: PluginViews, mark: Mark): ControllerContext {
  const { objects } = views;
  const task = (t: Task) => objects.wrap(t, "task");
  const own = <T>(x: T) => objects.unwrap(x);
  const cluster = views.of(ctx.cluster);
  let services: readonly ServiceView[] = [];
  let simulation: Simulation | undefined;
  // A plain object listing the context's members, not one inheriting from the run's context: that
  // one's fields (the run's parts) would be in reach through the prototype.
  const marked: ControllerContext = {
    get nowS() {
      return ctx.nowS;
    },
    get endS() {
      return ctx.endS;
    },
    get waiting() {
      return ctx.waiting;
    },
    get running() {
      return ctx.running;
    },
    get simulation() {
      simulation ??= simulationView(ctx.simulation, views.log, mark, (name) => ctx.rng(name));
      return simulation;
    },
    cluster,
    nodeGroups: Object.freeze([...ctx.nodeGroups]),
    groupOf: (node) => ctx.groupOf(node),
    // The run's services are fixed when it is assembled; wrapped once, when first read.
    get services() {
      if (services.length !== ctx.services.length)
        services = Object.freeze(ctx.services.map((s) => objects.wrap(s, `service("${s.name}")`)));
      return services;
    },
    service: (name) => {
      const s = ctx.service(name);
      return s && objects.wrap(s, `service("${s.name}")`);
    },
    rng: (name) => ctx.rng(name),
    at: (t, fn) => ctx.at(t, mark("a timer", fn)),
    after: (d, fn) => ctx.after(d, mark("a timer", fn)),
    every: (p, fn, first) => ctx.every(p, mark("a timer", fn), first),
    forEachWaiting: (fn) => {
      const each = mark("forEachWaiting()", (t: Task, pod: Pod) => fn(task(t), objects.wrap(pod, "pod")));
      ctx.forEachWaiting((t, pod) => void each(t, pod));
    },
    on: (l: RunListener) => {
      const listener: Record<string, unknown> = {};
      for (const [event, fn] of Object.entries(l)) {
        if (typeof fn !== "function") continue;
        const names = ARGUMENTS[event] ?? ["task"];
        const call = mark(`its ${event} listener`, (fn as (...a: unknown[]) => unknown).bind(l));
        listener[event] = (...args: unknown[]) => {
          for (let i = 0; i < args.length; i++)
            if (typeof args[i] === "object") args[i] = objects.wrap(args[i], names[i] ?? `argument ${i}`);
          return call(...args);
        };
      }
      ctx.on(listener as RunListener);
    },
    submit: (t) => task(ctx.submit(own(t))),
    addNodes: (group, count) => ctx.addNodes(group, count),
    removeNodes: (group, count) => ctx.removeNodes(group, count),
    remove: (t) => ctx.remove(own(t)),
    evict: (t) => ctx.evict(own(t)),
    resize: (t, cpuMilli) => ctx.resize(own(t), cpuMilli),
    tasksOn: (node) => ctx.tasksOn(node).map(task),
    markReady: (t, node) => ctx.markReady(own(t), node),
    clusterChanged: () => ctx.clusterChanged(),
    removeNode: (node) => ctx.removeNode(node),
    workStartS: (t) => ctx.workStartS(own(t)),
    setRate: (t, rate) => ctx.setRate(own(t), rate),
    setPoolUp: (pool, up) => ctx.setPoolUp(pool, up),
    setNodeUp: (node, up) => ctx.setNodeUp(node, up),
  };
  return refuseWrites(marked, "ctx", views.log);
}
