/**
 * What a capacity search is asked (SearchOptions) and what it tells its caller as it starts
 * (SearchStart): the types the search's setup (./search-setup.ts) and its loop (./search.ts) share, in
 * a module of their own so that neither imports the other for them.
 */
import type { Objective } from "./objective.js";
import type { Evaluation } from "./value-judgement.js";

/**
 * A capacity search (`clustersim search`): the smallest value of one scenario field that meets an
 * objective over seeds, by bisection (bisect.ts), each value's runs on the sweep's worker threads and
 * saved as a sweep saves them (DIR/runs/ID.json), so that a search run again into the same directory,
 * with the same or another objective or range, reuses every run it has.
 */
export interface SearchOptions {
  /** The scenario file. */
  scenario: string;
  /** The scenario field varied, a path as --set takes it (`cluster.nodeGroups.0.count`). */
  vary: string;
  min: number;
  max: number;
  /** Distance between the values tried (default 1, and then min and max must be whole numbers). */
  step?: number;
  /** The objective's text (objective.ts). */
  objective: string;
  /** Seeds run at every value, the same at each (common random numbers); default 1, 2, 3. */
  seeds?: number[];
  /** Confidence of the one-sided bound compared with each threshold (default 0.95). */
  confidence?: number;
  /** Other scenario overrides, `path=value`, at every value. */
  set?: string[];
  /** Output directory (default results/search-NAME); one holding saved runs is reused. */
  out?: string;
  /** Worker threads (default 1). */
  workers?: number;
  runTimeoutS?: number;
  pluginTimeLimitS?: number;
  toolVersion?: string;
  /** Told once the search is set up, before any run. */
  onStart?: (s: SearchStart) => void;
  /** Told of each value judged, as its round ends. */
  onEvaluated?: (e: Evaluation) => void;
}

export interface SearchStart {
  name: string;
  dir: string;
  vary: string;
  min: number;
  max: number;
  step: number;
  /** Values in the range. */
  values: number;
  seeds: number[];
  workers: number;
  /** Values judged at once (workers to spare beyond the seeds). */
  perRound: number;
  objective: string;
  objectives: Objective[];
  /** What "meets" means, in words. */
  meaning: string;
}
