import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import type { Controller, ControllerContext } from "../controllers/controller.js";
import { HorizontalAutoscaler } from "./autoscaling/horizontal-autoscaler.js";
import {
  externalPerPodReplicas,
  MetricUnavailable,
  type UniformPods,
  uniformReplicas,
} from "./autoscaling/replica-calculator.js";
import { type VpaRecommendation, VpaRecommender } from "./autoscaling/vpa-recommender.js";
import { cpuStretch } from "./cpu-share.js";
import { FluidLatency } from "./latency/fluid-latency.js";
import type { LatencyModel } from "./latency/latency-model.js";
import { PerRequestLatency } from "./latency/per-request-latency.js";
import { ServiceTimeShape } from "./latency/service-time.js";
import { ReplicaSet } from "./replica-set.js";
import { type AutoscalerConfig, callOrder, type ServiceConfig, type VirtualNode } from "./service-config.js";
import { brokeObjective, type MeasureWindow, ServiceTally, WindowTally } from "./service-figures.js";

export interface ServicesOptions {
  /** The traffic tick, seconds (default 1). */
  tickS?: number;
  /** Called at every run sample with the time: the time-series writer reads `services` then. */
  onSample?(nowS: number, services: ServicesController): void;
  /** Virtual (serverless) nodes by node index: where replicas burst, how fast they start, what they cost. */
  virtualNodes?: ReadonlyMap<number, VirtualNode>;
  /**
   * How much slower requests run on a node now (1: not at all), from interference with what else runs
   * there: a service's requests slow by the mean over its ready replicas' nodes.
   */
  interference?: (node: number) => number;
  /** What a replica's machine does to its requests (hardware effects; absent: nothing). */
  machine?: ReplicaMachine;
  /** Latency figures leave out requests of the first `warmupS` seconds (default 0). */
  warmupS?: number;
  /** Named windows whose latency figures are reported apart (e.g. the peak). */
  windows?: readonly MeasureWindow[];
}

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

/** A service's ready replicas' machine figures, kept until its replicas or the machines change. */
interface MachineFigures {
  readyVersion: number;
  machineVersion: number;
  slowdown: number;
  networkCores: number;
}

/** What a VPA keeps: its recommender, and the per-pod CPU usage of the current minute. */
interface Vertical {
  recommender: VpaRecommender;
  sum: number;
  ticks: number;
  /** The last recommendation, for the summary. */
  last?: VpaRecommendation;
}

/** The VPA updater's defaults (pkg/updater): at least 2 replicas, half of them evicted per loop, 12 h, 10%. */
const VPA_MIN_REPLICAS = 2;
const VPA_EVICTION_TOLERANCE = 0.5;
const VPA_LIFETIME_S = 12 * 3600;
const VPA_UPDATE_THRESHOLD = 0.1;
/** --recommender-interval and --updater-interval (1 min). */
const VPA_INTERVAL_S = 60;

/**
 * How many running replicas the VPA updater may evict in one loop (pkg/updater/eviction,
 * PodsEvictionRestriction.CanEvict, VPA 1.5.0): those running beyond configured − tolerance, the
 * tolerance floor(configured × 0.5); and one when every configured replica runs and the tolerance is 0.
 * Replicas not running (pending) do not count as alive: 10 configured with 4 pending allow 1 eviction.
 */
export function vpaEvictionBudget(configured: number, running: number): number {
  const tolerance = Math.floor(configured * VPA_EVICTION_TOLERANCE);
  const budget = Math.max(0, running - (configured - tolerance));
  return budget === 0 && tolerance === 0 && running === configured ? 1 : budget;
}

/** The replicas the cron windows on at `nowS` ask for (0: none on). */
function scheduledReplicas(a: AutoscalerConfig, nowS: number): number {
  let most = 0;
  for (const w of a.schedules ?? []) {
    const t = w.everyS ? nowS - Math.floor(nowS / w.everyS) * w.everyS : nowS;
    if (t >= w.fromS && t < w.toS && w.replicas > most) most = w.replicas;
  }
  return most;
}

/** What an autoscaler keeps between syncs: the HPA, and per-tick metric history for its window. */
interface Scaling {
  config: AutoscalerConfig;
  hpa: HorizontalAutoscaler;
  /** Per-tick CPU usage and requests served per ready replica, over the last metric window (rings). */
  cpuPerPod: Float64Array;
  rpsPerPod: Float64Array;
  filled: number;
  at: number;
  /** KEDA: when the trigger was last active. */
  lastActiveS: number;
}

