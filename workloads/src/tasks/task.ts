/**
 * One unit of work as every workload source delivers it, whatever trace or generator it came from.
 * Unknown values are NaN (e.g. a trace without run times: the task runs until the simulation ends).
 */
export interface Task {
  /** Position in its workload stream, from 0. */
  id: number;
  /** Arrival (submit) time, seconds of simulated time. */
  arrivalS: number;
  /** Run time on an unloaded node, seconds; NaN for long-running services. */
  runS: number;
  /** User's run-time estimate (batch systems), seconds; NaN where none. */
  reqTimeS: number;
  /** CPU and memory of the whole task: for a parallel job (procs > 1), the total over its processors. */
  cpuMilli: number;
  memoryMiB: number;
  /** Whole GPUs; a shared-GPU task has gpus = 1 and gpuMilli < 1000. */
  gpus: number;
  /** Thousandths of each GPU used (1000 = whole). */
  gpuMilli: number;
  /** Processors (nodes) a parallel job needs at once; 1 for ordinary tasks. */
  procs: number;
  /** Network bandwidth the task uses while it runs, Gbps (0: none modelled). */
  nicGbps: number;
  /** System calls per second of CPU time while it runs (0: compute-bound); a sandbox charges each. */
  syscallsPerCpuS: number;
  /** Application, function or tenant the task belongs to; "" where the source has none. */
  app: string;
  /** The scenario workload the task came from (its `name`, or `w<index>`); "" outside a scenario. */
  workload: string;
  /** Kubernetes runtime class (sandbox runtime) requested; "" for the default. */
  runtime: string;
  /** Taints the task tolerates and node labels it requires (Kubernetes semantics); absent: none. */
  tolerations?: readonly { key: string; operator?: "Equal" | "Exists"; value?: string; effect?: string }[];
  nodeSelector?: Readonly<Record<string, string>>;
  /** Higher is more important; 0 by default. */
  priority: number;
  /** The service this task is a replica of (a long-running pod whose work is traffic); absent otherwise. */
  service?: string;
  /** "batch": a best-effort pod of a co-located cluster (Koordinator's koord-batch), run on reclaimed room. */
  qos?: "batch";
  /** Prompt and generated tokens of an inference request; NaN for other work. */
  inputTokens: number;
  outputTokens: number;
}

/** A task with every optional field at its neutral value. */
export function task(fields: Partial<Task> & Pick<Task, "arrivalS">): Task {
  return {
    id: 0,
    runS: NaN,
    reqTimeS: NaN,
    cpuMilli: 0,
    memoryMiB: 0,
    gpus: 0,
    gpuMilli: 0,
    procs: 1,
    nicGbps: 0,
    syscallsPerCpuS: 0,
    app: "",
    workload: "",
    runtime: "",
    priority: 0,
    inputTokens: NaN,
    outputTokens: NaN,
    ...fields,
  };
}

/** Numeric fields of a task, by name: what filters and load targets may refer to. */
export const TASK_NUMERIC_FIELDS = [
  "arrivalS",
  "runS",
  "reqTimeS",
  "cpuMilli",
  "memoryMiB",
  "gpus",
  "gpuMilli",
  "procs",
  "nicGbps",
  "syscallsPerCpuS",
  "priority",
  "inputTokens",
  "outputTokens",
] as const;
export type TaskNumericField = (typeof TASK_NUMERIC_FIELDS)[number];

/** GPU capacity a task takes, in GPUs (a shared GPU counts its fraction). */
export function gpuDemand(t: Task): number {
  return (t.gpus * t.gpuMilli) / 1000;
}
