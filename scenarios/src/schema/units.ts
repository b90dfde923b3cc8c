import { cpuMilli, memoryMiB, parseDuration } from "@clustersim/workloads";
import { z } from "zod";

/** Zod types for the units researchers write: durations, CPU and memory quantities. */

/** A number or text, converted by `parse`; NaN or a negative result is reported with `expected`. */
function unit(parse: (v: string | number) => number, expected: string, description: string) {
  return z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const x = parse(v);
      if (!(x >= 0 && x < Number.POSITIVE_INFINITY))
        ctx.addIssue({ code: "custom", message: `expected ${expected}, found ${JSON.stringify(v)}` });
      return x;
    })
    .meta({ description });
}

/** "90s", "2h", "1h30m" or a number of seconds → seconds. */
export const Duration = unit(
  parseDuration,
  "a duration like 90s, 2h or 1h30m (or seconds)",
  "duration: a number of seconds or text like 500ms, 90s, 10m, 2h, 1d, 1h30m",
);

/** "500m", "2", 4 → millicores. */
export const Cpu = unit(
  cpuMilli,
  "a CPU quantity like 500m, 2 or 0.5",
  "CPU as a Kubernetes quantity: 500m, 2, 0.5 (cores)",
);

/**
 * "2Gi", "512Mi", "1G" → MiB. A bare number would be bytes in Kubernetes, and `memory: 4096` almost
 * always means something else: it is refused (0 aside), with a message saying so.
 */
export const Memory = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === "number" && v !== 0) {
      ctx.addIssue({
        code: "custom",
        message: `expected a memory quantity with a unit like 512Mi, 2Gi or 1G, found ${v} (a bare number would be bytes)`,
      });
      return Number.NaN;
    }
    const x = memoryMiB(v);
    if (!(x >= 0 && x < Number.POSITIVE_INFINITY))
      ctx.addIssue({
        code: "custom",
        message:
          x < 0
            ? `expected a memory quantity ≥ 0, found ${JSON.stringify(v)}`
            : `expected a memory quantity like 512Mi, 2Gi or 1G, found ${JSON.stringify(v)}`,
      });
    return x;
  })
  .meta({ description: "memory as a Kubernetes quantity with a unit: 512Mi, 2Gi, 1G" });

/**
 * A quantity inside a distribution, in the field's base unit (millicores, MiB): text with units
 * ("500m", "2", "4Gi"); a bare number is refused, since `min: 500` could mean cores or millicores.
 */
function quantityInDist(parse: (v: string) => number, example: string) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const x = typeof v === "number" ? Number.NaN : parse(v);
    if (!(x >= 0 && x < Number.POSITIVE_INFINITY)) {
      ctx.addIssue({
        code: "custom",
        message:
          typeof v === "number"
            ? `expected a quantity with its unit, like ${example}, found the bare number ${v}`
            : `expected a quantity like ${example}, found ${JSON.stringify(v)}`,
      });
    }
    return x;
  });
}

/** CPU inside a distribution, to millicores: "500m", "2" (cores). */
export const CpuInDist = quantityInDist(cpuMilli, '500m or "2" (cores)');
/** Memory inside a distribution, to MiB: "512Mi", "2Gi". */
export const MemoryInDist = quantityInDist(memoryMiB, "512Mi or 2Gi");

/** A duration > 0 (a period, a mean time between failures, a sampling interval). */
export const PositiveDuration = Duration.refine((x) => x > 0, { message: "expected a duration > 0" });
