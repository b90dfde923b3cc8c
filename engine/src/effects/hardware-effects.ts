import type { ClusterState } from "@clustersim/hardware-models";
import {
  CONTAINER_ENGINE,
  type ContainerEngine,
  type CxlParams,
  cxlSlowdown,
  DEFAULT_CXL,
  dpuNetworkSlowdown,
  drawSensitivity,
  FixedKeepAlive,
  HybridHistogramKeepAlive,
  hostInfraCores,
  type KeepAlivePolicy,
  RUNTIMES,
  type RuntimeSpec,
  runTimeFactor,
  runtime,
  startLatencyS,
  touchedRemoteFraction,
} from "@clustersim/hardware-models";
import type { Pod } from "@clustersim/schedulers";
import type { RandomStreams } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import { arimaNextIdle } from "../forecast/next-idle.js";
import { TimeIntegral } from "../metrics/metrics.js";
import { quantileSorted } from "../metrics/quantile.js";
import type { RunEffects } from "./run-effects.js";
import { WarmPool } from "./warm-pool.js";

/** What the hardware effects are configured by (a scenario's `hardware` section and node groups). */
export interface HardwareEffectsConfig {
  cluster: ClusterState;
  /** Line rate of each node's DPU, Gbps; 0 for a node without one. */
  dpuGbps: Float64Array;
  /** Overrides of the runtime catalogue, by runtime name (hardware-models' RuntimeSpec fields). */
  runtimes?: Readonly<Record<string, Partial<RuntimeSpec>>>;
  /** CXL latencies and touched share (hardware-models' CxlParams); the defaults cite CALIBRATION.md. */
  cxl?: Partial<CxlParams>;
  /** The container engine's part of every cold start (default: hardware-models' CONTAINER_ENGINE). */
  containerEngine?: ContainerEngine;
  /**
   * Keep invocations' sandboxes warm on their nodes (engine's WarmPool) by a fixed keep-alive or the
   * hybrid histogram; none when absent.
   */
  warmPool?: { policy: "fixed"; keepAliveS: number } | { policy: "hybrid-histogram" };
  /** The run's streams: draws are keyed by task (`keyed`). */
  streams: RandomStreams;
}

/** A task names a runtime class the catalogue does not have. */
export class UnknownRuntimeError extends Error {}

/**
 * The hardware models applied to an online run (hardware-models; defaults cite CALIBRATION.md there):
 * - Sandbox runtimes: a task naming a runtime class asks for the runtime's memory overhead on top of
 *   its own, starts after a cold start (the container engine's part, a VMM's, the sandbox's own:
 *   hardware-models' coldStartS), none when it is routed to a warm instance of its app (./warm-pool.ts:
 *   per node, holding memory while idle; a snapshot restore instead of a cold boot when the runtime's
 *   `snapshotRestore` time is given), and runs longer by the
 *   runtime's `runTimeFactor`: its compute slowdown, plus each system call's cost beyond runc's at the
 *   task's `syscallsPerCpuS`. Tasks without a runtime class run as plain containers, unchanged.
 * - CXL pools: on a node in a pool, memory that does not fit in free local DRAM spills into the pool
 *   (local first), and the task runs longer by CALIBRATION's slowdown model for the part of its remote
 *   share it touches (`touchedFraction`), with a sensitivity drawn per task from Pond's three buckets at
 *   the calibration latency and scaled to the configured one.
 * - DPUs and network: a task's `nicGbps` takes NIC bandwidth, and on a node without a DPU the host
 *   cores its virtio traffic costs (hardware-models/src/dpu.ts); with a DPU those stay free, and a
 *   DPU whose traffic exceeds its line rate slows the task in proportion.
 * Random draws are keyed by task (sim-core's KeyedRng: draw i of task k is a function of the seed, the
 * stream's name, k and i alone), so policies compared on a seed see the same start latency and the same
 * CXL sensitivity for the same task, whatever order they place tasks in. A restarted task draws the
 * same values again.
 */
export interface EffectCounters {
  coldStarts: number;
  warmStarts: number;
  startLatencySumS: number;
  pooledTasks: number;
  cxlSlowdownSum: number;
  stretchSum: number;
  placed: number;
  /** Tasks with network traffic placed on a node without a DPU (their virtio cost is charged to host cores). */
  virtioTasks: number;
}

