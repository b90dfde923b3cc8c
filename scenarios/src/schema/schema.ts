import { strategy, strategyNames } from "@clustersim/schedulers";
import { TASK_FORMATS, TASK_NUMERIC_FIELDS } from "@clustersim/workloads";
import { z } from "zod";
import { distOf } from "./distributions.js";
import { NodeSelector, Tolerations } from "./placement.js";
import { RateSpec } from "./rates.js";
import { Service, servicesProblems } from "./service-schema.js";
import { Cpu, CpuInDist, Duration, Memory, MemoryInDist, PositiveDuration } from "./units.js";

export { RateSpec } from "./rates.js";

/**
 * The scenario file: one zod schema, strict everywhere (an unknown field is an error, not silently
 * ignored). Plain data with `type` discriminants. `clustersim schema` prints it as JSON Schema.
 */

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const probability = z.number().min(0).max(1);

/** A distribution or a constant, of a plain number (GPUs, processors, Gbps). */
export const Dist = z.union([z.number(), distOf(z.number())]);

/** A constant with units, or a distribution whose quantities carry units (a bare number in seconds for durations). */
const cpuOrDist = z.union([Cpu, distOf(CpuInDist)]);
const memoryOrDist = z.union([Memory, distOf(MemoryInDist)]);
const durationOrDist = z.union([Duration, distOf(Duration)]);

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
  z.strictObject({
    type: z.literal("window"),
    from: Duration.optional(),
    to: Duration.optional(),
    fromIndex: z.number().int().nonnegative().optional(),
    count: z.number().int().nonnegative().optional(),
    rebase: z.boolean().default(false),
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

/** Per node group hardware: DPU, CXL pool membership, power and price. Defaults and sources in hardware-models. */
const NodeHardware = {
  dpu: z
    .enum(["bluefield-2", "bluefield-3"])
    .optional()
    .meta({ description: "a DPU per node: infrastructure work leaves the host cores" }),
  cxlPool: z.strictObject({ nodesPerPool: z.number().int().positive(), capacityPerPool: Memory }).optional().meta({
    description: "consecutive nodes share CXL memory pools of this size (8-16 sockets give most of the benefit: Pond)",
  }),
  power: z
    .strictObject({
      idleW: nonNegative,
      peakW: nonNegative,
      gpuIdleW: nonNegative.optional().meta({ description: "watts per idle GPU (default: by gpuModel)" }),
      gpuPeakW: nonNegative.optional().meta({ description: "watts per fully allocated GPU (default: by gpuModel)" }),
    })
    .optional(),
  price: z.strictObject({ perNodeHour: nonNegative, elastic: z.boolean().default(false) }).optional(),
  virtual: z
    .strictObject({
      startLatency: durationOrDist.default({ dist: "uniform", min: 1, max: 6 }).meta({
        description:
          "from binding to running, per pod (default uniform 1-6 s: Alibaba ECI's 3,000 instances in 6 s; the spread is an assumption)",
      }),
      pricePerVcpuHour: nonNegative,
      pricePerGiBHour: nonNegative,
    })
    .optional()
    .meta({
      description:
        "serverless containers (a virtual-kubelet node: one node of this capacity, tainted so that only pods allowed to burst go there, billed per second per vCPU and GiB)",
    }),
};

export const NodeGroup = z
  .strictObject({
    ...NodeHardware,
    name: z.string().min(1),
    count: z.number().int().nonnegative().meta({ description: "nodes present at the start" }),
    maxCount: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: "nodes the group may grow to (controllers add them); default: count" }),
    cpu: Cpu,
    memory: Memory,
    gpus: z.number().int().nonnegative().default(0),
    gpuModel: z.string().optional(),
    nicGbps: positive.optional(),
    maxPods: z.number().int().nonnegative().default(110).meta({
      description:
        "pods a node admits (the kubelet's maxPods; Kubernetes' NodeResourcesFit rejects more). Default 110, the kubelet default",
    }),
    nodesPerRack: z.number().int().positive().optional(),
    overcommit: z.strictObject({ cpu: z.number().min(1).default(1), memory: z.number().min(1).default(1) }).optional(),
    labels: z.record(z.string(), z.string()).default({}),
    taints: z
      .array(
        z.strictObject({
          key: z.string(),
          value: z.string().default(""),
          effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
        }),
      )
      .default([]),
  })
  .superRefine((g, ctx) => {
    if (g.virtual && (g.count !== 1 || (g.maxCount ?? 1) !== 1)) {
      ctx.addIssue({
        code: "custom",
        path: ["count"],
        message: `expected count 1 for a virtual node group, found ${g.count}`,
      });
    }
    if (g.maxCount !== undefined && g.maxCount < g.count) {
      ctx.addIssue({
        code: "custom",
        path: ["maxCount"],
        message: `expected at least count (${g.count}), found ${g.maxCount}`,
      });
    }
  });

