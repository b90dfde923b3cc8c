import { type ReplayHeader, readHeader } from "@clustersim/replay";
import { checkHeader, describe, MAX_TIME_S, quantity, TIME_RANGE } from "./replay-checks.js";
import { CODES, type Code } from "./replay-codes.js";
import { type Columns, FIELDS, parseEvents } from "./replay-columns.js";

export { CODES, type Code } from "./replay-codes.js";

const [A, S, F, K, P, X, D, U, PLUS, MINUS, , M, V, N, O, C, Z, W] = CODES.map((_, i) => i);

/** The state of every node at one time: allocated CPU, memory and GPU (thousandths), up and present. */
export interface NodeState {
  cpu: Float64Array;
  /** CPU in use where the replay says (n events); NaN: as allocated. */
  usage: Float64Array;
  /** Each CXL pool's memory in use (o events). */
  poolUsed: Float64Array;
  mem: Float64Array;
  gpu: Float64Array;
  up: Uint8Array;
  present: Uint8Array;
}

/** A service's traffic at one sample (a `v` event). */
export interface ServicePoint {
  timeS: number;
  ratePerS: number;
  replicas: number;
  ready: number;
  quantileS: number;
  violated: boolean;
  /** Replicas on serverless nodes (NaN: the run had none, or wrote no count). */
  onServerless: number;
}

/** How many events lie between keyframes: a seek replays at most this many (more in a replay too large for its keyframes' memory). */
export const KEYFRAME_EVERY = 20_000;
/** Memory the keyframes may take: a replay with more nodes × events spaces them further apart. */
const KEYFRAME_BYTES = 256 * 2 ** 20;

/**
 * A replay held as columns (time, code, task or node, node) with the cluster's state kept as keyframes
 * every KEYFRAME_EVERY events, so that the state at any time is a keyframe plus at most that many
 * events. Tasks are numbered densely in order of arrival; their sizes are columns too.
 */
export class ReplayIndex {
  readonly header: ReplayHeader;
  readonly nodeCount: number;
  readonly count: number;
  readonly time: Float64Array;
  readonly code: Uint8Array;
  /** Dense task index (task events), node (node events) or service (v, w). */
  readonly subject: Int32Array;
  /** The node of a task event; -1 otherwise. */
  readonly node: Int32Array;
  /**
   * The value of a usage (n) or pool (o) event; for a start, finish, kill, preemption or removal, the
   * task's CPU request as it stood then; for an in-place resize (z), the change of its request.
   */
  readonly value: Float64Array;
  /** Per dense task: its id in the run and its request on arrival (a resize changes its CPU later). */
  readonly taskId: Float64Array;
  readonly taskCpu: Float64Array;
  readonly taskMem: Float64Array;
  readonly taskGpu: Float64Array;
  /** Per dense task: 1 for a co-located batch pod (it allocates none of the node's CPU or memory). */
  readonly taskBatch: Uint8Array;
  readonly services: {
    name: string;
    quantile: number;
    targetS: number;
    points: ServicePoint[];
    /** A predictive HPA's forecasts of the offered rate (w events), at the samples it wrote one. */
    forecasts: { timeS: number; perS: number }[];
  }[];
  /** Totals at each sample (c events): cold starts and the bill so far. */
  readonly totals: { timeS: number; coldStarts: number; cost: number; serverlessCost: number }[] = [];
  private readonly keyframes: NodeState[] = [];
  /** Events between keyframes: KEYFRAME_EVERY, or more where that many keyframes would pass KEYFRAME_BYTES. */
  readonly keyframeEvery: number;
  readonly durationS: number;