/**
 * Long-running services in a run: each keeps its replicas as pods (./replica-set.ts), turns its traffic
 * into latency every tick with its latency model (fluid or per request), spreads its CPU usage over
 * its ready replicas, counts its objective, and, with an autoscaler, resizes itself every sync period
 * as Kubernetes' HPA does (./autoscaling). Traffic flows down the call graph within a tick: a
 * service's served requests times each call's fan-out arrive at the callee in the same tick.
 */
export class ServicesController implements Controller {
  readonly name = "services";
  readonly sets: ReplicaSet[] = [];
  readonly tallies: ServiceTally[];
  /** Per service: the run's window (after the warm-up), then each named window. */
  readonly windows: WindowTally[][] = [];
  private readonly models: LatencyModel[] = [];
  private readonly order: number[];
  private readonly inbound: Float64Array;
  private readonly index: Map<string, number>;
  private readonly owner = new Map<Task, ReplicaSet>();
  private readonly scaling: (Scaling | undefined)[] = [];
  private readonly vertical: (Vertical | undefined)[] = [];
  private readonly machines: (MachineFigures | undefined)[] = [];
  /** The pods of the service being synced, as counts (reused). */
  private readonly uniform: UniformPods = { ready: 0, unready: 0, missing: 0, metricMilli: 0, requestMilli: 0 };
  readonly tickS: number;
  private readonly hasVirtual: boolean;
  /** ∫ cluster CPU allocated and capacity dt (core-seconds), sampled per tick. */
  private ctx!: ControllerContext;
  /** Replica task ids, from 10^12 up: they never meet a workload's (the replay identifies tasks by id). */
  private nextReplicaId = 1e12;

  constructor(
    readonly services: readonly ServiceConfig[],
    private readonly o: ServicesOptions = {},
  ) {
    this.order = callOrder(services);
    this.index = new Map(services.map((s, i) => [s.name, i]));
    this.inbound = new Float64Array(services.length);
    this.tallies = services.map(() => new ServiceTally());
    this.tickS = o.tickS ?? 1;
    this.hasVirtual = (o.virtualNodes?.size ?? 0) > 0;
  }

  start(ctx: ControllerContext): void {
    if (!Number.isFinite(ctx.endS)) throw new RangeError("services need a run with an end time (untilS)");
    this.ctx = ctx;
    const own = (t: Task, set: ReplicaSet) => this.owner.set(t, set);
    const virtual = this.o.virtualNodes;
    const virtualOf = virtual && ((node: number) => virtual.get(node));
    for (const s of this.services) {
      this.sets.push(new ReplicaSet(s, ctx, own, virtualOf, () => this.nextReplicaId++));
      const params = { shape: new ServiceTimeShape(s.serviceTime), targetS: s.slo.targetS, timeoutS: s.timeoutS };
      const model =
        s.latency === "fluid"
          ? new FluidLatency(params)
          : new PerRequestLatency(params, ctx.rng(`${s.name}/requests`), (r) => s.serviceTime.sample(r));
      this.models.push(model);
      const run = { name: "run", fromS: this.o.warmupS ?? 0, toS: ctx.endS };
      this.windows.push([run, ...(this.o.windows ?? [])].map((w) => new WindowTally(w, model, s.slo)));
      this.scaling.push(s.autoscaler && this.scalingFor(s));
      this.vertical.push(s.vpa && { recommender: new VpaRecommender(), sum: 0, ticks: 0 });
    }
    const listener: RunListener = {
      start: (t, nodes) => this.owner.get(t)?.placedOn(t, nodes[0]),
      kill: (t) => this.owner.get(t)?.lost(t),
      preempt: (t) => this.owner.get(t)?.lost(t),
      fail: (t) => this.owner.get(t)?.failed(t),
      remove: (t) => this.owner.delete(t),
      sample: (now) => this.o.onSample?.(now, this),
    };
    ctx.on(listener);
    for (const set of this.sets) set.scaleTo(set.config.initialReplicas);
    ctx.every(this.tickS, () => this.tick(), 0);
    this.scaling.forEach((sc, i) => {
      if (sc) ctx.every(sc.config.syncPeriodS, () => this.sync(i));
    });
    if (this.vertical.some((v) => v)) ctx.every(VPA_INTERVAL_S, () => this.verticalLoop());
  }

