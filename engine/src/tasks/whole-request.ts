import type { Task } from "@clustersim/workloads";

/**
 * A task's request in whole units, rounded up: millicores, MiB and GPU thousandths. Generated sizes are
 * fractional; the cluster books integers, so free capacity stays exact under any sequence of
 * placements and releases (fractions would drift, and the placement index would refuse what fits).
 * Returns the task itself when it is whole already.
 */
export function wholeRequest(t: Task): Task {
  if (Number.isInteger(t.cpuMilli) && Number.isInteger(t.memoryMiB) && Number.isInteger(t.gpuMilli)) return t;
  return {
    ...t,
    cpuMilli: ceilOrKeep(t.cpuMilli),
    memoryMiB: ceilOrKeep(t.memoryMiB),
    gpuMilli: ceilOrKeep(t.gpuMilli),
  };
}

/** NaN and infinities stay as they are (the run rejects them with its own message). */
const ceilOrKeep = (x: number) => (Number.isFinite(x) ? Math.ceil(x) : x);