  private constructor(header: ReplayHeader, cols: Columns) {
    this.header = header;
    this.nodeCount = header.nodes.length;
    this.durationS = header.durationS;
    const n = cols.count;
    this.count = n;
    this.time = cols.time.subarray(0, n);
    this.code = cols.code.subarray(0, n);
    this.subject = new Int32Array(n);
    this.node = new Int32Array(n).fill(-1);
    this.value = new Float64Array(n);
    this.services = (header.services ?? []).map(([name, quantile, targetS]) => ({
      name,
      quantile,
      targetS,
      points: [],
      forecasts: [],
    }));
    const tasks = new DenseTasks();
    const f = cols.fields;
    // Times, task ids and indexes are refused when wrong, naming the line; quantities are clamped
    // (replay-checks.ts says why). The line is found only for a message: a scan of the text.
    const refuse = (i: number, field: string, expected: string, found: number): never => {
      throw new Error(`line ${cols.lineOf(i)}: ${field}: expected ${expected}, found ${describe(found)}`);
    };
    const index = (i: number, v: number, field: string, count: number) => {
      if (!(Number.isInteger(v) && v >= 0 && v < count))
        refuse(i, field, count > 0 ? `an index from 0 to ${count - 1}` : "none (the header lists none)", v);
      return v;
    };
    const taskId = (i: number, v: number) => (Number.isFinite(v) ? v : refuse(i, "task", "a task id", v));
    let last = 0;
    for (let i = 0; i < n; i++) {
      const t = this.time[i];
      if (!(t >= 0 && t <= MAX_TIME_S)) refuse(i, "timeS", TIME_RANGE, t);
      if (t < last) refuse(i, "timeS", `events in time order (the event before is at ${last} s)`, t);
      last = t;
      const c = this.code[i];
      const o = i * FIELDS;
      if (c === A) {
        // A request left out (NaN) is none of that resource.
        const [cpu, mem, gpu] = [quantity(f[o + 1]) || 0, quantity(f[o + 2]) || 0, quantity(f[o + 3]) || 0];
        this.subject[i] = tasks.arrive(taskId(i, f[o]), cpu, mem, gpu, f[o + 4] === 1);
      } else if (c <= 5 || c === 10 || c === 11 || c === Z) {
        const k = tasks.index(taskId(i, f[o]));
        this.subject[i] = k;
        // A missing or null node (version 1's gangs wrote -1) stays -1: it counts on no node.
        const node = f[o + 1];
        if (c !== 5 && !Number.isNaN(node) && node !== -1) {
          this.node[i] = index(i, node, "node", this.nodeCount);
        }
        // A batch pod of a co-located cluster runs on reclaimed room: it allocates none of the node's.
        if (c === Z) {
          // A resize to no size (null) leaves the request as it was.
          const cpu = Number.isNaN(f[o + 2]) ? tasks.cpuNow[k] : quantity(f[o + 2]);
          this.value[i] = tasks.batch[k] ? 0 : cpu - tasks.cpuNow[k];
          tasks.cpuNow[k] = cpu;
        } else this.value[i] = tasks.batch[k] ? 0 : tasks.cpuNow[k];
      } else if (c === V) {
        const s = index(i, f[o], "service", this.services.length);
        this.subject[i] = s;
        this.services[s].points.push({
          timeS: t,
          ratePerS: quantity(f[o + 1]),
          replicas: quantity(f[o + 2]),
          ready: quantity(f[o + 3]),
          quantileS: quantity(f[o + 4]),
          violated: f[o + 5] === 1,
          onServerless: quantity(f[o + 6]),
        });
      } else if (c === W) {
        const s = index(i, f[o], "service", this.services.length);
        this.subject[i] = s;
        this.services[s].forecasts.push({ timeS: t, perS: quantity(f[o + 1]) });
      } else if (c === C) {
        const [coldStarts, cost] = [quantity(f[o]) || 0, quantity(f[o + 1]) || 0];
        this.totals.push({ timeS: t, coldStarts, cost, serverlessCost: quantity(f[o + 2]) });
      } else if (c === O) {
        this.subject[i] = index(i, f[o], "pool", this.header.poolCapacityMiB?.length ?? 0);
        this.value[i] = quantity(f[o + 1]);
      } else {
        this.subject[i] = index(i, f[o], "node", this.nodeCount);
        // A usage of null is none recorded: the node's CPU in use is its allocation.
        if (c === N) this.value[i] = quantity(f[o + 1]);
      }
    }
    this.taskId = tasks.ids.slice(0, tasks.count);
    this.taskCpu = tasks.cpu.slice(0, tasks.count);
    this.taskMem = tasks.mem.slice(0, tasks.count);
    this.taskGpu = tasks.gpu.slice(0, tasks.count);
    this.taskBatch = tasks.batch.slice(0, tasks.count);
    const stateBytes = this.nodeCount * 34 + (this.header.poolCapacityMiB?.length ?? 0) * 8;
    const keyframes = Math.max(1, Math.floor(KEYFRAME_BYTES / Math.max(1, stateBytes)));
    this.keyframeEvery = Math.max(KEYFRAME_EVERY, Math.ceil(n / keyframes));
    this.buildKeyframes();
  }

