/**
 * Published figures the reproductions are checked against.
 *
 * RLScheduler (Zhang et al., SC'20), Tables V and VI, as also printed in DIR-LAB/deep-batch-scheduler's
 * README: average bounded slowdown and utilisation over 10 windows of 1,024 jobs.
 * FGD (Weng et al., ATC'23), Fig. 7: GPU allocation ratio (%) at 130% arrived load on
 * openb_pod_list_default, 10-seed means.
 */
export const RLSCHEDULER_PUBLISHED: Record<
  string,
  {
    file: string;
    bsld: Record<"none" | "easy", Record<string, number>>;
    util: Record<"none" | "easy", Record<string, number>>;
  }
> = {
  "Lublin-1": {
    file: "swf/lublin_256.swf",
    bsld: {
      none: { fcfs: 7273.77, wfp3: 19753.53, uni: 22274.74, sjf: 277.35, f1: 258.37 },
      easy: { fcfs: 235.82, wfp3: 133.87, uni: 307.23, sjf: 73.31, f1: 75.07 },
    },
    util: {
      none: { fcfs: 0.657, wfp3: 0.747, uni: 0.691, sjf: 0.762, f1: 0.816 },
      easy: { fcfs: 0.868, wfp3: 0.864, uni: 0.883, sjf: 0.778, f1: 0.84 },
    },
  },
  "Lublin-2": {
    file: "swf/lublin_256_new2.swf",
    bsld: {
      none: { fcfs: 7842.47, wfp3: 9523.18, uni: 11265.31, sjf: 787.89, f1: 698.34 },
      easy: { fcfs: 247.61, wfp3: 318.35, uni: 379.59, sjf: 91.99, f1: 148.25 },
    },
    util: {
      none: { fcfs: 0.404, wfp3: 0.543, uni: 0.51, sjf: 0.562, f1: 0.478 },
      easy: { fcfs: 0.587, wfp3: 0.583, uni: 0.587, sjf: 0.593, f1: 0.552 },
    },
  },
};

export const FGD_PUBLISHED = {
  pods: "alibaba-gpu-v2023/openb_pod_list_default.csv",
  nodes: "alibaba-gpu-v2023/openb_node_list_gpu_node.csv",
  load: 1.3,
  /** Tolerance, percentage points. */
  tolerance: 1.0,
  allocationPct: {
    Random: 87.47,
    DotProd: 90.85,
    GpuClustering: 91.88,
    GpuPacking: 92.0,
    BestFit: 93.08,
    FGD: 95.39,
  } as Record<string, number>,
};