/** Node groups, or a node list read from a trace: exactly one of the two. */
export const Cluster = z
  .strictObject({
    nodeGroups: z.array(NodeGroup).min(1).optional(),
    fromTrace: z
      .strictObject({
        format: z.enum(["openb-nodes", "k8s", "swf"]),
        path: z.string().min(1),
        nodeMemory: Memory.optional().meta({
          description: "swf: memory of each node (the SWF header has none; default 4Gi per processor: an assumption)",
        }),
      })
      .optional()
      .meta({
        description:
          "nodes read from a trace: openb node list, Kubernetes Node manifests, or an SWF log's header (MaxNodes nodes of MaxProcs/MaxNodes cores)",
      }),
  })
  .superRefine((c, ctx) => {
    if ((c.nodeGroups === undefined) === (c.fromTrace === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: `expected exactly one of nodeGroups and fromTrace, found ${c.nodeGroups ? "both" : "neither"}`,
      });
    }
  });

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
  arrivedGpuLoads: z.array(positive).default([1, 1.3]).meta({
    description:
      "arrived GPU demand, as a share of the cluster's GPUs, at which GPU allocation and fragmentation are measured (clusters with GPUs)",
  }),
});

/** Cluster-wide hardware parameters; every default cites ../shared/CALIBRATION.md in hardware-models. */
export const Hardware = z.strictObject({
  runtimes: z
    .partialRecord(
      z.enum(["runc", "gvisor", "gvisor-kvm", "kata-qemu", "kata-fc", "firecracker", "wasm"]),
      z.strictObject({
        startMedian: Duration.optional().meta({ description: "the sandbox's own start (not the engine's)" }),
        startSigma: nonNegative.optional(),
        memoryOverhead: Memory.optional(),
        computeSlowdown: z.number().min(1).optional(),
        syscallUs: nonNegative.optional().meta({ description: "cost of one system call, microseconds" }),
        snapshotRestore: Duration.optional(),
      }),
    )
    .optional()
    .meta({
      description:
        "overrides of the sandbox runtime catalogue (system-call cost applies to tasks that state a system-call rate: `syscalls`)",
    }),
  containerEngine: z
    .strictObject({
      start: Duration.default(1.13).meta({
        description:
          "the engine's median part of every cold start (default 1.13 s: a whole container start through Docker, 1.1-1.2 s in gVisor's startup.csv, less runc's own ~20 ms); 0 for a platform without an engine",
      }),
      startSigma: nonNegative.default(0.1).meta({ description: "its log-normal spread (an assumption)" }),
    })
    .optional()
    .meta({ description: "the container engine's part of cold starts, the same for every runtime" }),
  cxl: z
    .strictObject({
      localLatencyNs: positive.optional(),
      cxlLatencyNs: positive.optional(),
      touchedFraction: probability.optional().meta({
        description:
          "share of a task's pooled memory it touches (default 0.75: Pond's ~50% of VMs never touching 50% of their memory)",
      }),
    })
    .optional()
    .meta({ description: "CXL latencies (pool bandwidth is not modelled)" }),
  warmPool: z
    .strictObject({
      policy: z.enum(["fixed", "hybrid-histogram"]).default("fixed").meta({
        description:
          "fixed: keep each sandbox warm for keepAlive after its invocation; hybrid-histogram: Serverless in the Wild's per-app pre-warm and keep-alive windows from a 4-hour histogram of idle times",
      }),
      keepAlive: Duration.optional().meta({
        description: "the fixed policy's keep-alive (default 600 s; AWS keeps 10 min, Azure 20 min)",
      }),
    })
    .refine((w) => w.policy === "fixed" || w.keepAlive === undefined, {
      message: "keepAlive is the fixed policy's; the hybrid histogram sets its own windows",
      path: ["keepAlive"],
    })
    .optional()
    .meta({
      description:
        "keep invocations' sandboxes warm on their nodes, holding their memory: the next invocation of the app is routed there (a warm start)",
    }),
});

/**
 * What a run may cost, checked before it starts: every node is held in memory, every generated task
 * is simulated, every time-series row is written. Beyond these a run would take hours or fill a disk;
 * the message names the field and the figure.
 */
export const LIMITS = { nodes: 1_000_000, generatedTasks: 100_000_000, timeseriesRows: 10_000_000 };