  private scalingFor(s: ServiceConfig): Scaling {
    const a = s.autoscaler!;
    const window = Math.max(1, Math.round(a.metricWindowS / this.tickS));
    // With a queue metric and minReplicas 0, KEDA owns 0 ↔ 1 and the HPA runs from 1 up.
    const min = a.metric.type === "queue" ? Math.max(1, s.minReplicas) : s.minReplicas;
    return {
      config: a,
      hpa: new HorizontalAutoscaler({ minReplicas: min, maxReplicas: s.maxReplicas, behavior: a.behavior }),
      cpuPerPod: new Float64Array(window),
      rpsPerPod: new Float64Array(window),
      filled: 0,
      at: 0,
      lastActiveS: 0,
    };
  }

  /** The traffic of the tick [now, now + tick) through every service, callers before callees. */
  private tick(): void {
    const now = this.ctx.nowS;
    // The tick covers [now, now + tick): none starts at the run's end.
    if (now >= this.ctx.endS) return;
    const dt = Math.min(this.tickS, this.ctx.endS - now);
    const mid = now + dt / 2;
    this.inbound.fill(0);
    for (const i of this.order) {
      const s = this.services[i];
      const set = this.sets[i];
      const tally = this.tallies[i];
      const f = tally.last;
      const rate = (s.rate ? s.rate.at(mid) : 0) + this.inbound[i] / dt;
      const ready = set.ready.size;
      const m = ready > 0 ? this.machineOf(i) : undefined;
      const slowdown = (this.o.interference && ready > 0 ? this.slowdownOf(set) : 1) * (m?.slowdown ?? 1);
      const cores = (set.placed > 0 ? set.placedCpuMilli / set.placed : set.template.cpuMilli) / 1000;
      const meanS = s.serviceTime.meanS * slowdown;
      // The tick's traffic per ready replica (with a backlog, more than it serves: every slot busy).
      const offered = ready > 0 ? rate / ready : 0;
      const freeCores = cores - (m?.networkCores ?? 0);
      const stretch = cpuStretch(s.concurrency, freeCores, meanS, s.cpuSecondsPerRequest, offered);
      this.models[i].tick(now, dt, rate, ready * s.concurrency, f, slowdown * stretch);
      for (const c of s.calls) this.inbound[this.index.get(c.service)!] += f.served * c.perRequest;
      const usage = (f.served / dt) * s.cpuSecondsPerRequest;
      tally.lastRatePerS = rate;
      tally.lastUsageCores = usage;
      tally.lastViolated = brokeObjective(f.arrivals, f.served, f.dropped, f.withinTarget, s.slo.quantile);
      tally.add(f);
      for (const w of this.windows[i]) w.add(now, f);
      tally.replicaS += set.placed * dt;
      tally.readyS += ready * dt;
      tally.usedCoreS += usage * dt;
      tally.requestedCoreS += (set.placedCpuMilli / 1000) * dt;
      if (this.hasVirtual) tally.serverlessCost += this.onVirtual(set).costPerS * dt;
      if (set.replicas > tally.replicasMax) tally.replicasMax = set.replicas;
      const vpa = this.vertical[i];
      if (vpa && ready > 0) {
        vpa.sum += usage / ready;
        vpa.ticks++;
      }
      const sc = this.scaling[i];
      if (sc) {
        sc.cpuPerPod[sc.at] = ready > 0 ? usage / ready : 0;
        sc.rpsPerPod[sc.at] = ready > 0 ? f.served / dt / ready : 0;
        sc.at = (sc.at + 1) % sc.cpuPerPod.length;
        if (sc.filled < sc.cpuPerPod.length) sc.filled++;
        if (sc.config.metric.type === "queue" && f.queued > sc.config.metric.activationThreshold) sc.lastActiveS = now;
      }
    }
  }

  /** One HPA sync of service `i`. */
  private sync(i: number): void {
    const sc = this.scaling[i]!;
    const set = this.sets[i];
    const now = this.ctx.nowS;
    const m = sc.config.metric;
    const current = set.replicas;
    const scheduled = scheduledReplicas(sc.config, now);
    if (m.type === "queue") {
      const queued = this.tallies[i].last.queued;
      // A cron window on is activity too (KEDA's cron scaler is active while it runs).
      const active = queued > m.activationThreshold || scheduled > 0;
      // KEDA's activation: from zero on activity, and back to zero after the cool-down without it.
      if (current === 0) {
        if (active) set.scaleTo(Math.max(1, this.services[i].minReplicas));
        return;
      }
      if (this.services[i].minReplicas === 0 && !active && now - sc.lastActiveS >= m.cooldownS) {
        set.scaleTo(0);
        return;
      }
    }
    const desired = sc.hpa.reconcile(now, current, () => {
      // The largest proposal of the metrics (a cron window's replicas among them, as KEDA feeds it).
      try {
        return Math.max(this.propose(i, sc, current), scheduled);
      } catch (err) {
        if (err instanceof MetricUnavailable) return scheduled > 0 ? scheduled : undefined;
        throw err;
      }
    });
    if (desired !== current) set.scaleTo(desired);
  }

