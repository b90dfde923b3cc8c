import { strategy, strategyNames } from "@clustersim/schedulers";
import { z } from "zod";
import { positive } from "./numbers.js";
import { Duration, PositiveDuration } from "./units.js";

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
    // A queue policy places its jobs with a placement strategy of default parameters.
    const placement = (parsed.data as { placement?: unknown } | undefined)?.placement;
    if (entry.kind === "queue" && typeof placement === "string") {
      const p = strategy(placement);
      if (p?.kind !== "placement" || !p.params.safeParse({}).success) {
        const usable = strategyNames().filter(
          (n) => strategy(n)!.kind === "placement" && strategy(n)!.params.safeParse({}).success,
        );
        ctx.addIssue({
          code: "custom",
          path: ["params", "placement"],
          message: `expected a placement strategy that needs no parameters (${usable.join(", ")}), found "${placement}"`,
        });
      }
    }
  });

/** The Cluster Autoscaler of a node group; defaults are its flags' (engine/src/controllers/cluster-autoscaler.ts). */
export const Autoscaler = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("cluster"),
    nodeGroup: z.string(),
    min: z.number().int().nonnegative(),
    max: z.number().int().positive(),
    scaleUpDelay: Duration.default(60).meta({
      description:
        "from a scale-up to the new nodes taking pods (the cloud's provisioning time; default 60 s: an assumption)",
    }),
    scaleDownAfter: Duration.default(600).meta({ description: "--scale-down-unneeded-time" }),
    scaleDownDelayAfterAdd: Duration.default(600).meta({ description: "--scale-down-delay-after-add" }),
    utilizationThreshold: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .meta({ description: "--scale-down-utilization-threshold" }),
    scanInterval: PositiveDuration.default(10).meta({ description: "--scan-interval" }),
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