  /** Parse a replay's text (JSON lines); a malformed line is reported with its number. */
  static parse(text: string): ReplayIndex {
    const first = text.indexOf("\n");
    const headerLine = first < 0 ? text : text.slice(0, first);
    if (headerLine.trim().length === 0) throw new Error("line 1: expected the replay header, found an empty file");
    const header = checkHeader(readHeader(headerLine));
    return new ReplayIndex(header, parseEvents(text, first < 0 ? text.length : first + 1));
  }

  /** A fresh state: every node empty, up, and present as the header says. */
  emptyState(): NodeState {
    const n = this.nodeCount;
    const s: NodeState = {
      cpu: new Float64Array(n),
      usage: new Float64Array(n).fill(Number.NaN),
      poolUsed: new Float64Array(this.header.poolCapacityMiB?.length ?? 0),
      mem: new Float64Array(n),
      gpu: new Float64Array(n),
      up: new Uint8Array(n),
      present: new Uint8Array(n),
    };
    this.header.nodes.forEach((node, i) => {
      s.present[i] = node[4] === 0 ? 0 : 1;
      s.up[i] = s.present[i];
    });
    return s;
  }

  private copy(from: NodeState, to: NodeState): void {
    to.cpu.set(from.cpu);
    to.usage.set(from.usage);
    to.poolUsed.set(from.poolUsed);
    to.mem.set(from.mem);
    to.gpu.set(from.gpu);
    to.up.set(from.up);
    to.present.set(from.present);
  }

  /** Apply events [from, to) to a state. */
  private apply(s: NodeState, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const c = this.code[i];
      const node = this.node[i];
      if (c === S || c === F || c === K || c === P || c === M) {
        if (node < 0) continue;
        const k = this.subject[i];
        const sign = c === S ? 1 : -1;
        s.cpu[node] += sign * this.value[i];
        if (!this.taskBatch[k]) s.mem[node] += sign * this.taskMem[k];
        s.gpu[node] += sign * this.taskGpu[k];
      } else if (c === Z) {
        if (node >= 0) s.cpu[node] += this.value[i];
      } else if (c === D || c === U) {
        s.up[this.subject[i]] = c === U ? 1 : 0;
      } else if (c === PLUS || c === MINUS) {
        s.present[this.subject[i]] = c === PLUS ? 1 : 0;
        s.up[this.subject[i]] = c === PLUS ? 1 : 0;
      } else if (c === N) {
        s.usage[this.subject[i]] = this.value[i];
      } else if (c === O) {
        s.poolUsed[this.subject[i]] = this.value[i];
      }
    }
  }

  private buildKeyframes(): void {
    const s = this.emptyState();
    for (let i = 0; i < this.count; i += this.keyframeEvery) {
      const k = this.emptyState();
      this.copy(s, k);
      this.keyframes.push(k);
      this.apply(s, i, Math.min(i + this.keyframeEvery, this.count));
    }
    if (this.keyframes.length === 0) this.keyframes.push(s);
  }

  /** How many events happen at or before `t` (binary search on time). */
  eventsUpTo(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The state after every event at or before `t`, written into `out`: a keyframe, then at most keyframeEvery events. */
  stateAt(t: number, out: NodeState): NodeState {
    const end = this.eventsUpTo(t);
    const kf = Math.min(Math.floor(end / this.keyframeEvery), this.keyframes.length - 1);
    this.copy(this.keyframes[kf], out);
    this.apply(out, kf * this.keyframeEvery, end);
    return out;
  }

  /**
   * The present nodes' allocated CPU share at `points + 1` evenly spaced times over `endS`, in one pass
   * over the events (running totals, no state copies). Virtual (serverless) nodes count apart, as the
   * run counts them: not in the share, but as the cores allocated there (`serverlessCores`).
   */
  cpuShareSeries(
    endS: number,
    points: number,
  ): { t: number[]; share: number[]; waiting: number[]; serverlessCores: number[] } {
    const s = this.emptyState();
    const virtual = new Uint8Array(this.nodeCount);
    for (const n of this.header.virtual ?? []) if (n >= 0 && n < this.nodeCount) virtual[n] = 1;
    const capOf = (n: number) => (virtual[n] ? 0 : this.header.nodes[n][1]);
    let used = 0;
    let cap = 0;
    let onVirtual = 0;
    for (let n = 0; n < this.nodeCount; n++) if (s.present[n]) cap += capOf(n);
    const t: number[] = [];
    const share: number[] = [];
    const waiting: number[] = [];
    const serverlessCores: number[] = [];
    // Tasks waiting: arrived, or back in the queue after a kill or preemption, and not started; a
    // task that can never start (x) leaves the count. (A gang's start counts once per node.)
    let queued = 0;
    let i = 0;
    for (let k = 0; k <= points; k++) {
      const at = (endS * k) / points;
      for (; i < this.count && this.time[i] <= at; i++) {
        const c = this.code[i];
        const node = this.node[i];
        if (c === A || c === K || c === P) queued++;
        else if (c === S || c === X) queued--;
        if ((c === S || c === F || c === K || c === P || c === M || c === Z) && node >= 0) {
          const cpu = c === Z ? this.value[i] : (c === S ? 1 : -1) * this.value[i];
          s.cpu[node] += cpu;
          if (virtual[node]) onVirtual += cpu;
          else if (s.present[node]) used += cpu;
        } else if (c === PLUS || c === MINUS) {
          const n = this.subject[i];
          const now = c === PLUS ? 1 : 0;
          if (s.present[n] !== now) {
            const sign = now ? 1 : -1;
            cap += sign * capOf(n);
            if (!virtual[n]) used += sign * s.cpu[n];
            s.present[n] = now;
          }
        }
      }
      t.push(at);
      share.push(cap > 0 ? used / cap : 0);
      waiting.push(queued);
      serverlessCores.push(onVirtual / 1000);
    }
    return { t, share, waiting, serverlessCores };
  }

  /**
   * The tasks running on `node` at `t` (dense indexes), by scanning its events; with `cpu`, each one's
   * CPU request there at `t` (resizes included) is written into it.
   */
  tasksOn(node: number, t: number, cpu?: Map<number, number>): number[] {
    const end = this.eventsUpTo(t);
    const on = new Set<number>();
    for (let i = 0; i < end; i++) {
      if (this.node[i] !== node) continue;
      const c = this.code[i];
      const k = this.subject[i];
      if (c === S) {
        on.add(k);
        cpu?.set(k, this.value[i]);
      } else if (c === Z) cpu?.set(k, (cpu.get(k) ?? 0) + this.value[i]);
      else if (c === F || c === K || c === P || c === M) on.delete(k);
    }
    return [...on].sort((a, b) => a - b);
  }

  /** The last of `points` (in time order) at or before `t`; undefined before the first. */
  static latest<P extends { timeS: number }>(points: readonly P[], t: number): P | undefined {
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid].timeS <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? points[lo - 1] : undefined;
  }

  /** Services that no other service calls (all of them when the replay has no call graph). */
  entryServices(): number[] {
    const called = new Set((this.header.calls ?? []).map(([, callee]) => callee));
    return this.services.map((_, i) => i).filter((i) => !called.has(i));
  }

  codeName(i: number): Code {
    return CODES[this.code[i]];
  }
}

