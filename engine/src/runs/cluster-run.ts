import type { ClusterState } from "@clustersim/hardware-models";
import type { DecisionRecord, PlacementStrategy, Pod } from "@clustersim/schedulers";
import { type EventHandle, type RunSummary, Simulation } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { type ArrivalPump, driveAsync, driveSync, type RunMachine } from "./arrival-pump.js";
import { installSampler } from "./sampler.js";

/**
 * The online cluster run: tasks arrive, are placed by a strategy, run for their run time and leave.
 * Tasks that do not fit wait, in arrival order, and are retried whenever a task leaves, oldest first,
 * until one still does not fit. Two queue disciplines:
 * - "kubernetes" (default): an arriving task is tried at once, even while older ones wait (upstream's
 *   active and unschedulable queues); a big task may wait while smaller, newer ones start.
 * - "fifo": strict first come, first served; the oldest waiting task blocks every newer one.
 * A task larger than every node (CPU, memory or GPUs) can never start: it is counted as never
 * scheduled at arrival instead of blocking the queue forever.
 *
 * Arrivals are pulled from the task stream one at a time, so memory grows with the tasks in the
 * system, not with the tasks in the workload. Nothing is allocated per event except the hook calls.
 */
export interface ClusterRunOptions {
  cluster: ClusterState;
  strategy: PlacementStrategy;
  /** In arrival order; an asynchronous source needs runClusterAsync. */
  tasks: Iterator<Task> | Iterable<Task> | AsyncIterable<Task>;
  seed?: number;
  /** Stop at this simulated time (default: when every task has left). */
  untilS?: number;
  queue?: "kubernetes" | "fifo";
  /** Hardware effects: what the scheduler sees of a task, and how long it runs where it was placed. */
  effects?: RunEffects;
  /**
   * Install failure processes on the run's simulation; they report nodes going down and coming back.
   * A node going down kills its tasks, which are resubmitted up to `maxRetries` times (then failed).
   */
  faults?(sim: Simulation, nodeDown: (node: number) => void, nodeUp: (node: number) => void): void;
  /** Resubmissions of a killed task before it counts as failed (default 3). */
  maxRetries?: number;
  /** With `untilS`: call `onSample` at 0 and every `sampleEveryS` of simulated time (time series). */
  sampleEveryS?: number;
  onSample?(nowS: number, waiting: number, events: number): void;
  /** Called when a task starts on a node, and when it leaves. */
  onStart?(task: Task, node: number, nowS: number): void;
  onFinish?(task: Task, node: number, nowS: number, startS: number): void;
  /** A running task was killed by a node failure (it may start again). */
  onKill?(task: Task, node: number, nowS: number): void;
  /** A task arrived; a node went down or came back. */
  onArrive?(task: Task, nowS: number): void;
  onNodeState?(node: number, up: boolean, nowS: number): void;
  /** With `strategy.record` on: each decision's record (which filters rejected which nodes, the best scores). */
  onDecision?(task: Task, record: DecisionRecord, nowS: number): void;
}

/** How the hardware changes a task: its request (runtime memory, network, pool spill) and its run time once placed. */
export interface RunEffects {
  request(task: Task): Pod;
  /** Run time of the task as placed (`id` is its ClusterState placement). */
  runTimeS(task: Task, pod: Pod, id: number, node: number, nowS: number): number;
  /** A placed task left (or was killed). */
  released?(task: Task, pod: Pod, node: number, nowS: number): void;
}

export interface ClusterRunResult {
  submitted: number;
  started: number;
  completed: number;
  /** Still queued when the run ended, or larger than every node. */
  neverScheduled: number;
  /** Of those, larger than every node. */
  tooLarge: number;
  /** Strategy calls, placed or not. */
  decisions: number;
  /** Task runs killed by node failures (each is resubmitted while retries last). */
  killed: number;
  /** Tasks killed more than `maxRetries` times: given up. */
  failed: number;
  /** At the end: tasks still running (with their node and start), and tasks still waiting or never placed. */
  unfinished: { task: Task; node: number; startS: number }[];
  unplaced: Task[];
  waitSumS: number;
  waitMaxS: number;
  run: RunSummary;
}

