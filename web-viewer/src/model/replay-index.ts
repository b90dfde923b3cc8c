import { type ReplayHeader, readEvent, readHeader } from "@clustersim/replay";

/** Event codes as small integers, for the columns. */
export const CODES = ["a", "s", "f", "k", "p", "x", "d", "u", "+", "-", "r", "m", "v"] as const;
export type Code = (typeof CODES)[number];
const CODE_OF = new Map<string, number>(CODES.map((c, i) => [c, i]));
const [A, S, F, K, P, , D, U, PLUS, MINUS, , M, V] = CODES.map((_, i) => i);

/** The state of every node at one time: allocated CPU, memory and GPU (thousandths), up and present. */
export interface NodeState {
  cpu: Float64Array;
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
}

/** How many events lie between keyframes: a seek replays at most this many. */
export const KEYFRAME_EVERY = 20_000;

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
  /** Dense task index (task events), node (node events) or service (v). */
  readonly subject: Int32Array;
  /** The node of a task event; -1 otherwise. */
  readonly node: Int32Array;
  /** Per dense task: its id in the run and its request. */
  readonly taskId: Float64Array;
  readonly taskCpu: Float64Array;
  readonly taskMem: Float64Array;
  readonly taskGpu: Float64Array;
  readonly services: { name: string; quantile: number; targetS: number; points: ServicePoint[] }[];
  private readonly keyframes: NodeState[] = [];
  readonly durationS: number;

  private constructor(header: ReplayHeader, events: unknown[][]) {
    this.header = header;
    this.nodeCount = header.nodes.length;
    this.durationS = header.durationS;
    const n = events.length;
    this.count = n;
    this.time = new Float64Array(n);
    this.code = new Uint8Array(n);
    this.subject = new Int32Array(n);
    this.node = new Int32Array(n).fill(-1);
    this.services = (header.services ?? []).map(([name, quantile, targetS]) => ({
      name,
      quantile,
      targetS,
      points: [],
    }));
    const dense = new Map<number, number>();
    const ids: number[] = [];
    const cpu: number[] = [];
    const mem: number[] = [];
    const gpu: number[] = [];
    const taskIndex = (id: number) => {
      let k = dense.get(id);
      if (k === undefined) {
        k = ids.length;
        dense.set(id, k);
        ids.push(id);
        cpu.push(0);
        mem.push(0);
        gpu.push(0);
      }
      return k;
    };
    for (let i = 0; i < n; i++) {
      const e = events[i] as (number | string | null)[];
      const c = CODE_OF.get(e[1] as string)!;
      this.time[i] = e[0] as number;
      this.code[i] = c;
      if (c === A) {
        const k = taskIndex(e[2] as number);
        cpu[k] = e[3] as number;
        mem[k] = e[4] as number;
        gpu[k] = e[5] as number;
        this.subject[i] = k;
      } else if (c <= 5 || c === 10 || c === 11) {
        this.subject[i] = taskIndex(e[2] as number);
        if (e.length > 3) this.node[i] = e[3] as number;
      } else if (c === V) {
        const svc = this.services[e[2] as number];
        this.subject[i] = e[2] as number;
        svc?.points.push({
          timeS: e[0] as number,
          ratePerS: e[3] as number,
          replicas: e[4] as number,
          ready: e[5] as number,
          quantileS: e[6] === null ? Number.NaN : (e[6] as number),
          violated: e[7] === 1,
        });
      } else this.subject[i] = e[2] as number;
    }
    this.taskId = Float64Array.from(ids);
    this.taskCpu = Float64Array.from(cpu);
    this.taskMem = Float64Array.from(mem);
    this.taskGpu = Float64Array.from(gpu);
    this.buildKeyframes();
  }

  /** Parse a replay's text (JSON lines); a malformed line is reported with its number. */
  static parse(text: string): ReplayIndex {
    const lines = text.split("\n");
    let last = lines.length;
    while (last > 0 && lines[last - 1].length === 0) last--;
    if (last === 0) throw new Error("line 1: expected the replay header, found an empty file");
    const header = readHeader(lines[0]);
    const events: unknown[][] = new Array(last - 1);
    for (let i = 1; i < last; i++) events[i - 1] = readEvent(lines[i], i + 1) as unknown[];
    return new ReplayIndex(header, events);
  }

  /** A fresh state: every node empty, up, and present as the header says. */
  emptyState(): NodeState {
    const n = this.nodeCount;
    const s: NodeState = {
      cpu: new Float64Array(n),
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
        s.cpu[node] += sign * this.taskCpu[k];
        s.mem[node] += sign * this.taskMem[k];
        s.gpu[node] += sign * this.taskGpu[k];
      } else if (c === D || c === U) {
        s.up[this.subject[i]] = c === U ? 1 : 0;
      } else if (c === PLUS || c === MINUS) {
        s.present[this.subject[i]] = c === PLUS ? 1 : 0;
        s.up[this.subject[i]] = c === PLUS ? 1 : 0;
      }
    }
  }

  private buildKeyframes(): void {
    const s = this.emptyState();
    for (let i = 0; i < this.count; i += KEYFRAME_EVERY) {
      const k = this.emptyState();
      this.copy(s, k);
      this.keyframes.push(k);
      this.apply(s, i, Math.min(i + KEYFRAME_EVERY, this.count));
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

  /** The state after every event at or before `t`, written into `out`: a keyframe, then at most KEYFRAME_EVERY events. */
  stateAt(t: number, out: NodeState): NodeState {
    const end = this.eventsUpTo(t);
    const kf = Math.min(Math.floor(end / KEYFRAME_EVERY), this.keyframes.length - 1);
    this.copy(this.keyframes[kf], out);
    this.apply(out, kf * KEYFRAME_EVERY, end);
    return out;
  }

  /** The tasks running on `node` at `t` (dense indexes), by scanning its events. */
  tasksOn(node: number, t: number): number[] {
    const end = this.eventsUpTo(t);
    const on = new Set<number>();
    for (let i = 0; i < end; i++) {
      if (this.node[i] !== node) continue;
      const c = this.code[i];
      if (c === S) on.add(this.subject[i]);
      else if (c === F || c === K || c === P || c === M) on.delete(this.subject[i]);
    }
    return [...on].sort((a, b) => a - b);
  }

  codeName(i: number): Code {
    return CODES[this.code[i]];
  }
}