const fmt = (x: number) => Math.round(x).toLocaleString("en");

function checkCost(s: z.output<typeof ScenarioFields>, ctx: z.RefinementCtx): void {
  const groups = s.cluster.nodeGroups ?? [];
  const nodes = groups.reduce((n, g) => n + (g.maxCount ?? g.count), 0);
  if (nodes > LIMITS.nodes) {
    ctx.addIssue({
      code: "custom",
      path: ["cluster", "nodeGroups"],
      message: `expected at most ${fmt(LIMITS.nodes)} nodes in all (a run holds every node in memory), found ${fmt(nodes)}`,
    });
  }
  s.workloads.forEach((w, i) => {
    const peak =
      w.type === "poisson" ? w.ratePerS : w.type === "mmpp" ? Math.max(...w.states.map((x) => x.ratePerS)) : 0;
    const tasks = peak * s.duration;
    if (tasks > LIMITS.generatedTasks) {
      ctx.addIssue({
        code: "custom",
        path: ["workloads", i, w.type === "poisson" ? "ratePerS" : "states"],
        message: `expected at most ${fmt(LIMITS.generatedTasks)} tasks over the ${fmt(s.duration)} s run, found a rate of ${peak}/s (about ${fmt(tasks)} tasks)`,
      });
    }
  });
  const rows = (s.duration / s.outputs.timeseriesInterval) * (groups.length + 1);
  if (rows > LIMITS.timeseriesRows) {
    ctx.addIssue({
      code: "custom",
      path: ["outputs", "timeseriesInterval"],
      message: `expected at most ${fmt(LIMITS.timeseriesRows)} time-series rows, found an interval of ${s.outputs.timeseriesInterval} s (${fmt(rows)} rows over the run)`,
    });
  }
}

const ScenarioFields = z.strictObject({
  name: SafeName.optional(),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().default(1),
  duration: PositiveDuration.meta({ description: "simulated horizon" }),
  cluster: Cluster,
  hardware: Hardware.optional(),
  workloads: z.array(Workload).default([]),
  colocation: z
    .strictObject({
      enabled: z.boolean().default(true),
      cpuReclaimPercent: z.number().gt(0).max(100).default(60),
      memoryReclaimPercent: z.number().gt(0).max(100).default(65),
      cpuSuppressPercent: z.number().gt(0).max(100).default(65),
      interference: z.number().nonnegative().default(0.1).meta({
        description:
          "online requests slow by 1 + this × their node's CPU usage share (default 0.1: an assumption, under 5% from 10% to 40% usage)",
      }),
    })
    .optional()
    .meta({
      description:
        "Koordinator-style co-location: batch workloads (qos: batch) on reclaimed room, suppressed when online usage rises (defaults: Koordinator's)",
    }),
  serviceTick: PositiveDuration.default(1).meta({
    description: "the services' traffic tick: latency, usage and objectives are computed per tick",
  }),
  services: z
    .array(Service)
    .default([])
    .meta({ description: "long-running services: replicas, traffic, latency, autoscaling" }),
  scheduler: Scheduler,
  autoscalers: z.array(Autoscaler).default([]),
  faults: z.array(Fault).default([]),
  controllers: z.array(ControllerSpec).default([]),
  outputs: Outputs.default({
    tasks: true,
    timeseriesInterval: 60,
    replay: false,
    decisions: false,
    arrivedGpuLoads: [1, 1.3],
  }),
});

/** Whether a value is absent or an empty list (a scenario's workloads or services, parsed or not). */
const emptyList = (x: unknown) => x === undefined || (Array.isArray(x) && x.length === 0);

export const Scenario = ScenarioFields.refine((s) => !(emptyList(s.workloads) && emptyList(s.services)), {
  path: ["workloads"],
  message: "expected at least one workload or service, found none",
  // Checked even when other fields are wrong, so that every problem is reported at once.
  when: (p) => {
    const v = p.value as { workloads?: unknown; services?: unknown } | undefined;
    return typeof v === "object" && v !== null && emptyList(v.workloads) && emptyList(v.services);
  },
}).superRefine((s, ctx) => {
  servicesProblems(s.services, ctx);
  checkCost(s, ctx);
});

export type ScenarioSpec = z.output<typeof Scenario>;
export type WorkloadSpec = z.output<typeof Workload>;
export type TransformSpec = z.output<typeof Transform>;
export type RateSpecInput = z.output<typeof RateSpec>;

/** The scenario's JSON Schema, for editors (input side: what a file may contain). */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(Scenario, { io: "input", unrepresentable: "any" });
}
