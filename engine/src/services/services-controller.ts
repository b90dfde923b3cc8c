import type { Rng } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import type { Controller, ControllerContext } from "../controllers/controller.js";
import { ServiceHpa } from "./autoscaling/service-hpa.js";
import { ServiceVpa, VPA_INTERVAL_S } from "./autoscaling/service-vpa.js";
import { CallComposer, type CallOutcome } from "./call-graph.js";
import { cpuStretch } from "./cpu-share.js";
import { CallingLatency } from "./latency/calling-latency.js";
import type { DiscreteTime } from "./latency/discrete-time.js";
import { FluidLatency } from "./latency/fluid-latency.js";
import { GraphMember } from "./latency/graph-member.js";
import type { Hold, LatencyModel, TickFigures } from "./latency/latency-model.js";
import { PerRequestLatency } from "./latency/per-request-latency.js";
import { RequestGraph } from "./latency/request-graph.js";
import { ServiceTimeShape } from "./latency/service-time.js";
import { MachineFiguresCache, type ReplicaMachine } from "./replica-machine.js";
import { ReplicaMemory } from "./replica-memory.js";
import { ReplicaSet } from "./replica-set.js";
import type { ServiceView } from "./service-api.js";
import { callOrder, perRequestGraphs, type ServiceConfig, type VirtualNode } from "./service-config.js";
import { brokeObjective, type MeasureWindow, ServiceTally, WindowTally } from "./service-figures.js";
import { serviceView } from "./service-view.js";

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
 * Long-running services in a run: each keeps its replicas as pods (./replica-set.ts), turns its traffic
 * into latency every tick with its latency model (fluid or per request), spreads its CPU usage over
 * its ready replicas, counts its objective, with `memory` has the replicas its traffic takes past
 * their memory limit killed and restarted (./replica-memory.ts), and, with an autoscaler, resizes
 * itself every sync period as Kubernetes' HPA does (./autoscaling). Traffic flows down the call graph
 * within a tick: a service's served requests times each call's fan-out arrive at the callee in the
 * same tick. A connected call graph whose every service has the per-request model is simulated
 * exactly instead, all its services on one event loop (./latency/request-graph.ts): each call a
 * request in its callee's queue at the moment it is made.
 */
