/**
 * The replay file (replay.jsonl): what a run writes with `outputs.replay: true` and the viewer reads.
 * JSON lines: a header, then one array per event in time order.
 *
 * Header: `{ format: "clustersim-replay", version, scenario, seed, scheduler, durationS, groups,
 * nodes: [[group, cpuMilli, memoryMiB, gpus, present], ...] }` (`present` from version 2: 0 for spare
 * nodes a group may add later).
 *
 * Events, `[timeS, code, ...]`:
 * | code | fields | meaning |
 * |---|---|---|
 * | `a` | task, cpuMilli, memoryMiB, gpuMilli | a task arrived |
 * | `s` | task, node | it started on the node (a gang: one line per node) |
 * | `f` | task, node | it finished (a gang: one line per node) |
 * | `k` | task, node | it was killed (node failure) |
 * | `p` | task, node | it was preempted (version 2) |
 * | `x` | task | it can never start: rejected at arrival, or retried out (version 2) |
 * | `d`, `u` | node | a node went down, came back |
 * | `+`, `-` | node | a node joined the cluster, left it (version 2) |
 *
 * Version 1 wrote one `s`/`f` line with node -1 for a job on several nodes, and no `p`, `x`, `+`, `-`.
 */
export const REPLAY_FORMAT = "clustersim-replay";
export const REPLAY_VERSION = 2;
/** Versions this package reads. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

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
}

export type ReplayEvent =
  | [timeS: number, code: "a", task: number, cpuMilli: number, memoryMiB: number, gpuMilli: number]
  | [timeS: number, code: "s" | "f" | "k" | "p", task: number, node: number]
  | [timeS: number, code: "x", task: number]
  | [timeS: number, code: "d" | "u" | "+" | "-", node: number];

export const EVENT_CODES = ["a", "s", "f", "k", "p", "x", "d", "u", "+", "-"] as const;
