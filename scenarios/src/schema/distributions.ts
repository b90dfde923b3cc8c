import { z } from "zod";

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();

/**
 * A distribution whose location and scale parameters are quantities of type `q` (parsed into the
 * field's base unit: millicores, MiB or seconds). Shape parameters are plain numbers. A log-normal takes
 * `mu` (the log of the base unit) or, clearer, its `median` as a quantity.
 */
export function distOf<Q extends z.ZodType<number, unknown>>(q: Q) {
  return z.discriminatedUnion("dist", [
    z.strictObject({ dist: z.literal("constant"), value: q }),
    z
      .strictObject({ dist: z.literal("uniform"), min: q, max: q })
      .refine((d) => (d as { min: number; max: number }).min <= (d as { min: number; max: number }).max, {
        path: ["max"],
        error: (i) => {
          const d = i.input as { min: number; max: number };
          return `expected max ≥ min (${d.min}), found ${d.max}`;
        },
      }),
    z.strictObject({ dist: z.literal("exponential"), mean: q }),
    z.strictObject({ dist: z.literal("normal"), mean: q, sd: q }),
    z
      .strictObject({
        dist: z.literal("lognormal"),
        mu: z.number().optional(),
        median: q.optional(),
        sigma: nonNegative,
      })
      .superRefine((d, ctx) => {
        if ((d.mu === undefined) === (d.median === undefined)) {
          ctx.addIssue({ code: "custom", message: "expected exactly one of mu and median" });
        }
      })
      .transform((d) => ({ dist: d.dist, mu: d.mu ?? Math.log(d.median as number), sigma: d.sigma })),
    z.strictObject({ dist: z.literal("pareto"), xm: q, alpha: positive }),
    z.strictObject({ dist: z.literal("weibull"), shape: positive, scale: q }),
    z.strictObject({ dist: z.literal("burr"), c: positive, k: positive, scale: q.optional() }),
    z.strictObject({
      dist: z.literal("empirical"),
      values: z.array(q).min(1),
      mode: z.enum(["resample", "interpolate"]).default("resample"),
    }),
  ]);
}
