import { EXPANDER_NAMES, expanderChainProblem } from "@clustersim/engine";
import { strategy, strategyNames } from "@clustersim/schedulers";
import { z } from "zod";
import { positive } from "./numbers.js";
import { Cpu, Duration, Memory, PositiveDuration } from "./units.js";

/** What runs the cluster in a scenario file: the scheduler, autoscalers, controllers, faults, outputs. */

export const Scheduler = z
  .strictObject({
    name: z.string().min(1).meta({ description: "a registered strategy, or the export of `plugin`" }),
    params: z.record(z.string(), z.unknown()).default({}),
    plugin: z.string().optional().meta({ description: "TypeScript or JavaScript file exporting a user strategy" }),
    queue: z.enum(["kubernetes", "fifo"]).default("kubernetes").meta({
      description: "online runs: kube-scheduler's queue (v1.31, back-off), or strict first come, first served",
    }),
    preemption: z
      .strictObject({
        enabled: z.boolean().default(true),
        victims: z.enum(["restart", "resume"]).default("restart"),
        checkpointInterval: Duration.default(0).meta({
          description: "resumed victims lose the work since their last checkpoint (0: none)",
        }),
      })
      .default({ enabled: true, victims: "restart", checkpointInterval: 0 })
      .meta({
        description:
          "online runs: kube-scheduler's DefaultPreemption (on by default, as upstream); victims restart, or resume from a checkpoint",
      }),
  })
  .superRefine((s, ctx) => {
    // A user plugin's name and parameters are checked when it is loaded; registered ones here.
    if (s.plugin !== undefined) return;
    const entry = strategy(s.name);
    if (!entry) {
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: `expected a registered scheduler (${strategyNames().join(", ")}), found "${s.name}"`,
      });
      return;
    }
    const parsed = entry.params.safeParse(s.params);
    if (!parsed.success)
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ["params", ...issue.path] } as never);
    // A queue policy places its jobs with a placement strategy of default parameters, and the batch
    // loop measures no node usage.
    const placement = (parsed.data as { placement?: unknown } | undefined)?.placement;
    const forBatch = (n: string) => {
      const p = strategy(n);
      return p?.kind === "placement" && !p.readsNodeUsage && p.params.safeParse({}).success;
    };
    if (entry.kind === "queue" && typeof placement === "string") {
      if (!forBatch(placement)) {
        const usable = strategyNames().filter(forBatch);
        ctx.addIssue({
          code: "custom",
          path: ["params", "placement"],
          message: `expected a placement strategy that needs no parameters and no node usage (${usable.join(", ")}), found "${placement}"`,
        });
      }
    }
  });

/** An expander (--expander), or a chain of them as upstream's comma-separated list. */
const Expander = z
  .union([z.enum(EXPANDER_NAMES), z.array(z.enum(EXPANDER_NAMES)).min(1)])
  .superRefine((e, ctx) => {
    const problem = expanderChainProblem(typeof e === "string" ? [e] : e);
    if (problem) ctx.addIssue({ code: "custom", message: `expected ${problem}` });
  })
  .meta({
    description:
      "--expander: which group's scale-up to make (least-waste, most-pods, priority, random), or a list applied in turn, ties left broken at random (default least-waste, upstream's since v1.33.0)",
  });

/** A limit as written: cores, or memory in Gi or Mi. */
export function showLimit(field: string, v: number): string {
  if (field.endsWith("Cores")) return `${v / 1000} cores`;
  if (field.endsWith("Memory")) return v % 1024 === 0 ? `${v / 1024}Gi` : `${v}Mi`;
  return `${v}`;
}

