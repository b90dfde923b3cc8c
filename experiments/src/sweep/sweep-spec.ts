import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import { loadYamlFile, SafeName } from "@clustersim/scenarios";
import { z } from "zod";

/**
 * A sweep file: scenarios × variants × parameter values × seeds, with a baseline variant for the paired
 * comparisons. A variant is a scheduler (`schedulers`), or any change to the scenario (`variants`: an
 * autoscaler, a keep-alive policy, a controller, a parameter value), each with a label. Paths are
 * relative to the sweep file.
 */
const SchedulerEntry = z.union([
  z
    .string()
    .min(1)
    .transform((name) => ({
      name,
      params: {} as Record<string, unknown>,
      label: name,
      plugin: undefined as string | undefined,
    })),
  z
    .strictObject({
      name: z.string().min(1),
      params: z.record(z.string(), z.unknown()).default({}),
      label: z.string().min(1).optional(),
      plugin: z.string().min(1).optional().meta({ description: "a user strategy file (relative to the sweep file)" }),
    })
    .transform((s) => ({ name: s.name, params: s.params, label: s.label ?? s.name, plugin: s.plugin })),
]);

/** A variant: a label, and the scheduler and scenario fields it sets (the scenario's own where absent). */
const VariantEntry = z
  .strictObject({
    label: z.string().min(1),
    scheduler: SchedulerEntry.optional(),
    set: z
      .record(z.string().min(1), z.unknown())
      .refine((set) => !("seed" in set), {
        error:
          "expected no seed here: every variant runs on the sweep's `seeds` (paired by seed), so a variant's seed would be ignored",
      })
      .default({})
      .meta({ description: "scenario field path → value for this variant (as --set takes them)" }),
  })
  .transform((v) => ({
    name: v.scheduler?.name,
    params: v.scheduler?.params ?? {},
    label: v.label,
    plugin: v.scheduler?.plugin,
    set: v.set,
  }));

export const Sweep = z
  .strictObject({
    name: SafeName.optional(),
    scenarios: z.array(z.string().min(1)).min(1),
    schedulers: z.array(SchedulerEntry).min(1).optional(),
    variants: z
      .array(VariantEntry)
      .min(1)
      .optional()
      .meta({ description: "what is compared, when it is not only the scheduler (instead of `schedulers`)" }),
    parameters: z
      .record(z.string().min(1), z.array(z.unknown()).min(1))
      .refine((p) => !("seed" in p), {
        error: "expected no seed here: `seeds` gives the sweep's seeds (a seed parameter would be ignored)",
      })
      .default({})
      .meta({ description: "scenario field path → values (all combinations are run)" }),
    seeds: z
      .union([
        z
          .number()
          .int()
          .positive()
          .max(100_000, "expected at most 100,000 seeds (one run each per combination)")
          .transform((n) => Array.from({ length: n }, (_, i) => i + 1)),
        z
          .array(z.number().int().nonnegative())
          .min(1)
          .max(100_000)
          .refine((seeds) => new Set(seeds).size === seeds.length, {
            error: (i) => {
              const seeds = i.input as number[];
              return `expected distinct seeds (a seed twice is one sample counted twice), found ${seeds.find((x, k) => seeds.indexOf(x) !== k)} twice`;
            },
          }),
      ])
      .default([1, 2, 3]),
    baseline: z
      .string()
      .optional()
      .meta({ description: "label of the variant (or scheduler) the others are compared with (default: the first)" }),
    metrics: z
      .array(z.string())
      .min(1, "expected at least one metric (leave `metrics` out for every numeric one)")
      .optional()
      .meta({ description: "summary metrics to report (default: every numeric one)" }),
    practical: z.record(z.string().min(1), z.number().nonnegative()).default({}).meta({
      description:
        "metric → the smallest difference that matters: a paired difference smaller than this is a tie, whatever its interval",
    }),
  })
  .superRefine((s, ctx) => {
    if ((s.schedulers === undefined) === (s.variants === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["variants"],
        message: `expected exactly one of schedulers and variants, found ${s.schedulers ? "both" : "neither"}`,
      });
      return;
    }
    const axis = s.variants ? "variants" : "schedulers";
    const labels = (s.variants ?? s.schedulers ?? []).map((x) => x.label);
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup)
      ctx.addIssue({
        code: "custom",
        path: [axis],
        message: `expected distinct labels (give \`label\` to tell apart two entries of one name), found "${dup}" twice`,
      });
    if (s.baseline !== undefined && !labels.includes(s.baseline))
      ctx.addIssue({
        code: "custom",
        path: ["baseline"],
        message: `expected one of the ${axis}' labels (${labels.join(", ")}), found "${s.baseline}"`,
      });
  })
  .transform((s) => {
    const { variants, schedulers, ...rest } = s;
    const entries = variants ?? (schedulers ?? []).map((x) => ({ ...x, set: {} as Record<string, unknown> }));
    return { ...rest, axis: (variants ? "variant" : "scheduler") as "variant" | "scheduler", schedulers: entries };
  });

