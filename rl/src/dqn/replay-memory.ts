import type { Rng } from "@clustersim/sim-core";
import type { Trajectory } from "../rollouts/rollout.js";

/** An episode as the replay memory keeps it: each decision's jobs, rows, action and reward. */
export interface StoredEpisode {
  count: Int32Array;
  /** Where each decision's rows start in `rows`. */
  rowAt: Int32Array;
  rows: Float32Array;
  action: Int32Array;
  rewards: Float64Array;
}

/**
 * DQN's experience replay (Mnih et al., Nature 2015): the decisions of recent episodes, sampled
 * uniformly. Episodes are kept whole, so a decision's successors (its next state, and the n after it
 * for n-step returns) are at hand without a second copy of each state; when more than `capacity`
 * decisions are kept the oldest episodes leave, whole, but the newest always stays.
 */
export class ReplayMemory {
  private readonly episodes: StoredEpisode[] = [];
  /** The first decision of each kept episode, counted over all kept episodes (oldest first). */
  private starts: number[] = [];
  private decisions = 0;

  constructor(private readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`capacity: expected an integer >= 1, found ${capacity}`);
  }

  /** Decisions kept. */
  get size(): number {
    return this.decisions;
  }

  add(t: Trajectory): void {
    const T = t.action.length;
    const rowAt = new Int32Array(T);
    let at = 0;
    for (let i = 0; i < T; i++) {
      rowAt[i] = at;
      at += t.count[i]! * 8;
    }
    if (at !== t.rows.length) throw new RangeError(`add: an episode's rows hold ${t.rows.length} floats, not ${at}`);
    this.episodes.push({ count: t.count, rowAt, rows: t.rows, action: t.action, rewards: t.rewards });
    this.decisions += T;
    while (this.decisions > this.capacity && this.episodes.length > 1)
      this.decisions -= this.episodes.shift()!.action.length;
    let first = 0;
    this.starts = this.episodes.map((e) => {
      const s = first;
      first += e.action.length;
      return s;
    });
  }

  /** `n` decisions drawn uniformly (with replacement), as [episode, decision] pairs. */
  sample(n: number, rng: Rng): { episode: StoredEpisode; index: number }[] {
    if (this.decisions === 0) throw new RangeError("sample: the replay memory is empty");
    return Array.from({ length: n }, () => this.locate(Math.floor(rng.next() * this.decisions)));
  }

  /** The i-th decision kept, oldest first. */
  locate(i: number): { episode: StoredEpisode; index: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return { episode: this.episodes[lo]!, index: i - this.starts[lo]! };
  }
}