export class ServicesController implements Controller {
  readonly name = "services";
  readonly sets: ReplicaSet[] = [];
  readonly tallies: ServiceTally[];
  /** Per service: the run's window (after the warm-up), then each named window. */
  readonly windows: WindowTally[][] = [];
  private readonly models: LatencyModel[] = [];
  /** The per-request call graphs simulated exactly, their services' indices, and each service's place in one. */
  private readonly graphs: { graph: RequestGraph; services: readonly number[] }[] = [];
  private readonly members: (GraphMember | undefined)[];
  /** Per graph member: its external rate this tick, and the calls it received in the last, per second. */
  private readonly externalRate: Float64Array;
  private readonly callsPerS: Float64Array;
  private readonly order: number[];
  /** Per service, its callers' calls this tick: as made (drawn counts), and the mean-value queue's. */
  private readonly inbound: Float64Array;
  private readonly inboundMean: Float64Array;
  /** Per service with the "fluid" model: the stream its external arrivals are drawn from (absent: the mean rate's). */
  private readonly arrivalDraws: (Rng | undefined)[] = [];
  /** Per service with calls, its calls' composer; per service, its last end-to-end time and failure rate. */
  private readonly composers: (CallComposer | undefined)[];
  private readonly called: Uint8Array;
  private readonly lastEndToEnd: (DiscreteTime | undefined)[];
  private readonly lastFail: Float64Array;
  /** Per service with calls, per call edge: Σ served × critical-path seconds, and Σ served × end-to-end mean. */
  private readonly criticalSum: Float64Array[];
  private readonly endToEndSum: Float64Array;
  /** After the warm-up: per service, requests served; per call edge, attempts made, retried and timed out. */
  private readonly callServed: Float64Array;
  private readonly attemptSum: Float64Array[];
  private readonly retrySum: Float64Array[];
  private readonly timeoutSum: Float64Array[];
  private readonly index: Map<string, number>;
  private readonly owner = new Map<Task, ReplicaSet>();
  private readonly scaling: (ServiceHpa | undefined)[] = [];
  private readonly vertical: (ServiceVpa | undefined)[] = [];
  /** Per service with `memory`: its replicas' memory, OOM kills and restarts (./replica-memory.ts). */
  private readonly memory: (ReplicaMemory | undefined)[];
  /** What controllers see of each service and may do to it (./service-api.ts). */
  readonly views: readonly ServiceView[];
  private readonly machines: (MachineFiguresCache | undefined)[] = [];
  readonly tickS: number;
  private readonly hasVirtual: boolean;
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
    this.inboundMean = new Float64Array(services.length);
    this.called = new Uint8Array(services.length);
    this.composers = services.map((s) => {
      if (s.calls.length === 0) return undefined;
      const callee = s.calls.map((c) => this.index.get(c.service)!);
      for (const j of callee) this.called[j] = 1;
      return new CallComposer(s.calls, callee, s.name);
    });
    this.lastEndToEnd = services.map(() => undefined);
    this.lastFail = new Float64Array(services.length);
    this.criticalSum = services.map((s) => new Float64Array(s.calls.length));
    this.endToEndSum = new Float64Array(services.length);
    this.callServed = new Float64Array(services.length);
    this.attemptSum = services.map((s) => new Float64Array(s.calls.length));
    this.retrySum = services.map((s) => new Float64Array(s.calls.length));
    this.timeoutSum = services.map((s) => new Float64Array(s.calls.length));
    this.tallies = services.map(() => new ServiceTally());
    this.tickS = o.tickS ?? 1;
    this.hasVirtual = (o.virtualNodes?.size ?? 0) > 0;
    this.memory = services.map((s) => (s.memory ? new ReplicaMemory(s) : undefined));
    this.views = services.map((_, i) => this.view(i));
    this.members = services.map(() => undefined);
    this.externalRate = new Float64Array(services.length);
    this.callsPerS = new Float64Array(services.length);
  }

  start(ctx: ControllerContext): void {
    if (!Number.isFinite(ctx.endS)) throw new RangeError("services need a run with an end time (untilS)");
    this.ctx = ctx;
    const own = (t: Task, set: ReplicaSet) => this.owner.set(t, set);
    const virtual = this.o.virtualNodes;
    const virtualOf = virtual && ((node: number) => virtual.get(node));
    const params = this.services.map((s) => ({
      shape: new ServiceTimeShape(s.serviceTime),
      targetS: s.slo.targetS,
      timeoutS: s.timeoutS,
    }));
    const sample = (s: ServiceConfig) => (r: Rng) => s.serviceTime.sample(r);
    for (const g of perRequestGraphs(this.services)) {
      const graph = new RequestGraph(
        g.map((i) => {
          const s = this.services[i];
          const rng = ctx.rng(`${s.name}/requests`);
          return { name: s.name, params: params[i], rng, serviceTimeS: sample(s), calls: s.calls };
        }),
      );
      this.graphs.push({ graph, services: g });
      g.forEach((i, k) => {
        this.members[i] = new GraphMember(graph, k);
      });
    }
    this.services.forEach((s, i) => {
      this.sets.push(new ReplicaSet(s, ctx, own, virtualOf, () => this.nextReplicaId++));
      const fluid = s.latency !== "per-request";
      const queue =
        this.members[i] ??
        (fluid
          ? new FluidLatency(params[i])
          : new PerRequestLatency(params[i], ctx.rng(`${s.name}/requests`), sample(s)));
      this.arrivalDraws.push(s.latency === "fluid" ? ctx.rng(`${s.name}/arrivals`) : undefined);
      // The fluid model composes a caller's end-to-end times; the per-request one draws each call's, or
      // in a graph of per-request services makes them.
      const model = s.calls.length > 0 && fluid ? new CallingLatency(queue, s.slo.targetS) : queue;
      this.models.push(model);
      const run = { name: "run", fromS: this.o.warmupS ?? 0, toS: ctx.endS };
      this.windows.push([run, ...(this.o.windows ?? [])].map((w) => new WindowTally(w, model, s.slo)));
      this.scaling.push(s.autoscaler && new ServiceHpa(s, this.tickS));
      this.vertical.push(s.vpa && new ServiceVpa(s.vpa.mode));
      const machine = this.o.machine;
      this.machines.push(machine && new MachineFiguresCache(machine));
    });
    const listener: RunListener = {
      start: (t, nodes) => this.owner.get(t)?.placedOn(t, nodes[0]),
      kill: (t) => this.owner.get(t)?.lost(t),
      preempt: (t) => this.owner.get(t)?.lost(t),
      resize: (t, _node, from) => this.owner.get(t)?.resized(t, from),
      fail: (t) => this.owner.get(t)?.failed(t),
      remove: (t) => this.owner.delete(t),
      sample: (now) => this.o.onSample?.(now, this),
    };
    ctx.on(listener);
    for (const set of this.sets) set.scaleTo(set.config.initialReplicas);
    ctx.every(this.tickS, () => this.tick(), 0);
    this.scaling.forEach((hpa, i) => {
      if (hpa) ctx.every(hpa.config.syncPeriodS, () => hpa.sync(this.sets[i], ctx.nowS, this.tallies[i].last.queued));
    });
    this.services.forEach((s, i) => {
      const custom = s.customAutoscaler;
      if (custom) ctx.every(custom.syncPeriodS, () => this.views[i].scaleTo(custom.desired(this.views[i], ctx.nowS)));
    });
    if (this.vertical.some((v) => v)) {
      ctx.every(VPA_INTERVAL_S, () => this.vertical.forEach((v, i) => v?.loop(this.sets[i], ctx.nowS)));
    }
  }

  /** The traffic of the tick [now, now + tick) through every service, callers before callees. */
  private tick(): void {
    const now = this.ctx.nowS;
    // The tick covers [now, now + tick): none starts at the run's end.
    if (now >= this.ctx.endS) return;
    const dt = Math.min(this.tickS, this.ctx.endS - now);
    const mid = now + dt / 2;
    this.inbound.fill(0);
    this.inboundMean.fill(0);
    for (const g of this.graphs) this.tickGraph(g.graph, g.services, now, dt, mid);
    for (const i of this.order) this.tickService(i, now, dt, mid);
  }

  /** A per-request call graph's tick, all its services at once; tickService then takes each one's figures. */
  private tickGraph(graph: RequestGraph, services: readonly number[], now: number, dt: number, mid: number): void {
    for (const i of services) {
      const s = this.services[i];
      const external = s.rate ? s.rate.at(mid) : 0;
      this.externalRate[i] = external;
      // CPU contention is set before the tick, so it takes the calls at the last tick's rate (an assumption).
      const slowdown = this.slowdownAt(i, external + this.callsPerS[i]);
      this.models[i].tick(now, dt, external, this.sets[i].ready.size * s.concurrency, this.tallies[i].last, slowdown);
    }
    graph.run(now, dt);
  }

  /** Service i's traffic over [now, now + dt), then its accounts. */
  private tickService(i: number, now: number, dt: number, mid: number): void {
    const s = this.services[i];
    const set = this.sets[i];
    const tally = this.tallies[i];
    const f = tally.last;
    const ready = set.ready.size;
    const member = this.members[i];
    let rate: number;
    if (member) {
      this.callsPerS[i] = member.graph.callsReceived(member.index) / dt;
      rate = this.externalRate[i] + this.callsPerS[i];
      this.afterGraphTick(i, member, f, now);
    } else {
      const external = s.rate ? s.rate.at(mid) : 0;
      // The mean rate the queue sees; the requests that arrive, drawn or the mean.
      rate = external + this.inboundMean[i] / dt;
      const draws = this.arrivalDraws[i];
      // Each tick's requests a Poisson draw (independent arrivals), from the service's own stream.
      const arrivals = draws ? draws.poisson(external * dt) + this.inbound[i] : undefined;
      const slowdown = this.slowdownAt(i, rate);
      if (s.calls.length === 0 && !this.called[i]) {
        this.models[i].tick(now, dt, rate, ready * s.concurrency, f, slowdown, undefined, arrivals);
        this.memory[i]?.afterTick(set, f, this.models[i], now);
      } else this.tickInGraph(i, now, dt, rate, ready * s.concurrency, slowdown, arrivals);
    }
    const usage = (f.served / dt) * s.cpuSecondsPerRequest;
    tally.lastRatePerS = rate;
    if (rate > tally.peakRatePerS) tally.peakRatePerS = rate;
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
    if (ready > 0) this.vertical[i]?.record(usage / ready);
    this.scaling[i]?.record(now, ready, usage, f.served / dt, f.arrivals / dt, f.queued);
  }

  /**
   * How much slower service i's requests run this tick: interference on its replicas' nodes, their
   * machine, and CPU contention at `rate` requests per second.
   */
  private slowdownAt(i: number, rate: number): number {
    const s = this.services[i];
    const set = this.sets[i];
    const ready = set.ready.size;
    const m = ready > 0 ? this.machines[i]?.of(set) : undefined;
    const slowdown = (this.o.interference && ready > 0 ? this.slowdownOf(set) : 1) * (m?.slowdown ?? 1);
    const cores = (set.placed > 0 ? set.placedCpuMilli / set.placed : set.template.cpuMilli) / 1000;
    const meanS = s.serviceTime.meanS * slowdown;
    // The tick's traffic per ready replica (with a backlog, more than it serves: every slot busy).
    const offered = ready > 0 ? rate / ready : 0;
    const freeCores = cores - (m?.networkCores ?? 0);
    return slowdown * cpuStretch(s.concurrency, freeCores, meanS, s.cpuSecondsPerRequest, offered);
  }

  /**
   * A graph member's figures, its graph's tick done: its calls as the graph counted them, then the
   * OOM kills its load brings (their failures reach its callers in the next tick).
   */
  private afterGraphTick(i: number, member: GraphMember, f: TickFigures, nowS: number): void {
    const calls = this.services[i].calls;
    if (calls.length > 0 && nowS >= (this.o.warmupS ?? 0)) {
      this.countServed(i, f);
      const counts = member.graph.counts[member.index];
      const critical = member.graph.critical[member.index];
      for (let k = 0; k < calls.length; k++) {
        this.countEdge(i, k, critical[k], counts.calls[k], counts.attempts[k], counts.timeouts[k]);
      }
    }
    this.memory[i]?.afterTick(this.sets[i], f, member, nowS);
  }

  /** The tick of a service that calls others or is called: its calls' time and failures, its callees' traffic. */
  private tickInGraph(
    i: number,
    now: number,
    dt: number,
    rate: number,
    servers: number,
    slowdown: number,
    arrivals: number | undefined,
  ): void {
    const s = this.services[i];
    const f = this.tallies[i].last;
    const composer = this.composers[i];
    const calls = composer?.compose(this.lastEndToEnd, this.lastFail);
    const model = this.models[i];
    // The per-request model takes its callers' calls as they were made (a count), not as a rate.
    const external = model.receiveCalls ? rate - this.inboundMean[i] / dt : rate;
    model.receiveCalls?.(this.inbound[i]);
    composer?.drawn.clear();
    model.tick(now, dt, external, servers, f, slowdown, calls && this.holdOf(i, calls), arrivals);
    if (calls) this.afterCalls(i, f, calls, now);
    // Before its callers read its failures: an OOM kill's are among them.
    this.memory[i]?.afterTick(this.sets[i], f, model, now);
    if (this.called[i]) this.remember(i, f);
    // Each call is its attempts: retries reach the callee as calls of their own (retry amplification).
    const drawn = s.latency === "per-request" ? composer?.drawn : undefined;
    s.calls.forEach((c, k) => {
      const j = this.index.get(c.service)!;
      const perCall = calls ? calls.attempts[k] : 1;
      this.inbound[j] += drawn ? drawn.attempts[k] : f.served * c.perRequest * perCall;
      this.inboundMean[j] += f.expectedServed * c.perRequest * perCall;
    });
  }

  /** Service `i` as controllers see it (./service-view.ts). */
  private view(i: number): ServiceView {
    return serviceView({
      config: this.services[i],
      tickS: this.tickS,
      tally: this.tallies[i],
      model: () => this.models[i],
      set: () => (this.ctx ? this.sets[i] : undefined),
      groupOf: (node) => (this.o.virtualNodes?.has(node) ? "serverless" : this.ctx.nodeGroups[this.ctx.groupOf(node)]),
    });
  }

  /**
   * What a caller's requests hold their servers for: the fluid model takes the composed calls' time;
   * the per-request model in a graph with fluid services draws each call from its callee's recent
   * responses (a graph of per-request services alone is simulated exactly, without this).
   */
  private holdOf(i: number, calls: CallOutcome): Hold {
    if (this.services[i].latency !== "per-request") return calls.time;
    const composer = this.composers[i]!;
    const drawFrom = (j: number, rng: Rng) =>
      this.models[j].drawRecent?.(rng) ?? this.lastEndToEnd[j]?.sample(rng) ?? 0;
    return {
      mean: () => calls.time.mean(),
      variance: () => calls.time.variance(),
      sample: (rng) => composer.draw(rng, drawFrom, this.lastFail),
      lastFailed: () => composer.lastFailed,
    };
  }

  /**
   * A caller's tick: requests whose calls failed fail (and so miss the objective; the per-request model
   * counted its own, drawn); critical-path sums; attempts, retries and timeouts per call edge.
   */
  private afterCalls(i: number, f: TickFigures, calls: CallOutcome, nowS: number): void {
    const drawn = this.services[i].latency === "per-request" ? this.composers[i]!.drawn : undefined;
    if (!drawn) {
      f.failed = f.served * calls.failProb;
      f.withinTarget *= 1 - calls.failProb;
    }
    if (!(f.served > 0) || nowS < (this.o.warmupS ?? 0)) return;
    this.countServed(i, f);
    this.services[i].calls.forEach((c, k) => {
      // Drawn: as counted; composed: calls made times attempts per call, and the share that timed out.
      const made = drawn ? drawn.calls[k] : f.served * c.perRequest;
      const attempts = drawn ? drawn.attempts[k] : made * calls.attempts[k];
      const timeouts = drawn ? drawn.timeouts[k] : attempts * calls.timeoutShare[k];
      this.countEdge(i, k, f.served * calls.criticalS[k], made, attempts, timeouts);
    });
  }

  /** After the warm-up, a caller's tick: its requests served and their end-to-end time. */
  private countServed(i: number, f: TickFigures): void {
    if (!(f.served > 0)) return;
    this.endToEndSum[i] += f.served * f.meanS;
    this.callServed[i] += f.served;
  }

  /** After the warm-up, call edge k of service i over a tick: critical-path seconds, calls, attempts, timeouts. */
  private countEdge(i: number, k: number, criticalS: number, made: number, attempts: number, timeouts: number): void {
    this.criticalSum[i][k] += criticalS;
    this.attemptSum[i][k] += attempts;
    this.retrySum[i][k] += attempts - made;
    this.timeoutSum[i][k] += timeouts;
  }

  /**
   * A callee's last end-to-end time and failure rate, for its callers' next tick: the tick's, or with
   * the per-request model the share over its recent answers (as its times are its recent responses).
   */
  private remember(i: number, f: TickFigures): void {
    const answered = f.served + f.dropped;
    const recent = this.models[i].recentFailShare?.();
    if (recent !== undefined) this.lastFail[i] = recent;
    else if (answered > 0) this.lastFail[i] = (f.dropped + f.failed) / answered;
    if (f.served > 0) this.lastEndToEnd[i] = this.models[i].lastDistribution();
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

  /** How many of service i's replicas are placed on virtual (serverless) nodes now. */
  replicasOnVirtual(i: number): number {
    const virtual = this.o.virtualNodes;
    if (!virtual) return 0;
    let n = 0;
    for (const node of this.sets[i].nodeOf.values()) if (virtual.has(node)) n++;
    return n;
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
        ...this.criticalPathShares(i),
        ...this.callFigures(i),
        ...(this.scaling[i]?.predictive && { forecastError: this.scaling[i]!.predictive!.weightedError }),
        scaleUps: set.scaleUps,
        scaleDowns: set.scaleDowns,
        replicasAtEnd: set.replicas,
        ...(s.vpa && {
          vpaRestarts: set.restarts,
          vpaInPlaceResizes: this.vertical[i]?.inPlaceResizes ?? 0,
          vpaInPlaceFallbacks: this.vertical[i]?.inPlaceFallbacks ?? 0,
          cpuRequestMilliAtEnd: set.template.cpuMilli,
          vpaTargetMilli: this.vertical[i]?.last?.targetMilli ?? Number.NaN,
        }),
        ...this.memory[i]?.summary(),
      };
    });
    return out;
  }

  /** Per call edge of service i: the share of its end-to-end time spent in that callee (after the warm-up). */
  private criticalPathShares(i: number): Record<string, number> {
    const out: Record<string, number> = {};
    this.services[i].calls.forEach((c, k) => {
      const total = this.endToEndSum[i];
      out[`criticalPathShare_${c.service}`] = total > 0 ? this.criticalSum[i][k] / total : Number.NaN;
    });
    return out;
  }

  /**
   * Per call edge of service i, after the warm-up: `callRetriesPerRequest_<callee>`, the retried calls
   * (attempts after a call's first) per request the caller served; `callTimeoutShare_<callee>`, the
   * share of attempts that timed out.
   */
  private callFigures(i: number): Record<string, number> {
    const out: Record<string, number> = {};
    const served = this.callServed[i];
    this.services[i].calls.forEach((c, k) => {
      const attempts = this.attemptSum[i][k];
      out[`callRetriesPerRequest_${c.service}`] = served > 0 ? this.retrySum[i][k] / served : Number.NaN;
      out[`callTimeoutShare_${c.service}`] = attempts > 0 ? this.timeoutSum[i][k] / attempts : Number.NaN;
    });
    return out;
  }

  /**
   * Over every call edge after the warm-up (undefined without a call graph): retried calls, and
   * attempts that timed out.
   */
  callTotals(): { retries: number; timeouts: number } | undefined {
    if (this.services.every((s) => s.calls.length === 0)) return undefined;
    let retries = 0;
    let timeouts = 0;
    this.services.forEach((_, i) => {
      for (const x of this.retrySum[i]) retries += x;
      for (const x of this.timeoutSum[i]) timeouts += x;
    });
    return { retries, timeouts };
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
