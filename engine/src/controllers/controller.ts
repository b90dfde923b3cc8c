import type { ClusterView } from "@clustersim/hardware-models";
import type { Pod } from "@clustersim/schedulers";
import type { Rng, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import type { ResizeOutcome } from "../runs/scheduling-loop.js";
import type { ServiceView } from "../services/service-api.js";

/**
 * Something that acts during a run, as a Kubernetes controller does: it reacts to run events or ticks,
 * reads the cluster, the run's counts and its services, and acts through its context: submit or delete
 * tasks, add or remove nodes of a group, take nodes down or up, resize services. Faults, the Cluster
 * Autoscaler, the services and co-location are controllers; a user's start after them. `start` is
 * called once before the first event; a controller keeps its own state.
 */
export interface Controller {
  readonly name: string;
  start(ctx: ControllerContext): void;
}

export interface ControllerContext {
  /** Simulated time, seconds. */
  readonly nowS: number;
  /** When the run ends, seconds (infinite for a run that ends when nothing is left to happen). */
  readonly endS: number;
  /** The cluster, read only (free and allocatable resources, nodes up and present). */
  readonly cluster: ClusterView;
  /** Node group names, and the group of each node (an index into `nodeGroups`). */
  readonly nodeGroups: readonly string[];
  groupOf(node: number): number;
  /** Tasks waiting for a node, and running, now. */
  readonly waiting: number;
  readonly running: number;
  /** The run's services (traffic, latency, replicas; resize them): empty without any. */
  readonly services: readonly ServiceView[];
  /** The service named `name`, or undefined. */
  service(name: string): ServiceView | undefined;
  /** The controller's own random stream `name` (seeded from the run's seed, the controller's name and `name`). */
  rng(name: string): Rng;
  /** Listen to run events (arrivals, starts, finishes, node changes, samples, ...). */
  on(listener: RunListener): void;
  /** Call `fn` at an absolute time, after a delay, or every `periodS` from `firstS` (default: one period from now). */
  at(timeS: number, fn: () => void): void;
  after(delayS: number, fn: () => void): void;
  every(periodS: number, fn: () => void, firstS?: number): void;
  /**
   * A task enters the run now (its arrival time is set to now). Returns the task as the run holds it:
   * the object its run events carry, and the one to pass to `remove` or `setRate`.
   */
  submit(task: Task): Task;
  /** Make up to `count` nodes of a group present (they take pods at once); returns how many were added. */
  addNodes(group: string, count: number): number;
  /** Remove up to `count` empty nodes of a group (highest numbered first); returns how many were removed. */
  removeNodes(group: string, count: number): number;
  /**
   * Take a task out of the run for good, running or waiting (a ReplicaSet deleting a pod): it leaves at
   * once and is not resubmitted. Returns where it was, or undefined when it was in neither state.
   */
  remove(task: Task): "running" | "waiting" | undefined;
  /** Evict a running task (a drain): it waits again and its run starts over; false when not running. */
  evict(task: Task): boolean;
  /**
   * Change a running task's CPU request in place, without a restart (a pod resized through its
   * `resize` subresource, Kubernetes v1.33): "resized" when its node's free CPU covers an increase (a
   * decrease always fits), then the run event `resize`; "deferred" when it does not now and "infeasible"
   * when `cpuMilli` exceeds the node's allocatable, both leaving the request as it was (ask again to
   * retry). Undefined when the task is not running.
   */
  resize(task: Task, cpuMilli: number): ResizeOutcome | undefined;
  /** The running tasks on a node. */
  tasksOn(node: number): Task[];
  /** Every waiting task with its request as the scheduler sees it (with the hardware's charges). */
  forEachWaiting(fn: (task: Task, pod: Pod) => void): void;
  /** Announce that a running task (a service replica) is ready to serve: the run event `ready`. */
  markReady(task: Task, node: number): void;
  /** Tell the scheduler that room appeared outside its view (waiting pods are tried again). */
  clusterChanged(): void;
  /** Remove one present, empty node of any group; false when it has pods or is absent. */
  removeNode(node: number): boolean;
  /** When a running task's work begins: its start plus its sandbox's start delay (NaN when not running). */
  workStartS(task: Task): number;
  /** Change a running task's speed (1 = as its run time says; 0 pauses it); false when it is not running. */
  setRate(task: Task, rate: number): boolean;
  /** Take a CXL pool out of service (the tasks holding its memory are killed and resubmitted) or back. */
  setPoolUp(pool: number, up: boolean): void;
  /** Take a node down (its tasks are killed and resubmitted) or bring it back. */
  setNodeUp(node: number, up: boolean): void;
  /** The event core, for controllers that schedule events of their own kinds (failure processes). */
  readonly simulation: Simulation;
}