/** --max-nodes-total, --cores-total min:max and --memory-total min:max (GiB upstream; units here). */
const ClusterLimits = z
  .strictObject({
    maxNodesTotal: z.number().int().positive().optional().meta({
      description: "--max-nodes-total: nodes in the whole cluster, virtual ones aside (absent: no limit, upstream's 0)",
    }),
    minCores: Cpu.optional().meta({
      description: "--cores-total's minimum: scale-down keeps at least this much CPU in the cluster (default 0)",
    }),
    maxCores: Cpu.optional().meta({
      description: "--cores-total's maximum: scale-up never passes this much CPU in the cluster (default 320000 cores)",
    }),
    minMemory: Memory.optional().meta({
      description: "--memory-total's minimum: scale-down keeps at least this much memory in the cluster (default 0)",
    }),
    maxMemory: Memory.optional().meta({
      description:
        "--memory-total's maximum: scale-up never passes this much memory in the cluster (default 6400000Gi)",
    }),
  })
  .superRefine((l, ctx) => {
    for (const [min, max] of [
      ["minCores", "maxCores"],
      ["minMemory", "maxMemory"],
    ] as const) {
      const [lo, hi] = [l[min], l[max]];
      if (lo !== undefined && hi !== undefined && lo > hi)
        ctx.addIssue({
          code: "custom",
          path: [max],
          message: `expected at least ${min} (${showLimit(min, lo)}), found ${showLimit(max, hi)}`,
        });
    }
  })
  .meta({
    description:
      "whole-cluster limits (upstream's --max-nodes-total, --cores-total, --memory-total), over every group's present nodes and those on their way",
  });

/**
 * One node group under the Cluster Autoscaler. The entries make one autoscaler over all their groups,
 * as upstream runs one per cluster; its own settings (`expander`, `limits`, `scanInterval`,
 * `scaleDownDelayAfterAdd`) may be written on any entry, and where repeated must agree. Defaults are
 * its flags' (engine/src/controllers/cluster-autoscaler.ts).
 */
export const Autoscaler = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("cluster"),
    nodeGroup: z.string().meta({ description: "a node group the Cluster Autoscaler scales (one entry per group)" }),
    min: z.number().int().nonnegative(),
    max: z.number().int().positive(),
    scaleUpDelay: Duration.default(60).meta({
      description:
        "from a scale-up to the new nodes taking pods (the cloud's provisioning time; default 60 s: an assumption)",
    }),
    scaleDownAfter: Duration.default(600).meta({
      description: "--scale-down-unneeded-time, for this group (default 10 min)",
    }),
    utilizationThreshold: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .meta({ description: "--scale-down-utilization-threshold, for this group (default 0.5)" }),
    priority: z.number().int().nonnegative().optional().meta({
      description:
        "the group's priority for the priority expander: the highest wins (groups without one are left out while another has one)",
    }),
    expander: Expander.optional(),
    limits: ClusterLimits.optional(),
    scaleDownDelayAfterAdd: Duration.optional().meta({
      description: "--scale-down-delay-after-add, after a scale-up of any group (default 10 min)",
    }),
    scanInterval: PositiveDuration.optional().meta({ description: "--scan-interval (default 10 s)" }),
  }),
]);

/** A user controller from a file (see examples/controllers/). */
export const ControllerSpec = z.strictObject({
  plugin: z.string().min(1).meta({ description: "TypeScript or JavaScript file exporting `controller`" }),
  params: z.record(z.string(), z.unknown()).default({}),
});

export const Fault = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("node-failures"),
    nodeGroup: z.string().optional(),
    mtbf: PositiveDuration,
    mttr: PositiveDuration,
    distribution: z.enum(["exponential", "weibull"]).default("exponential"),
    weibullShape: positive.optional(),
  }),
  z.strictObject({
    type: z.literal("domain-failure"),
    domain: z.enum(["rack", "cxl-pool", "dpu"]),
    index: z.number().int().nonnegative(),
    at: Duration,
    repair: Duration,
  }),
]);

export const Outputs = z.strictObject({
  tasks: z.boolean().default(true),
  timeseriesInterval: PositiveDuration.default(60),
  replay: z.boolean().default(false),
  decisions: z.boolean().default(false),
  clock: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, "a time of day, HH:MM or HH:MM:SS (quote it in YAML)")
    .optional()
    .meta({ description: 'the time of day at t = 0 (e.g. "23:00"): the viewer shows the run on this clock' }),
  warmup: Duration.default(0).meta({
    description: "services' latency and objective figures leave out requests of the run's first seconds",
  }),
  windows: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[\w.-]+$/, "letters, digits, '.', '_' or '-'"),
        from: Duration,
        to: PositiveDuration,
      }),
    )
    .default([])
    .meta({ description: "named windows (e.g. the peak) whose services' latency figures are reported apart" }),
  arrivedGpuLoads: z.array(positive).default([1, 1.3]).meta({
    description:
      "arrived GPU demand, as a share of the cluster's GPUs, at which GPU allocation and fragmentation are measured (clusters with GPUs)",
  }),
});
