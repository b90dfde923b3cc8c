import { type CompatJob, CompatWindow } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { EngineWindow } from "./engine-window.js";
import { foundValue } from "./found-value.js";

/**
 * Batch job selection as a Gymnasium-shaped environment: the RLScheduler environment (Zhang et al.,
 * SC'20; DIR-LAB/deep-batch-scheduler, HPCSimPickJobs.py) over the compatibility profile that
 * reproduces the paper's published tables (@clustersim/schedulers, rlscheduler-compat.ts).
 *
 * An episode is a window of `sequenceJobs` consecutive jobs (256 in the paper's training). Each step
 * the agent picks one of the waiting jobs it sees; the job is scheduled (time moves until it fits,
 * with EASY backfilling meanwhile when on) and the run goes to the next decision. The reward is 0
 * until the window's last job has started, then minus the window's mean bounded slowdown
 * (max(1, (wait + run) / max(run, 10))), or its utilisation, exactly what `runCompatWindow` reports.
 *
 * Observation: MAX_QUEUE_SIZE (128) slots of JOB_FEATURES (8) floats in [0, 1]. The slots show the
 * waiting jobs in submit order when at most 128 wait; beyond, taken in turn from the shortest-request
 * order and the fewest-processors order, skipping repeats, as the original does. Per job: wait / 12 h,
 * requested time / the trace's longest run, processors / the machine's, requested memory, user, group
 * and executable over their trace maxima (unknown: 1), each capped below 1; then whether it fits now
 * (1 − 1e-5) or not (1e-5). An empty slot reads [0, 1, 1, 1, 1, 1, 1, 0] and is masked out.
 */
export const MAX_QUEUE_SIZE = 128;
export const JOB_FEATURES = 8;
/** The original's cap on the wait feature: 12 hours. */
const MAX_WAIT_S = 12 * 3600;
const HI = 1 - 1e-5;
const LO = 1e-5;

export interface QueueEnvOptions {
  /**
   * The trace's jobs, sorted by id (readCompatJobs, ../protocols/rlscheduler-jobs.ts, gives them as the
   * original reads them).
   */
  jobs: readonly CompatJob[];
  nodes: number;
  procsPerNode: number;
  backfill: boolean;
  /** Jobs per episode (default 256, as the paper trains). */
  sequenceJobs?: number;
  /** What the final reward is: minus mean bounded slowdown (default), or utilisation. */
  reward?: "bsld" | "utilisation";
  /**
   * With a split (./queue-split.ts): training episodes use jobs [0, trainJobs) only. Without, they
   * start anywhere RLScheduler draws them (the paper's protocol).
   */
  trainJobs?: number;
  /**
   * Whose physics an episode runs in: "compat" (default), the paper's own simulator, which reproduces
   * its tables (CompatWindow); or "engine", the engine's batch queue a scenario's `rl-kernel` runs in
   * (./engine-window.ts), where a decision is asked at every pass while jobs wait.
   */
  semantics?: "compat" | "engine";
}

export interface QueueStepInfo {
  /** 1 for the slots that hold a job: the actions allowed. */
  mask: Uint8Array;
  timeS: number;
  /** Jobs of the window started so far. */
  started: number;
  /** The window's scores at the end of the episode. */
  boundedSlowdown?: number;
  utilisation?: number;
}

export interface QueueStepResult {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: QueueStepInfo;
}

export class QueueEnv {
  readonly observationSize = MAX_QUEUE_SIZE * JOB_FEATURES;
  readonly actionCount = MAX_QUEUE_SIZE;
  private readonly sequence: number;
  private readonly maxExecS: number;
  private readonly maxProcs: number;
  private readonly maxOf: { reqMemKiB: number; user: number; group: number; executable: number };
  private window: CompatWindow | EngineWindow | undefined;
  private visible: CompatJob[] = [];
  private readonly obs = new Float32Array(MAX_QUEUE_SIZE * JOB_FEATURES);
  private readonly mask = new Uint8Array(MAX_QUEUE_SIZE);

  constructor(private readonly o: QueueEnvOptions) {
    this.sequence = o.sequenceJobs ?? 256;
    if (!(Number.isInteger(this.sequence) && this.sequence >= 1))
      throw new RangeError(`sequenceJobs: expected an integer >= 1, found ${o.sequenceJobs}`);
    // A window must fit the trace; the seeded starts need more (startOf), checked where they are drawn.
    if (o.jobs.length < this.sequence)
      throw new RangeError(`sequenceJobs: expected at most the trace's ${o.jobs.length} jobs, found ${this.sequence}`);
    let maxExec = 0;
    const m = { reqMemKiB: 0, user: 0, group: 0, executable: 0 };
    for (const j of o.jobs) {
      maxExec = Math.max(maxExec, j.runS);
      for (const k of ["reqMemKiB", "user", "group", "executable"] as const) m[k] = Math.max(m[k], j[k] ?? -1);
    }
    this.maxExecS = maxExec;
    this.maxProcs = o.nodes * o.procsPerNode;
    this.maxOf = m;
  }

