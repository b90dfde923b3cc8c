import { DPUS, type DpuSpec } from "@clustersim/hardware-models";
import { z } from "zod";
import { nonNegative, positive, probability } from "./numbers.js";
import { Cpu, Duration, Memory } from "./units.js";
import { durationOrDist } from "./workload-schema.js";

/** The cluster of a scenario file: node groups (or a node list from a trace) and their hardware. */

const DpuModel = z.enum(["bluefield-2", "bluefield-3"]);

/** A catalogue model with its own power and price (defaults and their sources in hardware-models dpu.ts DPUS). */
const DpuCard = z
  .strictObject({
    model: DpuModel,
    idleW: nonNegative.optional().meta({
      description:
        "watts the card draws while its node is up and it carries no traffic (default: a third of maxW, an assumption)",
    }),
    maxW: nonNegative.optional().meta({
      description:
        "watts at full load, its traffic at its line rate; linear in between (default: NVIDIA's power budget taken as the draw, 75 W BlueField-2, 150 W BlueField-3)",
    }),
    pricePerHour: nonNegative.optional().meta({
      description:
        "money per hour the card exists, added to the node group's price.perNodeHour (default 0.07, an assumption: about 2,500 over 4 years)",
    }),
  })
  .superRefine((d, ctx) => {
    const { idleW, maxW } = dpuOf(d);
    if (idleW > maxW)
      ctx.addIssue({
        code: "custom",
        path: ["idleW"],
        message: `expected idleW (${idleW} W) at most maxW (${maxW} W)`,
      });
  });

/** A node group's DPU: a catalogue model, or one with its own power and price. */
export const Dpu = z.union([DpuModel, DpuCard]);

/** The catalogue's DPU for a node group's `dpu`, with the group's own power and price where given. */
export function dpuOf(dpu: z.output<typeof Dpu>): DpuSpec {
  if (typeof dpu === "string") return DPUS[dpu];
  const base = DPUS[dpu.model];
  const maxW = dpu.maxW ?? base.maxW;
  // Without its own idle figure, a card keeps the catalogue's idle share of its maximum (a third [U]).
  const idleW = dpu.idleW ?? (base.maxW > 0 ? (base.idleW / base.maxW) * maxW : base.idleW);
  return { ...base, idleW, maxW, pricePerHour: dpu.pricePerHour ?? base.pricePerHour };
}

/** Per node group hardware: DPU, CXL pool membership, power and price. Defaults and sources in hardware-models. */
const NodeHardware = {
  // "none" says in a sweep's variant or a --set what leaving the field out says in a file.
  dpu: z
    .union([z.enum(["none", ...DpuModel.options]), DpuCard])
    .optional()
    .transform((d) => (d === "none" ? undefined : d))
    .meta({
      description:
        "a DPU per node: infrastructure work leaves the host cores; the card draws power while its node is up and costs per hour (a model name, or { model, idleW, maxW, pricePerHour }; none: no DPU, as when left out)",
    }),
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
      imageCache: z.boolean().default(false).meta({
        description:
          "replicas start from a cached image (Alibaba ECI's image cache), skipping their image pull; off by default: they pull it as on a node",
      }),
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
    if (typeof g.dpu === "object" && g.dpu.pricePerHour !== undefined && !g.price) {
      ctx.addIssue({
        code: "custom",
        path: ["dpu", "pricePerHour"],
        message:
          "expected a node price (price.perNodeHour) for the DPU's price to add to, found none: give the group a price or drop dpu.pricePerHour",
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