/** Run with a synchronous task source (an array, a generator). */
export function runCluster(o: ClusterRunOptions): ClusterRunResult {
  return driveSync(o.tasks, "runCluster", (pump) => clusterRun(o, pump), o.untilS);
}

/** Run with any task source, synchronous or asynchronous (trace files, composed workloads). */
export function runClusterAsync(o: ClusterRunOptions): Promise<ClusterRunResult> {
  return driveAsync(o.tasks, (pump) => clusterRun(o, pump), o.untilS);
}

function clusterRun(o: ClusterRunOptions, pump: ArrivalPump): RunMachine<ClusterRunResult> {
  const sim = new Simulation({ seed: o.seed ?? 0 });
  const { cluster, strategy } = o;
  const running: (Task | undefined)[] = [];
  const runningPod: (Pod | undefined)[] = [];
  let startOf = new Float64Array(1024);
  let nodeOf = new Int32Array(0);
  // FIFO of waiting tasks: an array with a moving head, compacted when half of it is consumed.
  let queue: Task[] = [];
  let head = 0;
  const r: Omit<ClusterRunResult, "run" | "unfinished" | "unplaced"> = {
    submitted: 0,
    started: 0,
    completed: 0,
    neverScheduled: 0,
    tooLarge: 0,
    decisions: 0,
    killed: 0,
    failed: 0,
    waitSumS: 0,
    waitMaxS: 0,
  };
  const tooLargeTasks: Task[] = [];
  const givenUp: Task[] = [];
  const finishOf: (EventHandle | undefined)[] = [];
  const retries = new Map<Task, number>();
  const maxRetries = o.maxRetries ?? 3;
  const fifo = o.queue === "fifo";
  // The largest node, per resource: a task above it in any one can never start.
  let maxCpu = 0;
  let maxMem = 0;
  let maxGpus = 0;
  for (let n = 0; n < cluster.nodeCount; n++) {
    const pool = cluster.poolOf(n);
    maxCpu = Math.max(maxCpu, cluster.allocatableCpuMilli(n));
    // Memory may spill into the node's CXL pool (when the effects ask for it): count the pool too.
    maxMem = Math.max(maxMem, cluster.allocatableMemoryMiB(n) + (pool >= 0 ? cluster.poolFreeMiB(pool) : 0));
    maxGpus = Math.max(maxGpus, cluster.gpuCount(n));
  }

  /** Take placement `id` off its node and tell the strategy and the effects; returns the task. */
  function vacate(id: number): Task {
    const task = running[id]!;
    const pod = runningPod[id]!;
    const node = nodeOf[id];
    running[id] = undefined;
    runningPod[id] = undefined;
    finishOf[id] = undefined;
    cluster.release(id);
    strategy.released?.(cluster, pod, node);
    o.effects?.released?.(task, pod, node, sim.now);
    return task;
  }

  const FINISH = sim.on("finish", (id) => {
    const node = nodeOf[id];
    const task = vacate(id);
    r.completed++;
    o.onFinish?.(task, node, sim.now, startOf[id]);
    drain();
  });

  const ARRIVE = sim.on("arrive", () => {
    const task = pump.current!;
    r.submitted++;
    o.onArrive?.(task, sim.now);
    pump.pull(sim, ARRIVE);
    if (task.cpuMilli > maxCpu || task.memoryMiB > maxMem || task.gpus > maxGpus) {
      r.tooLarge++;
      tooLargeTasks.push(task);
      return;
    }
    const waiting = queue.length - head;
    if (waiting > 0 && (fifo || !tryStart(task))) queue.push(task);
    else if (waiting === 0) {
      queue.push(task);
      drain();
    }
  });

  /** Place the task if the strategy finds a node; false when none fits now. */
  function tryStart(task: Task): boolean {
    r.decisions++;
    const pod = o.effects ? o.effects.request(task) : (task as Pod);
    const d = strategy.decide(cluster, pod);
    if (o.onDecision && strategy.record && strategy.lastRecord) o.onDecision(task, strategy.lastRecord, sim.now);
    if (!d) return false;
    const id = cluster.place(d.node, d.gpuIndex === undefined ? pod : { ...pod, gpuIndex: d.gpuIndex });
    strategy.bound?.(cluster, pod, d);
    if (id >= nodeOf.length) {
      const size = Math.max(1024, nodeOf.length * 2);
      const grownNodes = new Int32Array(size);
      grownNodes.set(nodeOf);
      nodeOf = grownNodes;
      const grownStarts = new Float64Array(size);
      grownStarts.set(startOf);
      startOf = grownStarts;
    }
    nodeOf[id] = d.node;
    startOf[id] = sim.now;
    running[id] = task;
    runningPod[id] = pod;
    const wait = sim.now - task.arrivalS;
    r.waitSumS += wait;
    if (wait > r.waitMaxS) r.waitMaxS = wait;
    r.started++;
    o.onStart?.(task, d.node, sim.now);
    const runS = o.effects ? o.effects.runTimeS(task, pod, id, d.node, sim.now) : task.runS;
    // A task without a run time (a service) stays until the run ends.
    if (Number.isFinite(runS)) finishOf[id] = sim.after(runS, FINISH, id);
    return true;
  }

  /** A node failed: kill its tasks and resubmit them (oldest first, ahead of newer waiting tasks). */
  function nodeDown(node: number): void {
    const victims: number[] = [];
    for (let id = 0; id < running.length; id++) if (running[id] && nodeOf[id] === node) victims.push(id);
    cluster.setUp(node, false);
    o.onNodeState?.(node, false, sim.now);
    const resubmit: Task[] = [];
    for (const id of victims) {
      const h = finishOf[id];
      if (h) sim.cancel(h);
      const task = vacate(id);
      r.killed++;
      o.onKill?.(task, node, sim.now);
      const n = (retries.get(task) ?? 0) + 1;
      retries.set(task, n);
      if (n > maxRetries) {
        r.failed++;
        givenUp.push(task);
      } else resubmit.push(task);
    }
    if (resubmit.length > 0) {
      queue = [...resubmit.sort((a, b) => a.arrivalS - b.arrivalS || a.id - b.id), ...queue.slice(head)];
      head = 0;
      drain();
    }
  }

  function nodeUp(node: number): void {
    cluster.setUp(node, true);
    o.onNodeState?.(node, true, sim.now);
    drain();
  }

  o.faults?.(sim, nodeDown, nodeUp);

  if (o.onSample)
    installSampler(sim, o.sampleEveryS, o.untilS, () => o.onSample!(sim.now, queue.length - head, sim.eventsProcessed));

  /** Start waiting tasks, oldest first, until one does not fit. */
  function drain(): void {
    while (head < queue.length && tryStart(queue[head])) {
      queue[head++] = undefined as unknown as Task;
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
    }
  }

  return {
    sim,
    arrive: ARRIVE,
    result(run: RunSummary): ClusterRunResult {
      r.neverScheduled = queue.length - head + r.tooLarge;
      const unfinished: ClusterRunResult["unfinished"] = [];
      for (let id = 0; id < running.length; id++) {
        const task = running[id];
        if (task) unfinished.push({ task, node: nodeOf[id], startS: startOf[id] });
      }
      unfinished.sort((a, b) => a.task.arrivalS - b.task.arrivalS || a.task.id - b.task.id);
      const unplaced = [...queue.slice(head), ...tooLargeTasks, ...givenUp].sort(
        (a, b) => a.arrivalS - b.arrivalS || a.id - b.id,
      );
      return { ...r, unfinished, unplaced, run };
    },
  };
}
