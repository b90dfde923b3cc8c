import type { Rng } from "@clustersim/sim-core";
import type { Task } from "@clustersim/workloads";
import type { RunListener } from "../bus/run-events.js";
import type { Controller, ControllerContext } from "../controllers/controller.js";
import { ServiceHpa } from "./autoscaling/service-hpa.js";
import { ServiceVpa, VPA_INTERVAL_S } from "./autoscaling/service-vpa.js";
import { CallEdgeTally } from "./call-edge-tally.js";
import { CallGraphTick } from "./call-graph-tick.js";
import { cpuStretch } from "./cpu-share.js";
import { CallingLatency } from "./latency/calling-latency.js";
import { FluidLatency } from "./latency/fluid-latency.js";
import type { GraphMember } from "./latency/graph-member.js";
import type { LatencyModel, TickFigures } from "./latency/latency-model.js";
import { PerRequestLatency } from "./latency/per-request-latency.js";
import type { RequestGraph } from "./latency/request-graph.js";
import { ServiceTimeShape } from "./latency/service-time.js";
import { PlacedReplicas } from "./placed-replicas.js";
import { ReadyNodes } from "./ready-nodes.js";
import { MachineFiguresCache, type ReplicaMachine } from "./replica-machine.js";
import { ReplicaMemory } from "./replica-memory.js";
import { ReplicaSet } from "./replica-set.js";
import { serviceTimeDraw, type WiredGraph, wireRequestGraphs } from "./request-graph-wiring.js";
import { ServerlessLedger } from "./serverless-ledger.js";
import type { ServiceView } from "./service-api.js";
import { callOrder, type ServiceConfig, type VirtualNode } from "./service-config.js";
import { brokeObjective, type MeasureWindow, ServiceTally, WindowTally } from "./service-figures.js";
import { measuredTotals, type ReportedServices, serviceSummary, windowSummary } from "./service-report.js";
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
 *
 * Beside it: the call graph's part of the tick (./call-graph-tick.ts) and the call edges' accounts
 * (./call-edge-tally.ts), the exact graphs' setup (./request-graph-wiring.ts), and the serverless
 * replicas' count and cost (./serverless-ledger.ts).
 */
export class ServicesController implements Controller {
  readonly name = "services";
  readonly sets: ReplicaSet[] = [];
  readonly tallies: ServiceTally[];
  /** Per service: the run's window (after the warm-up), then each named window. */
  readonly windows: WindowTally[][] = [];
  /** Each service's run window (windows[i][0]), read every tick without its list. */
  private readonly runWindows: WindowTally[] = [];
  private readonly models: LatencyModel[] = [];
  /** The per-request call graphs simulated exactly, their services' indices, and each service's place in one. */
  private graphs: WiredGraph[] = [];
  private members: (GraphMember | undefined)[];
  /** Per graph member: its external rate this tick, and the calls it received in the last, per second. */
  private readonly externalRate: Float64Array;
  private readonly drawnArrivals: Float64Array;
  /**
   * The services in a call graph (calling, called, or a per-request graph's member), callers before
   * callees, and the others (tickAlone) with their tick's rate, slowdown and ready replicas.
   */
  private linked = new Int32Array(0);
  private alone = new Int32Array(0);
  private aloneRate = new Float64Array(0);
  private aloneSlowdown = new Float64Array(0);
  private aloneReady = new Float64Array(0);
  /** Each service's objective quantile, read every tick (beside the others', not in its config). */
  private readonly sloQuantile: Float64Array;
  /** Each service's mean service time, read every tick. */
  private readonly serviceMeanS: Float64Array;
  private readonly callsPerS: Float64Array;
  private readonly order: number[];
  /** Per service with the "fluid" model: the stream its external arrivals are drawn from (absent: the mean rate's). */
  private readonly arrivalDraws: (Rng | undefined)[] = [];
  /** Each service's ready replicas' nodes, for the interference averaged over them (./ready-nodes.ts). */
  private readonly readyNodes: ReadyNodes[] = [];
  /** Each service's placed replicas, for their usage by node (./placed-replicas.ts). */
  private readonly placedReplicas: PlacedReplicas[] = [];
  /** The call graph's part of the tick, and the call edges' accounts after the warm-up. */
  private readonly callGraph: CallGraphTick;
  private readonly callEdges: CallEdgeTally;
  private readonly owner = new Map<Task, ReplicaSet>();
  private readonly scaling: (ServiceHpa | undefined)[] = [];
  private readonly vertical: (ServiceVpa | undefined)[] = [];
  /** Per service with `memory`: its replicas' memory, OOM kills and restarts (./replica-memory.ts). */
  private readonly memory: (ReplicaMemory | undefined)[];
  /** What controllers see of each service and may do to it (./service-api.ts). */
  readonly views: readonly ServiceView[];
  private readonly machines: (MachineFiguresCache | undefined)[] = [];
  readonly tickS: number;
  private readonly serverless: ServerlessLedger;
  private ctx!: ControllerContext;
  /** Replica task ids, from 10^12 up: they never meet a workload's (the replay identifies tasks by id). */
  private nextReplicaId = 1e12;