export class HardwareEffects implements RunEffects {
  readonly counters: EffectCounters = {
    coldStarts: 0,
    warmStarts: 0,
    startLatencySumS: 0,
    pooledTasks: 0,
    cxlSlowdownSum: 0,
    stretchSum: 0,
    placed: 0,
    virtioTasks: 0,
  };
  private readonly runtimes = new Map<string, RuntimeSpec>();
  /** Runtimes whose cold starts restore a snapshot (`hardware.runtimes.NAME.snapshotRestore` set). */
  private readonly snapshots = new Set<string>();
  private readonly keepAlive: KeepAlivePolicy | undefined;
  private warm: WarmPool | undefined;
  /**
   * With a warm pool: each app's cold starts and starts (the per-app view "Serverless in the Wild"
   * plots); only tasks that name their app (in the Azure traces, the function) count.
   */
  private readonly appStarts = new Map<string, { cold: number; all: number }>();
  /** Tasks routed to a warm instance, until their start reads it. */
  private readonly warmNext = new Set<Task>();
  private readonly cxl: CxlParams;
  private readonly engine: ContainerEngine;
  private readonly hasPools: boolean;
  private readonly dpuGbps: Float64Array;
  private readonly nicDemand: Float64Array;
  /** Each placed task's run-time factor from its runtime and CXL memory; and a count of changes. */
  private readonly stretchBy = new Map<Task, number>();
  private changes = 0;
  /** Pool memory each running task holds, and its time integral over the run. */
  private readonly pooledBy = new Map<Task, number>();
  readonly pooledMiB = new TimeIntegral();
  /** Network tasks running on each DPU node (placement ids), and the node's current slowdown. */
  private readonly onDpu = new Map<number, Set<number>>();
  private readonly dpuSlowdown = new Map<number, number>();
  private rates: { setRate(id: number, rate: number): void; nowS(): number } | undefined;

  private readonly cluster: ClusterState;
  private readonly streams: RandomStreams;

  constructor(c: HardwareEffectsConfig) {
    this.cluster = c.cluster;
    this.streams = c.streams;
    const w = c.warmPool;
    this.keepAlive =
      w === undefined
        ? undefined
        : w.policy === "fixed"
          ? new FixedKeepAlive(w.keepAliveS)
          : new HybridHistogramKeepAlive({}, arimaNextIdle);
    this.cxl = { ...DEFAULT_CXL, ...(c.cxl ?? {}) };
    this.engine = c.containerEngine ?? CONTAINER_ENGINE;
    const n = c.cluster.nodeCount;
    this.hasPools = Array.from({ length: n }, (_, i) => c.cluster.poolOf(i)).some((p) => p >= 0);
    this.dpuGbps = c.dpuGbps;
    this.nicDemand = new Float64Array(n);
    for (const [name, o] of Object.entries(c.runtimes ?? {})) {
      this.runtimes.set(name, runtime(name, o));
      if (o.snapshotRestoreS !== undefined) this.snapshots.add(name);
    }
  }

  private runtimeOf(task: Task): RuntimeSpec | undefined {
    if (task.runtime === "") return undefined;
    let rt = this.runtimes.get(task.runtime);
    if (!rt) {
      if (!(task.runtime in RUNTIMES))
        throw new UnknownRuntimeError(
          `task ${task.id}: runtime: expected one of ${Object.keys(RUNTIMES).join(", ")}, found "${task.runtime}"`,
        );
      rt = runtime(task.runtime);
      this.runtimes.set(task.runtime, rt);
    }
    return rt;
  }

  request(task: Task): Pod {
    const rt = this.runtimeOf(task);
    // Whole MiB, as the cluster books them.
    const memoryMiB = Math.ceil(task.memoryMiB + (rt?.memoryOverheadMiB ?? 0));
    return {
      ...(task as Pod),
      memoryMiB,
      ...(task.nicGbps > 0 && { nicGbps: task.nicGbps }),
      ...(this.hasPools && { spillToPool: true }),
    };
  }

  /**
   * How much slower a placed task's work runs for its machine: its runtime's compute factor and its
   * memory on a CXL pool (fixed at placement), and a saturated DPU on its node (as its traffic changes).
   * Services read it for their replicas' requests.
   */
  slowdown(task: Task, node: number): number {
    const dpu = task.nicGbps > 0 && this.dpuGbps[node] > 0 ? (this.dpuSlowdown.get(node) ?? 1) : 1;
    return (this.stretchBy.get(task) ?? 1) * dpu;
  }

  releaseIdle(node: number, nowS: number): void {
    this.warm?.dropOn(node, nowS);
  }

  /** Host cores a placed task's software (virtio) network path takes on its node: none with a DPU. */
  hostNetworkCores(task: Task, node: number): number {
    return task.nicGbps > 0 ? hostInfraCores(this.dpuGbps[node] > 0, task.nicGbps) : 0;
  }

  /**
   * Changes whenever a placed task's slowdown may have changed other than by its own placement: when a
   * DPU's traffic crosses its line rate. (A task's runtime and pooled memory are set as it is placed;
   * a service keys on its replicas becoming ready as well.)
   */
  version(): number {
    return this.changes;
  }