/**
 * The run's task ids numbered densely in order of first appearance, with each task's request on
 * arrival, and its CPU request as the events read so far leave it (resizes change it).
 */
class DenseTasks {
  count = 0;
  ids = new Float64Array(1024);
  cpu = new Float64Array(1024);
  cpuNow = new Float64Array(1024);
  mem = new Float64Array(1024);
  gpu = new Float64Array(1024);
  /** 1 for a batch pod of a co-located cluster (on reclaimed room, not the node's allocatable). */
  batch = new Uint8Array(1024);
  private readonly dense = new Map<number, number>();

  /** The dense index of task `id`, numbering it if new. */
  index(id: number): number {
    let k = this.dense.get(id);
    if (k === undefined) {
      k = this.count++;
      if (k === this.ids.length) this.grow();
      this.dense.set(id, k);
      this.ids[k] = id;
    }
    return k;
  }

  /** Task `id` arrived with its request: its dense index. */
  arrive(id: number, cpu: number, mem: number, gpu: number, batch = false): number {
    const k = this.index(id);
    this.batch[k] = batch ? 1 : 0;
    this.cpu[k] = cpu;
    this.cpuNow[k] = cpu;
    this.mem[k] = mem;
    this.gpu[k] = gpu;
    return k;
  }

  private grow(): void {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.ids = grow(this.ids);
    this.cpu = grow(this.cpu);
    this.cpuNow = grow(this.cpuNow);
    this.mem = grow(this.mem);
    this.gpu = grow(this.gpu);
    const batch = new Uint8Array(this.batch.length * 2);
    batch.set(this.batch);
    this.batch = batch;
  }
}