  constructor(
    readonly services: readonly ServiceConfig[],
    private readonly o: ServicesOptions = {},
  ) {
    this.order = callOrder(services);
    this.callEdges = new CallEdgeTally(services);
    this.callGraph = new CallGraphTick(services, this.models, this.callEdges, o.warmupS ?? 0);
    this.tallies = services.map(() => new ServiceTally());
    this.tickS = o.tickS ?? 1;
    this.serverless = new ServerlessLedger(o.virtualNodes);
    this.memory = services.map((s) => (s.memory ? new ReplicaMemory(s) : undefined));
    this.views = services.map((_, i) => this.view(i));
    this.members = services.map(() => undefined);
    this.externalRate = new Float64Array(services.length);
    this.drawnArrivals = new Float64Array(services.length);
    this.sloQuantile = Float64Array.from(services, (s) => s.slo.quantile);
    this.serviceMeanS = Float64Array.from(services, (s) => s.serviceTime.meanS);
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
    const wired = wireRequestGraphs(this.services, params, (name) => ctx.rng(name));
    this.graphs = wired.graphs;
    this.members = wired.members;
    this.services.forEach((s, i) => {
      const set = new ReplicaSet(s, ctx, own, virtualOf, () => this.nextReplicaId++);
      set.onChange = () => this.replicaChanges++;
      this.sets.push(set);
      const fluid = s.latency !== "per-request";
      const queue =
        this.members[i] ??
        (fluid
          ? new FluidLatency(params[i])
          : new PerRequestLatency(params[i], ctx.rng(`${s.name}/requests`), serviceTimeDraw(s)));
      this.arrivalDraws.push(s.latency === "fluid" ? ctx.rng(`${s.name}/arrivals`) : undefined);
      this.readyNodes.push(new ReadyNodes());
      this.placedReplicas.push(new PlacedReplicas());
      // The fluid model composes a caller's end-to-end times; the per-request one draws each call's, or
      // in a graph of per-request services makes them.
      const model = s.calls.length > 0 && fluid ? new CallingLatency(queue, s.slo.targetS) : queue;
      this.models.push(model);
      const run = { name: "run", fromS: this.o.warmupS ?? 0, toS: ctx.endS };
      this.windows.push([run, ...(this.o.windows ?? [])].map((w) => new WindowTally(w, model, s.slo)));
      this.runWindows.push(this.windows[this.windows.length - 1][0]);
      this.scaling.push(s.autoscaler && new ServiceHpa(s, this.tickS));
      this.vertical.push(s.vpa && new ServiceVpa(s.vpa.mode));
      const machine = this.o.machine;
      this.machines.push(machine && new MachineFiguresCache(machine));
    });
    const linked = (i: number) => this.members[i] !== undefined || this.callGraph.inGraph(i);
    this.linked = Int32Array.from(this.order.filter(linked));
    this.alone = Int32Array.from(this.order.filter((i) => !linked(i)));
    this.aloneRate = new Float64Array(this.alone.length);
    this.aloneSlowdown = new Float64Array(this.alone.length);
    this.aloneReady = new Float64Array(this.alone.length);
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
    this.ticks++;
    const now = this.ctx.nowS;
    // The tick covers [now, now + tick): none starts at the run's end.
    if (now >= this.ctx.endS) return;
    const dt = Math.min(this.tickS, this.ctx.endS - now);
    const mid = now + dt / 2;
    this.callGraph.beginTick();
    this.drawArrivals(dt, mid);
    for (const g of this.graphs) this.tickGraph(g.graph, g.services, now, dt, mid);
    for (const i of this.linked) this.tickService(i, now, dt, mid);
    this.tickAlone(now, dt);
  }