  private propose(i: number, sc: Scaling, current: number): number {
    const set = this.sets[i];
    const m = sc.config.metric;
    const tol = sc.config.tolerance;
    if (m.type === "queue") {
      const queued = this.tallies[i].last.queued;
      return externalPerPodReplicas(current, Math.round(queued * 1000), Math.round(m.targetPerReplica * 1000), tol)
        .replicas;
    }
    const now = this.ctx.nowS;
    const windowMean = (ring: Float64Array) => {
      let sum = 0;
      for (let k = 0; k < sc.filled; k++) sum += ring[k];
      return sc.filled > 0 ? sum / sc.filled : 0;
    };
    // Every ready replica serves an equal share, so pods differ only in readiness: counts suffice.
    const pods = this.uniform;
    // Replicas of a service share one request (a VPA changes it by restarting them): the placed ones' mean.
    pods.requestMilli = set.placed > 0 ? Math.round(set.placedCpuMilli / set.placed) : set.template.cpuMilli;
    if (m.type === "cpu") {
      // Pending and starting pods are unready; so is a ready pod within the CPU initialisation period
      // whose metric window began before it became ready (upstream's groupPods).
      let unready = set.pending.size + set.starting.size;
      for (const [t, readySince] of set.ready) {
        const started = set.startedAt.get(t) ?? 0;
        if (started + sc.config.cpuInitializationPeriodS > now && now - sc.config.metricWindowS < readySince) unready++;
      }
      pods.ready = set.replicas - unready;
      pods.unready = unready;
      pods.missing = 0;
      pods.metricMilli = Math.round(windowMean(sc.cpuPerPod) * 1000);
      return uniformReplicas(current, pods, m.targetUtilizationPercent, false, tol).replicas;
    }
    // Requests per second per pod: pending pods are unready; a starting pod exports no metric yet (missing).
    pods.ready = set.ready.size;
    pods.unready = set.pending.size;
    pods.missing = set.starting.size;
    pods.metricMilli = Math.round(windowMean(sc.rpsPerPod) * 1000);
    return uniformReplicas(current, pods, Math.round(m.targetPerReplica * 1000), true, tol).replicas;
  }

  /**
   * Every minute, for services with a VPA: the recommender takes each ready replica's CPU over the
   * minute as a sample; in Recreate mode the updater then restarts, with the target as request,
   * replicas whose request is outside the recommended bounds (or, after 12 h, 10% off the target):
   * never below 2 replicas, and at most half of them per minute (at least one), scale-ups first.
   */
  private verticalLoop(): void {
    const now = this.ctx.nowS;
    this.vertical.forEach((v, i) => {
      if (!v) return;
      const set = this.sets[i];
      if (v.ticks > 0) v.recommender.addSample(v.sum / v.ticks, now, set.ready.size);
      v.sum = 0;
      v.ticks = 0;
      const rec = v.recommender.recommend();
      v.last = rec;
      if (!rec || this.services[i].vpa?.mode !== "Recreate") return;
      const stale = (t: Task) => {
        const r = t.cpuMilli;
        if (r < rec.lowerMilli || r > rec.upperMilli) return true;
        const since = set.startedAt.get(t);
        return (
          since !== undefined &&
          now - since >= VPA_LIFETIME_S &&
          Math.abs(r - rec.targetMilli) / r >= VPA_UPDATE_THRESHOLD
        );
      };
      const candidates = [...set.pending, ...set.starting.keys(), ...set.ready.keys()].filter(stale);
      if (candidates.length === 0) return;
      set.template.cpuMilli = rec.targetMilli;
      const configured = set.replicas;
      if (configured < VPA_MIN_REPLICAS) return;
      let budget = vpaEvictionBudget(configured, set.placed);
      candidates.sort((a, b) => {
        const up = (t: Task) => (rec.targetMilli > t.cpuMilli ? 1 : 0);
        const diff = (t: Task) => Math.abs(t.cpuMilli - rec.targetMilli) / t.cpuMilli;
        return up(b) - up(a) || diff(b) - diff(a) || a.id - b.id;
      });
      for (const t of candidates) {
        // A pending pod is always evictable; a placed one takes from the budget.
        if (!set.pending.has(t)) {
          if (budget <= 0) continue;
          budget--;
        }
        set.restart(t);
      }
    });
  }

