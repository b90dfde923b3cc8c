import { TASK_FORMATS, TASK_NUMERIC_FIELDS } from "@clustersim/workloads";
import { z } from "zod";
import { distOf } from "./distributions.js";
import { nonNegative, positive } from "./numbers.js";
import { NodeSelector, Tolerations } from "./placement.js";
import { RateSpec } from "./rates.js";
import { Cpu, CpuInDist, Duration, Memory, MemoryInDist, PositiveDuration } from "./units.js";

/** The workloads of a scenario file: task templates, generators, traces, transforms. */

/** A distribution or a constant, of a plain number (GPUs, processors, Gbps). */
export const Dist = z.union([z.number(), distOf(z.number())]);

/** A constant with units, or a distribution whose quantities carry units (a bare number in seconds for durations). */
const cpuOrDist = z.union([Cpu, distOf(CpuInDist)]);
const memoryOrDist = z.union([Memory, distOf(MemoryInDist)]);
export const durationOrDist = z.union([Duration, distOf(Duration)]);

export const TaskTemplate = z.strictObject({
  run: durationOrDist.meta({
    description: "run time: a duration, or a distribution of durations (seconds or 90s, 2h)",
  }),
  cpu: cpuOrDist.meta({ description: "CPU: a quantity (500m, 2), or a distribution of quantities with units" }),
  memory: memoryOrDist.meta({ description: "memory: a quantity (2Gi), or a distribution of quantities with units" }),
  gpus: Dist.optional(),
  gpuMilli: Dist.optional().meta({ description: "thousandths of each GPU (1000 = whole)" }),
  procs: Dist.optional(),
  nicGbps: Dist.optional().meta({ description: "network bandwidth while running, Gbps (a number or a distribution)" }),
  syscalls: Dist.optional().meta({
    description:
      "system calls per CPU-second while running (a number or a distribution); a sandbox runtime charges each call its cost (gVisor-ptrace 38 µs against runc's 1.9 µs)",
  }),
  priority: z.number().int().optional(),
  runtime: z
    .string()
    .optional()
    .meta({ description: "runtime class (runc, gvisor, kata-qemu, kata-fc, firecracker, wasm)" }),
  app: z.string().optional(),
  tolerations: Tolerations.optional().meta({ description: "node taints the tasks tolerate (Kubernetes semantics)" }),
  nodeSelector: NodeSelector.optional().meta({ description: "node labels the tasks require" }),
});

const TaskField = z.enum(TASK_NUMERIC_FIELDS);
export const Transform = z.discriminatedUnion("type", [
  z
    .strictObject({
      type: z.literal("window"),
      from: Duration.optional(),
      to: Duration.optional(),
      fromIndex: z
        .union([
          z.number().int().nonnegative(),
          z
            .strictObject({ uniform: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]) })
            .refine((u) => u.uniform[0] <= u.uniform[1], {
              message: "expected uniform: [lowest, highest] with lowest ≤ highest",
            }),
        ])
        .optional()
        .meta({
          description:
            "index of the first task kept, or { uniform: [lowest, highest] }: drawn per seed (both ends included), so that each seed of a sweep sees its own window",
        }),
      count: z.number().int().nonnegative().optional(),
      rebase: z.boolean().default(false),
    })
    .refine((w) => w.from === undefined || w.to === undefined || w.from < w.to, {
      path: ["to"],
      error: (i) => {
        const w = i.input as { from: number; to: number };
        return `expected a window that ends after it begins (from ${w.from} s), found to ${w.to} s: it would select no task`;
      },
    }),
  z.strictObject({ type: z.literal("timeScale"), factor: positive }),
  z.strictObject({
    type: z.literal("filter"),
    field: z.union([TaskField, z.enum(["app", "runtime"])]),
    op: z.enum(["<", "<=", ">", ">=", "==", "!="]),
    value: z.union([z.number(), z.string()]),
  }),
  z.strictObject({ type: z.literal("shuffle") }),
  z
    .strictObject({ type: z.literal("noDepartures") })
    .meta({ description: "tasks never leave once placed (their run time is dropped), as in the FGD protocol" }),
  z.strictObject({
    type: z.literal("sample"),
    until: z.strictObject({ field: z.union([TaskField, z.enum(["gpuDemand", "count"])]), total: positive }),
    spacing: Duration.optional(),
  }),
]);

const transforms = z.array(Transform).default([]);

/** A name that becomes a folder (results/NAME): no path separators, no leading dot, no "..". */
export const SafeName = z
  .string()
  .regex(
    /^(?!.*\.\.)\w[\w.-]*$/,
    "expected a name of letters, digits, '.', '_' or '-', not starting with '.' (it names the results folder)",
  );
const name = z
  .string()
  .regex(/^[\w.-]+$/, "letters, digits, '.', '_' or '-'")
  .optional();

const qos = z.enum(["batch"]).optional().meta({
  description:
    "batch: best-effort pods of a co-located cluster (Koordinator's koord-batch), run on the room online pods leave when colocation is enabled",
});

export const Workload = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("trace"),
    name,
    qos,
    format: z.enum(TASK_FORMATS),
    path: z
      .string()
      .min(1)
      .meta({ description: "trace file (azure-functions: its directory), relative to the scenario file" }),
    onBadLine: z.enum(["fail", "skip"]).default("fail"),
    machine: z
      .strictObject({ cpu: Cpu, memory: Memory })
      .optional()
      .meta({ description: "machine size for traces whose requests are fractions of a machine" }),
    runtime: z.string().optional().meta({
      description:
        "runtime class every task of the trace runs in (runc, gvisor, kata-qemu, kata-fc, firecracker, wasm): its cold starts and the warm pool apply to tasks that have one",
    }),
    transforms,
  }),
  z.strictObject({ type: z.literal("poisson"), name, qos, ratePerS: positive, task: TaskTemplate, transforms }),
  z.strictObject({
    type: z.literal("rate-curve"),
    name,
    qos,
    rate: z.array(RateSpec).min(1),
    task: TaskTemplate,
    transforms,
  }),
  z.strictObject({
    type: z.literal("mmpp"),
    name,
    qos,
    states: z.array(z.strictObject({ ratePerS: nonNegative, meanDuration: PositiveDuration })).min(1),
    transitions: z.array(z.array(nonNegative)).optional(),
    task: TaskTemplate,
    transforms,
  }),
  z.strictObject({
    type: z.literal("functions"),
    name,
    qos,
    functions: z.number().int().positive(),
    scaleToInvocationsPerS: positive.optional(),
    rate: z.array(RateSpec).optional(),
    cpu: Cpu.default(1000).meta({
      description: "CPU of each invocation (the Azure trace has none; default one core: an assumption)",
    }),
    runtime: z.string().optional(),
    syscalls: nonNegative.optional().meta({
      description: "system calls per CPU-second of every invocation (default 0: compute-bound)",
    }),
    transforms,
  }),
]);