  /**
   * Each service's mean rate over the tick from its curve, and its arrivals drawn from it (NaN where
   * they are not drawn), but for per-request graphs' members (tickGraph takes theirs).
   */
  private drawArrivals(dt: number, mid: number): void {
    const drawn = this.drawnArrivals;
    for (let i = 0; i < this.services.length; i++) {
      if (this.members[i]) continue;
      const s = this.services[i];
      const external = s.rate ? s.rate.at(mid) : 0;
      this.externalRate[i] = external;
      const draws = this.arrivalDraws[i];
      // Each tick's requests a Poisson draw (independent arrivals), from the service's own stream.
      drawn[i] = draws ? draws.poisson(external * dt) : Number.NaN;
    }
  }

  /**
   * The services outside any call graph, one phase at a time over all of them: their machines'
   * slowdown, their queues' ticks, then their accounts (their rates and draws were taken in
   * drawArrivals). A tick is bound by memory: one pass that read all of a service's state before the
   * next read dozens of scattered objects per service, where each phase reads a few, service after
   * service. Each service's figures are what that pass gave (no phase reads another service's state);
   * bench:services' ticks took a quarter less time with rates and draws taken apart alone.
   */
  private tickAlone(now: number, dt: number): void {
    const alone = this.alone;
    const rate = this.aloneRate;
    const slowdown = this.aloneSlowdown;
    const ready = this.aloneReady;
    const inboundMean = this.callGraph.inboundMean;
    for (let k = 0; k < alone.length; k++) {
      const i = alone[k];
      // The mean rate the queue sees (no calls reach a service outside the graph: the term is 0).
      rate[k] = this.externalRate[i] + inboundMean[i] / dt;
      slowdown[k] = this.slowdownAt(i, rate[k]);
    }
    const inbound = this.callGraph.inbound;
    for (let k = 0; k < alone.length; k++) {
      const i = alone[k];
      const set = this.sets[i];
      const f = this.tallies[i].last;
      const d = this.drawnArrivals[i];
      const arrivals = Number.isNaN(d) ? undefined : d + inbound[i];
      ready[k] = set.readyCount;
      const model = this.models[i];
      model.tick(now, dt, rate[k], ready[k] * this.services[i].concurrency, f, slowdown[k], undefined, arrivals);
      this.memory[i]?.afterTick(set, f, model, now);
    }
    for (let k = 0; k < alone.length; k++) this.accountTally(alone[k], rate[k], ready[k], dt);
    for (let k = 0; k < alone.length; k++) this.accountWindows(alone[k], now);
    for (let k = 0; k < alone.length; k++) this.accountScaling(alone[k], ready[k], now, dt);
  }

  /** A per-request call graph's tick, all its services at once; tickService then takes each one's figures. */
  private tickGraph(graph: RequestGraph, services: readonly number[], now: number, dt: number, mid: number): void {
    for (const i of services) {
      const s = this.services[i];
      const external = s.rate ? s.rate.at(mid) : 0;
      this.externalRate[i] = external;
      // CPU contention is set before the tick, so it takes the calls at the last tick's rate (an assumption).
      const slowdown = this.slowdownAt(i, external + this.callsPerS[i]);
      this.models[i].tick(now, dt, external, this.sets[i].readyCount * s.concurrency, this.tallies[i].last, slowdown);
    }
    graph.run(now, dt);
  }