  /**
   * Where a seed's episode starts: uniform in [sequenceJobs, jobs − sequenceJobs − 1), as the original
   * draws; with a split, uniform in [0, trainJobs − sequenceJobs], so the episode ends before validation.
   */
  startOf(seed: number): number {
    const split = this.o.trainJobs !== undefined;
    const lo = split ? 0 : this.sequence;
    const hi = split ? this.o.trainJobs! - this.sequence + 1 : this.o.jobs.length - this.sequence - 1;
    if (hi <= lo)
      throw new RangeError(
        split
          ? `sequenceJobs: expected fewer than the split's ${this.o.trainJobs} training jobs, found ${this.sequence}`
          : `sequenceJobs: expected at most ${Math.floor((this.o.jobs.length - 2) / 2)} for seeded episodes in the trace's ${this.o.jobs.length} jobs, found ${this.sequence}`,
      );
    const rng = new RandomStreams(seed).get("queue-env/start");
    return lo + Math.floor(rng.next() * (hi - lo));
  }

  /**
   * Start an episode: at the seed's window, or at job index `start` (an evaluation window), which must
   * be an integer from 0 to jobs − sequenceJobs: anything else is refused here, by name, rather than
   * failing inside the window (a fractional index reads no job).
   */
  reset(seed: number, start?: number): { observation: Float32Array; info: QueueStepInfo } {
    const last = this.o.jobs.length - this.sequence;
    if (start !== undefined && !(Number.isSafeInteger(start) && start >= 0 && start <= last))
      throw new RangeError(
        `start: expected an integer job index from 0 to ${last} (windows of ${this.sequence} jobs in the trace's ${this.o.jobs.length}), found ${foundValue(start)}`,
      );
    const at = start ?? this.startOf(seed);
    this.window =
      this.o.semantics === "engine"
        ? new EngineWindow(this.o.jobs, at, this.sequence, this.o)
        : new CompatWindow(this.o.jobs, at, this.sequence, this.o);
    this.observe();
    return { observation: this.obs, info: this.info() };
  }

  /** Schedule the job in slot `action`. A slot without a job (mask 0) is refused. */
  step(action: number): QueueStepResult {
    const w = this.window;
    if (!w || w.done) throw new Error("step(): no episode under way: call reset(seed)");
    if (!(Number.isInteger(action) && action >= 0 && action < MAX_QUEUE_SIZE && this.mask[action] === 1))
      throw new RangeError(`step(): expected a slot holding a job (mask 1), found ${foundValue(action)}`);
    w.choose(this.visible[action]!);
    if (w.done) {
      const r = w.result();
      this.visible = [];
      this.obs.fill(0);
      this.mask.fill(0);
      const reward = this.o.reward === "utilisation" ? r.utilisation : -r.boundedSlowdown;
      return {
        observation: this.obs,
        reward,
        terminated: true,
        truncated: false,
        info: { ...this.info(), boundedSlowdown: r.boundedSlowdown, utilisation: r.utilisation },
      };
    }
    this.observe();
    return { observation: this.obs, reward: 0, terminated: false, truncated: false, info: this.info() };
  }

  /** What the features are divided by: the trace's longest run, and the machine's processors. */
  get normalisers(): { maxExecS: number; maxProcs: number } {
    return { maxExecS: this.maxExecS, maxProcs: this.maxProcs };
  }

  /** The jobs in the slots now (slot i holds visibleJobs[i]). */
  get visibleJobs(): readonly CompatJob[] {
    return this.visible;
  }

  private info(): QueueStepInfo {
    const w = this.window!;
    return { mask: this.mask, timeS: w.now, started: w.startedJobs };
  }

  private observe(): void {
    const w = this.window!;
    this.visible = visibleJobs(w.queue);
    const obs = this.obs;
    const now = w.now;
    for (let i = 0; i < MAX_QUEUE_SIZE; i++) {
      const o = i * JOB_FEATURES;
      const j = this.visible[i];
      if (!j) {
        obs[o] = 0;
        obs.fill(1, o + 1, o + 7);
        obs[o + 7] = 0;
        this.mask[i] = 0;
        continue;
      }
      obs[o] = Math.min((now - j.submitS) / MAX_WAIT_S, HI);
      obs[o + 1] = Math.min(j.reqTimeS / this.maxExecS, HI);
      obs[o + 2] = Math.min(j.procs / this.maxProcs, HI);
      obs[o + 3] = share(j.reqMemKiB, this.maxOf.reqMemKiB);
      obs[o + 4] = share(j.user, this.maxOf.user);
      obs[o + 5] = share(j.group, this.maxOf.group);
      obs[o + 6] = share(j.executable, this.maxOf.executable);
      obs[o + 7] = w.fits(j) ? HI : LO;
      this.mask[i] = 1;
    }
  }
}

/** A trace field over its maximum, capped below 1; unknown (-1, absent) or a trace without it: 1. */
function share(x: number | undefined, max: number): number {
  if (x === undefined || x < 0 || !(max > 0)) return 1;
  return Math.min(x / max, HI);
}

/** The waiting jobs the agent sees, in slot order (see QueueEnv). */
export function visibleJobs(queue: readonly CompatJob[]): CompatJob[] {
  const bySubmit = [...queue].sort((a, b) => a.submitS - b.submitS);
  if (queue.length <= MAX_QUEUE_SIZE) return bySubmit;
  const shortest = [...bySubmit].sort((a, b) => a.reqTimeS - b.reqTimeS || a.submitS - b.submitS);
  const smallest = [...bySubmit].sort((a, b) => a.procs - b.procs || a.submitS - b.submitS);
  const seen = new Set<CompatJob>();
  const out: CompatJob[] = [];
  for (let i = 0; out.length < MAX_QUEUE_SIZE; i++) {
    for (const list of [shortest, smallest]) {
      const j = list[i]!;
      if (out.length < MAX_QUEUE_SIZE && !seen.has(j)) {
        seen.add(j);
        out.push(j);
      }
    }
  }
  return out;
}
