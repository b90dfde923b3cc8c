import { csvRows } from "../csv-rows.js";
import type { LoadOptions } from "../trace-error.js";

/**
 * Alibaba cluster trace v2017, batch jobs as prepared by CloudSimPy (DeepJS): one line per task, with
 * its job, its number of identical instances and each instance's request. CPU in cores, memory and
 * disk as fractions of a machine (normalised in the original trace).
 */
export interface AlibabaTask {
  submitS: number;
  /** Run time of each instance, seconds. */
  durationS: number;
  cpu: number;
  memory: number;
  disk: number;
  jobId: number;
  taskId: number;
  instances: number;
}

const HEADER = ["", "submit_time", "duration", "cpu", "memory", "job_id", "task_id", "instances_num", "disk"] as const;

export function loadAlibabaV2017Jobs(file: string, options: LoadOptions = {}): AsyncGenerator<AlibabaTask> {
  return csvRows(
    file,
    {
      header: HEADER,
      names: ["row", ...HEADER.slice(1)],
      minCells: 9,
      parse: (f) => ({
        submitS: f.nonNegative(1),
        durationS: f.nonNegative(2),
        cpu: f.nonNegative(3),
        memory: f.nonNegative(4),
        jobId: f.wholeNumber(5),
        taskId: f.wholeNumber(6),
        // Each instance is a task: at most as many as a Deployment's pods (services' replica bound).
        instances: f.wholeNumber(7, 10_000_000),
        disk: f.nonNegative(8),
      }),
    },
    options,
  );
}