  /** Service i's traffic over [now, now + dt) in a call graph, then its accounts. */
  private tickService(i: number, now: number, dt: number, _mid: number): void {
    const s = this.services[i];
    const set = this.sets[i];
    const f = this.tallies[i].last;
    const ready = set.readyCount;
    const member = this.members[i];
    let rate: number;
    if (member) {
      this.callsPerS[i] = member.graph.callsReceived(member.index) / dt;
      rate = this.externalRate[i] + this.callsPerS[i];
      this.afterGraphTick(i, member, f, now);
    } else {
      // The mean rate the queue sees; the requests that arrive, drawn or the mean.
      rate = this.externalRate[i] + this.callGraph.inboundMean[i] / dt;
      const d = this.drawnArrivals[i];
      const arrivals = Number.isNaN(d) ? undefined : d + this.callGraph.inbound[i];
      const slowdown = this.slowdownAt(i, rate);
      // Its calls' time and failures, its callees' traffic.
      const calls = this.callGraph.tick(i, now, dt, rate, ready * s.concurrency, slowdown, arrivals, f);
      // Before its callers read its failures: an OOM kill's are among them.
      this.memory[i]?.afterTick(set, f, this.models[i], now);
      this.callGraph.passOn(i, f, calls);
    }
    this.account(i, rate, ready, now, dt);
  }

  /** Service i's tick in its accounts: at `rate` requests a second over `ready` replicas. */
  private account(i: number, rate: number, ready: number, now: number, dt: number): void {
    this.accountTally(i, rate, ready, dt);
    this.accountWindows(i, now);
    this.accountScaling(i, ready, now, dt);
  }

  /** The tick in service i's run totals. */
  private accountTally(i: number, rate: number, ready: number, dt: number): void {
    const set = this.sets[i];
    const tally = this.tallies[i];
    const f = tally.last;
    const usage = (f.served / dt) * this.services[i].cpuSecondsPerRequest;
    tally.lastRatePerS = rate;
    if (rate > tally.peakRatePerS) tally.peakRatePerS = rate;
    tally.lastUsageCores = usage;
    tally.lastViolated = brokeObjective(f.arrivals, f.served, f.dropped, f.withinTarget, this.sloQuantile[i]);
    tally.add(f);
    tally.replicaS += set.placed * dt;
    tally.readyS += ready * dt;
    tally.usedCoreS += usage * dt;
    tally.requestedCoreS += (set.placedCpuMilli / 1000) * dt;
    if (this.serverless.active) tally.serverlessCost += this.serverless.costPerS(set) * dt;
    if (set.replicas > tally.replicasMax) tally.replicasMax = set.replicas;
  }

  /** The tick in service i's measurement windows (the run's, and any named ones). */
  private accountWindows(i: number, now: number): void {
    const f = this.tallies[i].last;
    this.runWindows[i].add(now, f);
    if (this.o.windows?.length) {
      const named = this.windows[i];
      for (let k = 1; k < named.length; k++) named[k].add(now, f);
    }
  }