  /**
   * The machine figures of service i's ready replicas, averaged (recomputed only when its ready
   * replicas or the machines changed); undefined without a machine model.
   */
  private machineOf(i: number): MachineFigures | undefined {
    const machine = this.o.machine;
    if (!machine) return undefined;
    const set = this.sets[i];
    const cached = this.machines[i];
    const version = machine.version();
    if (cached && cached.readyVersion === set.readyVersion && cached.machineVersion === version) return cached;
    let slowdown = 0;
    let networkCores = 0;
    for (const t of set.ready.keys()) {
      const node = set.nodeOf.get(t)!;
      slowdown += machine.slowdown(t, node);
      networkCores += machine.hostNetworkCores(t, node);
    }
    const n = set.ready.size;
    const figures = {
      readyVersion: set.readyVersion,
      machineVersion: version,
      slowdown: slowdown / n,
      networkCores: networkCores / n,
    };
    this.machines[i] = figures;
    return figures;
  }

  /** The mean interference slowdown over the set's ready replicas' nodes. */
  private slowdownOf(set: ReplicaSet): number {
    let sum = 0;
    for (const t of set.ready.keys()) sum += this.o.interference!(set.nodeOf.get(t)!);
    return sum / set.ready.size;
  }

  /**
   * Add to `out[node]` each placed replica's CPU usage less its request, millicores: what turns a
   * node's allocation into its usage (ready replicas share their service's usage; starting ones use none).
   */
  addUsageDelta(out: Float64Array): void {
    this.sets.forEach((set, i) => {
      const ready = set.ready.size;
      const perReady = ready > 0 ? (this.tallies[i].lastUsageCores * 1000) / ready : 0;
      for (const [t, node] of set.nodeOf) out[node] += (set.ready.has(t) ? perReady : 0) - t.cpuMilli;
    });
  }

  /** What the set's replicas on virtual nodes cost per second (requests at the node's prices). */
  private onVirtual(set: ReplicaSet): { costPerS: number } {
    let costPerS = 0;
    for (const [t, node] of set.nodeOf) {
      const v = this.o.virtualNodes!.get(node);
      if (v) costPerS += (t.cpuMilli / 1000) * v.pricePerVcpuS + (t.memoryMiB / 1024) * v.pricePerGiBS;
    }
    return { costPerS };
  }

  /** The objective's percentile of the last tick's response times, seconds (NaN when none was served). */
  lastQuantile(i: number): number {
    return this.models[i].lastQuantile(this.services[i].slo.quantile);
  }

  /** Per service, by name: its totals over the run, and its latency and objective after the warm-up. */
  summary(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    this.services.forEach((s, i) => {
      const set = this.sets[i];
      out[s.name] = {
        ...this.windows[i][0].summary(),
        ...this.tallies[i].summary(),
        scaleUps: set.scaleUps,
        scaleDowns: set.scaleDowns,
        replicasAtEnd: set.replicas,
        ...(s.vpa && {
          vpaRestarts: set.restarts,
          cpuRequestMilliAtEnd: set.template.cpuMilli,
          vpaTargetMilli: this.vertical[i]?.last?.targetMilli ?? Number.NaN,
        }),
      };
    });
    return out;
  }

  /** Every service's requests after the warm-up, added up: served, answered (served or dropped), within the objective. */
  measuredTotals(): { served: number; answered: number; within: number; latencySumS: number } {
    const t = { served: 0, answered: 0, within: 0, latencySumS: 0 };
    for (const [run] of this.windows) {
      t.served += run.served;
      t.answered += run.served + run.dropped;
      t.within += run.within;
      t.latencySumS += run.latencySumS;
    }
    return t;
  }

  /** Per named window, per service: its requests, latency and objective within the window. */
  windowSummary(): Record<string, Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, Record<string, number>>> = {};
    for (const [k, w] of (this.o.windows ?? []).entries()) {
      const per: Record<string, Record<string, number>> = {};
      this.services.forEach((s, i) => {
        per[s.name] = this.windows[i][k + 1].summary();
      });
      out[w.name] = per;
    }
    return out;
  }
}