export type SweepSpec = z.output<typeof Sweep>;

/** One run of a sweep: everything needed to run it anywhere, and a stable id for resuming. */
export interface SweepRun {
  index: number;
  id: string;
  scenario: string;
  /** The scenario file, absolute. */
  scenarioFile: string;
  scheduler: string;
  parameters: Record<string, unknown>;
  seed: number;
  /** `--set`-style overrides applied to the scenario. */
  overrides: string[];
}

export function loadSweepFile(file: string): SweepSpec {
  return loadYamlFile(file, Sweep, "sweep file");
}

/**
 * The cartesian product, in a fixed order: scenario, parameter values, scheduler, seed. A field
 * `omitted` for a scenario and label (one the scenario does not read: `checkSweepFields`) is left out
 * of those runs' overrides; their ids stay those of the product.
 */
export function expandSweep(spec: SweepSpec, file: string, omitted: readonly Omission[] = []): SweepRun[] {
  const base = dirname(resolve(file));
  const skip = new Set(omitted.map((o) => JSON.stringify([o.field, o.scenario, o.label])));
  const kept = (field: string, scenario: string, label: string) => !skip.has(JSON.stringify([field, scenario, label]));
  const paths = Object.keys(spec.parameters);
  let combos: Record<string, unknown>[] = [{}];
  for (const p of paths) combos = combos.flatMap((c) => spec.parameters[p].map((v) => ({ ...c, [p]: v })));
  const runs: SweepRun[] = [];
  for (const scenario of spec.scenarios) {
    for (const params of combos) {
      for (const [i, s] of spec.schedulers.entries()) {
        for (const seed of spec.seeds) {
          const scheduler = { name: s.name, params: s.params, ...(s.plugin && { plugin: resolve(base, s.plugin) }) };
          const overrides = [
            ...(s.name === undefined ? [] : [`scheduler=${JSON.stringify(scheduler)}`]),
            ...Object.entries(s.set)
              .filter(([p]) => kept(`variants.${i}.set.${p}`, scenario, s.label))
              .map(([p, v]) => `${p}=${JSON.stringify(v)}`),
            ...Object.entries(params)
              .filter(([p]) => kept(`parameters.${p}`, scenario, s.label))
              .map(([p, v]) => `${p}=${JSON.stringify(v)}`),
          ];
          // A scheduler-only entry keys as it always did, so that sweeps saved before variants resume.
          const key = JSON.stringify({
            scenario,
            scheduler: s.label,
            name: s.name,
            params: s.params,
            plugin: s.plugin,
            parameters: params,
            seed,
            ...(Object.keys(s.set).length > 0 && { set: s.set }),
          });
          runs.push({
            index: runs.length,
            id: createHash("sha256").update(key).digest("hex").slice(0, 16),
            scenario,
            scenarioFile: resolve(base, scenario),
            scheduler: s.label,
            parameters: params,
            seed,
            overrides,
          });
        }
      }
    }
  }
  return runs;
}

/** A field a sweep sets that a scenario, under one variant (or scheduler), does not read. */
export interface Omission {
  /** The sweep file's field: `parameters.PATH` or `variants.I.set.PATH`. */
  field: string;
  /** The scenario, as the sweep file names it. */
  scenario: string;
  /** The variant's (or scheduler's) label. */
  label: string;
  /** Why the scenario does not read it (`unreadReason`). */
  reason: string;
}