  runTimeS(task: Task, pod: Pod, id: number, node: number, nowS: number, out: { delayS: number }): number {
    let runS = task.runS;
    // What slows the task's work here (its runtime, its pooled memory): its requests too, for a replica.
    let factor = 1;
    const rt = this.runtimeOf(task);
    let startS = 0;
    if (rt) {
      // Compute slowdown, and each system call's cost beyond runc's at the task's rate (0: none).
      factor = runTimeFactor(rt, task.syscallsPerCpuS);
      runS *= factor;
      const warm = this.warmNext.delete(task);
      startS = startLatencyS(
        rt,
        this.streams.keyed("runtime-starts").at(task.id),
        { warm, snapshot: this.snapshots.has(task.runtime) },
        this.engine,
      );
      if (warm) this.counters.warmStarts++;
      else this.counters.coldStarts++;
      if (this.keepAlive && task.app !== "") {
        const app = task.app;
        let a = this.appStarts.get(app);
        if (!a) this.appStarts.set(app, (a = { cold: 0, all: 0 }));
        a.all++;
        if (!warm) a.cold++;
      }
      this.counters.startLatencySumS += startS;
    }
    const pooled = this.cluster.poolMiBOf(id);
    if (pooled > 0 && pod.memoryMiB > 0) {
      const slow = cxlSlowdown(
        drawSensitivity(this.streams.keyed("cxl-sensitivity").at(task.id), this.cxl),
        touchedRemoteFraction(pooled, pod.memoryMiB, this.cxl),
        this.cxl,
      );
      runS *= 1 + slow;
      factor *= 1 + slow;
      this.pooledBy.set(task, pooled);
      this.pooledMiB.add(pooled, nowS);
      this.counters.pooledTasks++;
      this.counters.cxlSlowdownSum += slow;
    }
    if (task.nicGbps > 0) {
      this.nicDemand[node] += task.nicGbps;
      // On a DPU the slowdown follows the DPU's load as it changes (started, released): a rate.
      if (this.dpuGbps[node] === 0) this.counters.virtioTasks++;
    }
    this.stretchBy.set(task, factor);
    const total = startS + runS;
    this.counters.placed++;
    this.counters.stretchSum += task.runS > 0 ? total / task.runS : 1;
    // The sandbox's start comes first, at no rate: a saturated DPU slows the work, not the boot.
    out.delayS = startS;
    return runS;
  }

  attach(run: {
    setRate(id: number, rate: number): void;
    nowS(): number;
    at(timeS: number, fn: () => void): void;
  }): void {
    this.rates = run;
    if (this.keepAlive) this.warm = new WarmPool(this.cluster, this.keepAlive, run);
  }

  /** As `route` tells at its start. */
  mayRoute(task: Task): boolean {
    return this.warm !== undefined && task.runtime !== "";
  }

  route(task: Task, pod: Pod): number {
    if (!this.warm || task.runtime === "") return -1;
    const node = this.warm.route(appOf(task), pod, this.rates!.nowS());
    if (node >= 0) this.warmNext.add(task);
    return node;
  }

  /**
   * With a warm pool, the q-quantile over apps of each app's share of cold starts (quantileSorted's
   * interpolation, as for every quantile a run reports); NaN without a warm pool or without a start of
   * a task that names its app.
   */
  appColdStartRateQuantile(q: number): number {
    return quantileSorted(
      [...this.appStarts.values()].map((a) => a.cold / a.all).sort((a, b) => a - b),
      q,
    );
  }

  /** MiB-seconds of memory idle warm instances held, up to `endS`. */
  idleWarmMiBS(endS: number): number {
    return this.warm ? this.warm.idleMiB.average(endS) * endS : 0;
  }

  started(task: Task, id: number, node: number): void {
    if (!(task.nicGbps > 0 && this.dpuGbps[node] > 0)) return;
    let ids = this.onDpu.get(node);
    if (!ids) this.onDpu.set(node, (ids = new Set()));
    ids.add(id);
    this.retune(node, id);
  }

  /**
   * A DPU node's traffic changed: every network task on it runs at 1 / slowdown, the slowdown being the
   * demand over the line rate (hardware-models dpuNetworkSlowdown); rates change only when the
   * slowdown does (and for a task that just started).
   */
  private retune(node: number, newId = -1): void {
    const slowdown = dpuNetworkSlowdown(this.nicDemand[node], this.dpuGbps[node]);
    const changed = slowdown !== (this.dpuSlowdown.get(node) ?? 1);
    if (changed) this.changes++;
    this.dpuSlowdown.set(node, slowdown);
    if (!this.rates) return;
    for (const id of this.onDpu.get(node) ?? []) if (changed || id === newId) this.rates.setRate(id, 1 / slowdown);
  }

  released(task: Task, pod: Pod, node: number, nowS: number, id = -1, evicted = false): void {
    this.stretchBy.delete(task);
    if (this.warm && task.runtime !== "" && !evicted) this.warm.ended(appOf(task), node, pod.memoryMiB, nowS);
    if (task.nicGbps > 0) this.nicDemand[node] -= task.nicGbps;
    if (task.nicGbps > 0 && this.dpuGbps[node] > 0) {
      this.onDpu.get(node)?.delete(id);
      this.retune(node);
    }
    const pooled = this.pooledBy.get(task);
    if (pooled !== undefined) {
      this.pooledBy.delete(task);
      this.pooledMiB.add(-pooled, nowS);
    }
  }
}

/** The app a task's warm instances belong to (a task without one is its own). */
function appOf(task: Task): string {
  return task.app || `task-${task.id}`;
}
