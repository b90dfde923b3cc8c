import type { Waiting } from "./waiting-queue.js";

/** kube-scheduler's default QueueSort (PrioritySort): higher priority first, then the earlier queue timestamp, then arrival. */
export const prioritySort = (a: Waiting, b: Waiting) =>
  a.priority > b.priority ||
  (a.priority === b.priority && (a.timestampS < b.timestampS || (a.timestampS === b.timestampS && a.seq < b.seq)));
