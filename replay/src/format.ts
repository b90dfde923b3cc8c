/**
 * The replay file (replay.jsonl): what a run writes with `outputs.replay: true` and the viewer reads.
 * JSON lines: a header, then one array per event in time order.
 *
 * Header: `{ format: "clustersim-replay", version, scenario, seed, scheduler, durationS, groups,
 * nodes: [[group, cpuMilli, memoryMiB, gpus, present], ...], services }` (`present` from version 2: 0
 * for spare nodes a group may add later; `services` from version 3: the services' names and latency
 * objectives, `[[name, sloQuantile, sloTargetS], ...]`, and `racks` and `pools`, each node's rack and
 * CXL pool, -1 for none; from version 4, where the run has them: `virtual`, the serverless virtual
 * nodes, kept out of capacity; `clockStartS`, the time of day at t = 0; `windows`, the named
 * measurement windows, `[[name, fromS, toS], ...]`).
 *
 * Events, `[timeS, code, ...]`:
 * | code | fields | meaning |
 * |---|---|---|
 * | `a` | task, cpuMilli, memoryMiB, gpuMilli[, batch] | a task arrived (`batch` 1, version 4: a co-located batch pod, on reclaimed room, not the node's allocatable) |
 * | `s` | task, node | it started on the node (a gang: one line per node) |
 * | `f` | task, node | it finished (a gang: one line per node) |
 * | `k` | task, node | it was killed (node failure) |
 * | `p` | task, node | it was preempted (version 2) |
 * | `x` | task | it can never start: rejected at arrival, or retried out (version 2) |
 * | `d`, `u` | node | a node went down, came back |
 * | `+`, `-` | node | a node joined the cluster, left it (version 2) |
 * | `r` | task, node | a service replica became ready to serve (version 3) |
 * | `m` | task, node | a task was removed by a controller (a replica scaled down; version 3) |
 * | `v` | service, ratePerS, replicas, readyReplicas, latencyQuantileS, sloViolated[, onServerless] | a service's traffic at a sample (version 3; the replicas on serverless nodes where the run has any, version 4) |
 * | `n` | node, cpuUsedMilli | a node's CPU in use, where it differs from its allocation (services, co-located batch), at a sample when it moved by over 1% of the node (version 3) |
 * | `o` | pool, usedMiB | a CXL pool's memory in use, at a sample when it changed (version 3) |
 * | `c` | coldStarts, cost[, serverlessCost] | at every sample: sandbox cold starts so far, and the bill so far (priced nodes while present, and serverless containers: their part where the run has any, version 4) (version 3) |
 * | `z` | task, node, cpuMilli | a running task's CPU request changed in place to `cpuMilli` (a pod resized; it keeps running) (version 4) |
 * | `w` | service, forecastPerS | a predictive HPA's forecast of the service's offered rate for the interval of the tick its `v` line (just before, same time) reports (version 5) |
 *
 * Service replicas are tasks too (`a`, `s`, `r`, `m`), with ids from 10^12 up so that they never meet
 * a workload's. Version 1 wrote one `s`/`f` line with node -1 for a job on several nodes, and no `p`,
 * `x`, `+`, `-`; version 2 no `r`, `m`, `v` (a removed task was written as finished); version 3 no `z`
 * (a task's CPU was its `a` line's throughout); version 4 no `w`.
 */
export const REPLAY_FORMAT = "clustersim-replay";
export const REPLAY_VERSION = 5;
/** Versions this package reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2, 3, 4, 5];

export interface ReplayHeader {
  format: typeof REPLAY_FORMAT;
  version: number;
  scenario: string;
  seed: number;
  scheduler: string;
  durationS: number;
  groups: string[];
  /** Per node: group index, CPU millicores, memory MiB, GPUs, present (1; 0 for spare nodes; absent in version 1). */
  nodes: [number, number, number, number, number?][];
  /** Services: name, objective quantile and target, seconds (version 3; absent without services). */
  services?: [string, number, number][];
  /** Per node: its rack, and its CXL pool (-1: none) (version 3; absent where the run has none). */
  racks?: number[];
  pools?: number[];
  /** Each CXL pool's capacity, MiB (version 3, with `pools`). */
  poolCapacityMiB?: number[];
  /**
   * Virtual (serverless) nodes, by index: where replicas burst. The run keeps them out of the cluster's
   * capacity and allocation, and so does the viewer (version 4; absent where the run has none).
   */
  virtual?: number[];
  /** Seconds after midnight at t = 0, when the scenario names its clock (version 4; absent otherwise). */
  clockStartS?: number;
  /** The services' calls: [caller, callee] by service index (version 4; absent without calls). */
  calls?: [number, number][];
  /** The services' named measurement windows (e.g. the peak): name, from, to, seconds (version 4). */
  windows?: [string, number, number][];
}

export type ReplayEvent =
  | [timeS: number, code: "a", task: number, cpuMilli: number, memoryMiB: number, gpuMilli: number]
  | [timeS: number, code: "s" | "f" | "k" | "p" | "r" | "m", task: number, node: number]
  | [timeS: number, code: "x", task: number]
  | [timeS: number, code: "z", task: number, node: number, cpuMilli: number]
  | [timeS: number, code: "d" | "u" | "+" | "-", node: number]
  | [timeS: number, code: "n", node: number, cpuUsedMilli: number]
  | [timeS: number, code: "o", pool: number, usedMiB: number]
  | [timeS: number, code: "c", coldStarts: number, cost: number]
  | [timeS: number, code: "w", service: number, forecastPerS: number]
  | [
      timeS: number,
      code: "v",
      service: number,
      ratePerS: number,
      replicas: number,
      readyReplicas: number,
      latencyQuantileS: number | null,
      sloViolated: 0 | 1,
    ];

export const EVENT_CODES = [
  "a",
  "s",
  "f",
  "k",
  "p",
  "x",
  "d",
  "u",
  "+",
  "-",
  "r",
  "m",
  "v",
  "n",
  "o",
  "c",
  "z",
  "w",
] as const;
