import { REPLAY_FORMAT, REPLAY_VERSION, type ReplayHeader } from "./format.js";

/** Writes a replay, line by line, through `write` (a file, a socket, an array): the header first. */
export class ReplayWriter {
  constructor(private readonly write: (line: string) => void) {}

  header(h: Omit<ReplayHeader, "format" | "version">): void {
    this.write(JSON.stringify({ format: REPLAY_FORMAT, version: REPLAY_VERSION, ...h }));
  }

  /** A task arrived; `batch`: a co-located batch pod, on reclaimed room rather than the node's allocatable. */
  arrive(t: number, task: number, cpuMilli: number, memoryMiB: number, gpuMilli: number, batch = false): void {
    this.write(`[${t},"a",${task},${cpuMilli},${memoryMiB},${gpuMilli}${batch ? ",1" : ""}]`);
  }

  /** Start, finish, kill, preemption, readiness or removal of a task on each of its nodes. */
  task(t: number, code: "s" | "f" | "k" | "p" | "r" | "m", task: number, nodes: readonly number[]): void {
    for (const node of nodes) this.write(`[${t},"${code}",${task},${node}]`);
  }

  /** A running task's CPU request changed in place on its node (it keeps running). */
  resize(t: number, task: number, node: number, cpuMilli: number): void {
    this.write(`[${t},"z",${task},${node},${cpuMilli}]`);
  }

  neverStarts(t: number, task: number): void {
    this.write(`[${t},"x",${task}]`);
  }

  node(t: number, code: "d" | "u" | "+" | "-", node: number): void {
    this.write(`[${t},"${code}",${node}]`);
  }

  /** A node's CPU in use (where it differs from its allocation). */
  usage(t: number, node: number, cpuUsedMilli: number): void {
    this.write(`[${t},"n",${node},${cpuUsedMilli}]`);
  }

  /** Totals so far at a sample: cold starts and the bill (and its serverless part, where the run has any). */
  totals(t: number, coldStarts: number, cost: number, serverlessCost?: number): void {
    const extra = serverlessCost === undefined ? "" : `,${serverlessCost}`;
    this.write(`[${t},"c",${coldStarts},${cost}${extra}]`);
  }

  /** A CXL pool's memory in use. */
  pool(t: number, pool: number, usedMiB: number): void {
    this.write(`[${t},"o",${pool},${usedMiB}]`);
  }

  /**
   * A service's traffic at a sample; a quantile of NaN (no request served) is written as null. Where
   * the run has serverless nodes, the replicas placed on them follow.
   */
  service(
    t: number,
    service: number,
    ratePerS: number,
    replicas: number,
    ready: number,
    quantileS: number,
    violated: boolean,
    onServerless?: number,
  ): void {
    const q = Number.isFinite(quantileS) ? quantileS : null;
    const extra = onServerless === undefined ? "" : `,${onServerless}`;
    this.write(`[${t},"v",${service},${ratePerS},${replicas},${ready},${q},${violated ? 1 : 0}${extra}]`);
  }

  /** A predictive HPA's forecast for the interval of the tick the service's last `v` line reports. */
  forecast(t: number, service: number, perS: number): void {
    this.write(`[${t},"w",${service},${perS}]`);
  }
}
