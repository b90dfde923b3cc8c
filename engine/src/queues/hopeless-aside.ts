import { prioritySort } from "./priority-sort.js";
import type { Waiting } from "./waiting-queue.js";

/** The run's rule for pods whose try can only fail (see KubernetesQueue). */
export interface QuietFailures {
  /**
   * Whether trying `w` now could only fail, with nothing beyond the queue's own books: it was tried
   * before, no node has the room it asks, and its try would ask nothing else (no preemption, burst or
   * outside decision).
   */
  hopeless(w: Waiting): boolean;
  /**
   * Whether the pods aside may fail together at the end of a pass (none was withdrawn); if not, they are
   * popped from the heap after all, where hopeless pods still fail one by one.
   */
  mayFailAll(aside: readonly Waiting[]): boolean;
  /** The cluster's count of changes that may have made room: pods aside are judged again after one. */
  roomGrowth(): number;
  /** `n` pods failed without a try: the run counts them among its decisions. */
  failedQuietly(n: number): void;
}

/**
 * The pods kept aside, in no order, and the first of them in activeQ's order, kept as pods are added
 * and found again by a scan only after it was taken.
 */
export class Aside {
  private list: Waiting[] = [];
  private firstPod: Waiting | null = null;
  private firstKnown = true;
  private firstPriority = Number.NEGATIVE_INFINITY;
  private firstTimestampS = Number.POSITIVE_INFINITY;
  private firstSeq = Number.POSITIVE_INFINITY;

  get size(): number {
    return this.list.length;
  }

  add(w: Waiting): void {
    this.list.push(w);
    // The first pod's keys are kept here, so that a comparison reads only the pod being added.
    if (
      this.firstKnown &&
      (w.priority > this.firstPriority ||
        (w.priority === this.firstPriority &&
          (w.timestampS < this.firstTimestampS || (w.timestampS === this.firstTimestampS && w.seq < this.firstSeq))))
    )
      this.setFirst(w);
  }

  private setFirst(w: Waiting | null): void {
    this.firstPod = w;
    this.firstPriority = w ? w.priority : Number.NEGATIVE_INFINITY;
    this.firstTimestampS = w ? w.timestampS : Number.POSITIVE_INFINITY;
    this.firstSeq = w ? w.seq : Number.POSITIVE_INFINITY;
  }

  /** The first pod aside in activeQ's order (there must be one). */
  first(): Waiting {
    if (!this.firstKnown) {
      let f = this.list[0];
      for (const w of this.list) if (prioritySort(w, f)) f = w;
      this.setFirst(f);
      this.firstKnown = true;
    }
    return this.firstPod!;
  }

  /** Take one pod out. */
  take(w: Waiting): Waiting {
    const i = this.list.indexOf(w);
    this.list[i] = this.list[this.list.length - 1];
    this.list.pop();
    if (w === this.firstPod) {
      this.setFirst(null);
      this.firstKnown = this.list.length === 0;
    }
    return w;
  }

  /** Take every pod out. */
  drain(): Waiting[] {
    const all = this.list;
    this.list = [];
    this.setFirst(null);
    this.firstKnown = true;
    return all;
  }

  pods(): readonly Waiting[] {
    return this.list;
  }
}
