import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import { loadYamlFile, SafeName } from "@clustersim/scenarios";
import { z } from "zod";

/**
 * A sweep file: scenarios × schedulers × parameter values × seeds, with a baseline scheduler for the
 * paired comparisons. Paths are relative to the sweep file.
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

export const Sweep = z
  .strictObject({
    name: SafeName.optional(),
    scenarios: z.array(z.string().min(1)).min(1),
    schedulers: z.array(SchedulerEntry).min(1),
    parameters: z
      .record(z.string().min(1), z.array(z.unknown()).min(1))
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
        z.array(z.number().int().nonnegative()).min(1).max(100_000),
      ])
      .default([1, 2, 3]),
    baseline: z
      .string()
      .optional()
      .meta({ description: "scheduler label the others are compared with (default: the first)" }),
    metrics: z
      .array(z.string())
      .optional()
      .meta({ description: "summary metrics to report (default: every numeric one)" }),
  })
  .superRefine((s, ctx) => {
    const labels = s.schedulers.map((x) => x.label);
    const dup = labels.find((l, i) => labels.indexOf(l) !== i);
    if (dup)
      ctx.addIssue({
        code: "custom",
        path: ["schedulers"],
        message: `expected distinct scheduler labels (give \`label\` to tell apart two entries of one name), found "${dup}" twice`,
      });
    if (s.baseline !== undefined && !labels.includes(s.baseline))
      ctx.addIssue({
        code: "custom",
        path: ["baseline"],
        message: `expected one of the schedulers' labels (${labels.join(", ")}), found "${s.baseline}"`,
      });
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

/** The cartesian product, in a fixed order: scenario, parameter values, scheduler, seed. */
export function expandSweep(spec: SweepSpec, file: string): SweepRun[] {
  const base = dirname(resolve(file));
  const paths = Object.keys(spec.parameters);
  let combos: Record<string, unknown>[] = [{}];
  for (const p of paths) combos = combos.flatMap((c) => spec.parameters[p].map((v) => ({ ...c, [p]: v })));
  const runs: SweepRun[] = [];
  for (const scenario of spec.scenarios) {
    for (const params of combos) {
      for (const s of spec.schedulers) {
        for (const seed of spec.seeds) {
          const scheduler = { name: s.name, params: s.params, ...(s.plugin && { plugin: resolve(base, s.plugin) }) };
          const overrides = [
            `scheduler=${JSON.stringify(scheduler)}`,
            ...Object.entries(params).map(([p, v]) => `${p}=${JSON.stringify(v)}`),
          ];
          const key = JSON.stringify({
            scenario,
            scheduler: s.label,
            name: s.name,
            params: s.params,
            plugin: s.plugin,
            parameters: params,
            seed,
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
