import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { RandomStreams } from "@clustersim/sim-core";
import type { DistSpec, RateSpec, Task } from "@clustersim/workloads";
import {
  applyTransforms,
  functionsWorkload,
  mergeByArrival,
  mmppWorkload,
  rateCurveWorkload,
  type TaskTemplate,
  type Transform,
  traceTasks,
} from "@clustersim/workloads";
import type { z } from "zod";
import { fileFields } from "../schema/file-fields.js";
import type {
  RateSpec as RateSpecSchema,
  ScenarioSpec,
  TaskTemplate as TemplateSchema,
  Transform as TransformSchema,
  WorkloadSpec,
} from "../schema/schema.js";

/**
 * From a validated scenario to its workload: one task stream per listed source, transformed, merged
 * in arrival order, tasks numbered. Sources draw from streams named after them (`name` or `w<index>`),
 * so adding a workload never changes another's tasks.
 */
export interface ComposeOptions {
  /** Directory that relative trace paths are resolved against (the scenario file's). */
  baseDir: string;
  /** Overrides the scenario's seed. */
  seed?: number;
}

export function workloadName(w: WorkloadSpec, index: number): string {
  return w.name ?? `w${index}`;
}

export function resolveTracePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

const template = (t: z.output<typeof TemplateSchema>): TaskTemplate => ({
  runS: t.run as DistSpec,
  cpuMilli: t.cpu as DistSpec,
  memoryMiB: t.memory as DistSpec,
  gpus: t.gpus as DistSpec | undefined,
  gpuMilli: t.gpuMilli as DistSpec | undefined,
  procs: t.procs as DistSpec | undefined,
  nicGbps: t.nicGbps as DistSpec | undefined,
  syscallsPerCpuS: t.syscalls as DistSpec | undefined,
  priority: t.priority,
  runtime: t.runtime,
  app: t.app,
  tolerations: t.tolerations,
  nodeSelector: t.nodeSelector,
});

export const rateSpec = (r: z.output<typeof RateSpecSchema>): RateSpec => {
  switch (r.type) {
    case "constant":
      return r;
    case "diurnal":
      return {
        type: "diurnal",
        meanRatePerS: r.meanRatePerS,
        amplitude: r.amplitude,
        periodS: r.period,
        peakAtS: r.peakAt,
      };
    case "piecewise":
      return { type: "piecewise", points: r.points };
    case "surge":
      return {
        type: "surge",
        atS: r.at,
        multiplier: r.multiplier,
        initialFraction: r.initialFraction,
        peakAfterS: r.peakAfter,
        decayS: r.decay,
      };
  }
};

const transform = (t: z.output<typeof TransformSchema>): Transform => {
  switch (t.type) {
    case "window":
      return { type: "window", fromS: t.from, toS: t.to, fromIndex: t.fromIndex, count: t.count, rebase: t.rebase };
    case "sample":
      return { type: "sample", until: t.until, spacingS: t.spacing };
    default:
      return t;
  }
};

function source(
  w: WorkloadSpec,
  name: string,
  streams: RandomStreams,
  horizonS: number,
  baseDir: string,
): AsyncIterable<Task> | Iterable<Task> {
  const window = { startS: 0, endS: horizonS };
  switch (w.type) {
    case "trace":
      return traceTasks(w.format, resolveTracePath(w.path, baseDir), {
        onBadLine: w.onBadLine,
        streams,
        streamName: `${name}/trace`,
        machine: w.machine ? { cpuMilli: w.machine.cpu, memoryMiB: w.machine.memory } : undefined,
      });
    case "poisson":
      return rateCurveWorkload(name, [{ type: "constant", ratePerS: w.ratePerS }], template(w.task), streams, window);
    case "rate-curve":
      return rateCurveWorkload(name, w.rate.map(rateSpec), template(w.task), streams, window);
    case "mmpp":
      return mmppWorkload(
        name,
        w.states.map((s) => ({ ratePerS: s.ratePerS, meanDurationS: s.meanDuration })),
        w.transitions,
        template(w.task),
        streams,
        window,
      );
    case "functions":
      return functionsWorkload(
        name,
        {
          functions: w.functions,
          cpuMilli: w.cpu,
          scaleToInvocationsPerS: w.scaleToInvocationsPerS,
          rate: w.rate?.map(rateSpec),
          runtime: w.runtime,
          syscallsPerCpuS: w.syscalls,
        },
        streams,
        window,
      );
  }
}

/**
 * The source's tasks, asynchronously, each tagged with its workload's name and, for a best-effort
 * batch workload, its QoS, and for a trace given one, its runtime (fresh objects: tagged in place).
 */
async function* tagged(
  src: AsyncIterable<Task> | Iterable<Task>,
  workload: string,
  qos: Task["qos"],
  runtime: string | undefined,
): AsyncGenerator<Task> {
  for await (const t of src) {
    t.workload = workload;
    if (qos) t.qos = qos;
    if (runtime !== undefined) t.runtime = runtime;
    yield t;
  }
}

/** The scenario's merged task stream, ids from 0 in arrival order. */
export function composeWorkload(spec: ScenarioSpec, options: ComposeOptions): AsyncGenerator<Task> {
  const streams = new RandomStreams(options.seed ?? spec.seed);
  const sources = spec.workloads.map((w, i) => {
    const name = workloadName(w, i);
    const runtime = w.type === "trace" ? w.runtime : undefined;
    const tasks = tagged(source(w, name, streams, spec.duration, options.baseDir), name, w.qos, runtime);
    return applyTransforms(tasks, w.transforms.map(transform), (k) => streams.get(`${name}/transform-${k}`));
  });
  return mergeByArrival(sources);
}

/** Files a scenario refers to that do not exist, as messages. */
export function missingFiles(spec: ScenarioSpec, file: string): string[] {
  const baseDir = dirname(file);
  return fileFields(spec)
    .filter((f) => !existsSync(resolveTracePath(f.path, baseDir)))
    .map(
      (f) => `${file}: ${f.field}: expected an existing file, found nothing at ${resolveTracePath(f.path, baseDir)}`,
    );
}