  /** The tick's usage and traffic, for service i's autoscalers. */
  private accountScaling(i: number, ready: number, now: number, dt: number): void {
    const tally = this.tallies[i];
    const f = tally.last;
    const usage = tally.lastUsageCores;
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
    const ready = set.readyCount;
    const m = ready > 0 ? this.machines[i]?.of(set) : undefined;
    const slowdown = (this.o.interference && ready > 0 ? this.slowdownOf(i) : 1) * (m?.slowdown ?? 1);
    const cores = (set.placed > 0 ? set.placedCpuMilli / set.placed : set.template.cpuMilli) / 1000;
    const meanS = this.serviceMeanS[i] * slowdown;
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
    if (this.services[i].calls.length > 0 && nowS >= (this.o.warmupS ?? 0)) this.callEdges.addGraphTick(i, member, f);
    this.memory[i]?.afterTick(this.sets[i], f, member, nowS);
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

  /** The mean interference slowdown over service i's ready replicas' nodes. */
  private slowdownOf(i: number): number {
    const ready = this.readyNodes[i];
    const n = ready.update(this.sets[i]);
    const nodes = ready.nodes;
    const interference = this.o.interference!;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += interference(nodes[k]);
    return sum / n;
  }

  /**
   * Add to `out[node]` each placed replica's CPU usage less its request, millicores: what turns a
   * node's allocation into its usage (ready replicas share their service's usage; starting ones use none).
   */
  addUsageDelta(out: Float64Array): void {
    // Kept from the last call while no tick and no replica has changed it: co-location reads it every
    // second, and a day at full scale has tens of thousands of replicas and a tick every 5 s.
    let cached = this.usageDeltaCache;
    const stale = this.usageDeltaAt[0] !== this.ticks || this.usageDeltaAt[1] !== this.replicaChanges;
    if (!cached || cached.length !== out.length || stale) {
      cached = this.usageDeltaCache = cached?.length === out.length ? cached.fill(0) : new Float64Array(out.length);
      for (let i = 0; i < this.sets.length; i++) this.addReplicaDelta(i, this.tallies[i].lastUsageCores * 1000, cached);
      this.usageDeltaAt[0] = this.ticks;
      this.usageDeltaAt[1] = this.replicaChanges;
    }
    for (let n = 0; n < out.length; n++) out[n] += cached[n];
  }

  /**
   * Service i's replicas' usage less their requests into `out` by node, were the service using
   * `usageMilli` in all: shared by its ready replicas (starting ones use none), or with `starting`, by
   * every placed replica (as it will be once they are ready: a prediction's view).
   */
  addReplicaDelta(i: number, usageMilli: number, out: Float64Array, starting = false): void {
    const set = this.sets[i];
    const sharing = starting ? set.placed : set.readyCount;
    const per = sharing > 0 ? usageMilli / sharing : 0;
    const placed = this.placedReplicas[i];
    const n = placed.update(set);
    const { node, cpuMilli, ready } = placed;
    for (let k = 0; k < n; k++) out[node[k]] += (starting || ready[k] === 1 ? per : 0) - cpuMilli[k];
  }

  get serviceCount(): number {
    return this.sets.length;
  }

  /** Service i's ready replicas now. */
  readyReplicas(i: number): number {
    return this.sets[i].readyCount;
  }

  /** The services' CPU usage at the last tick, millicores, service by service. */
  usageMilli(i: number): number {
    return this.tallies[i].lastUsageCores * 1000;
  }

  /** A count that moves whenever a replica is placed, becomes ready, leaves or is resized. */
  replicaChanges = 0;
  /**
   * Ticks begun, and the replicas' usage less their requests by node as last made (addUsageDelta),
   * with the tick and the replica-change count it was made at.
   */
  private ticks = 0;
  private usageDeltaCache: Float64Array | undefined;
  private readonly usageDeltaAt = [-1, -1];

  /** How many of service i's replicas are placed on virtual (serverless) nodes now. */
  replicasOnVirtual(i: number): number {
    return this.serverless.replicasOn(this.sets[i]);
  }

  /** The objective's percentile of the last tick's response times, seconds (NaN when none was served). */
  lastQuantile(i: number): number {
    return this.models[i].lastQuantile(this.services[i].slo.quantile);
  }

  /** The offered rate a predictive HPA forecast for the last tick's interval (NaN without one, or before it could). */
  forecastPerS(i: number): number {
    return this.scaling[i]?.predictive?.lastTickForecastPerS ?? Number.NaN;
  }

  /** Per service, by name: its totals over the run, and its latency and objective after the warm-up. */
  summary(): Record<string, Record<string, number>> {
    return serviceSummary(this.reported());
  }

  /**
   * Over every call edge after the warm-up (undefined without a call graph): retried calls, and
   * attempts that timed out.
   */
  callTotals(): ReturnType<CallEdgeTally["totals"]> {
    return this.callEdges.totals();
  }

  /** Every service's requests after the warm-up, added up: served, answered (served or dropped), within the objective. */
  measuredTotals(): { served: number; answered: number; within: number; latencySumS: number } {
    return measuredTotals(this.windows);
  }

  /** Per named window, per service: its requests, latency and objective within the window. */
  windowSummary(): Record<string, Record<string, Record<string, number>>> {
    return windowSummary(this.services, this.windows, this.o.windows ?? []);
  }

  /** What the run's figures are read from (./service-report.ts). */
  private reported(): ReportedServices {
    const { services, sets, windows, tallies, callEdges, scaling, vertical, memory } = this;
    return { services, sets, windows, tallies, callEdges, scaling, vertical, memory };
  }
}
