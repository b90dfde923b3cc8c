import { cpuMilli, memoryMiB, parseDuration } from "@clustersim/workloads";
import { z } from "zod";

/** Zod types for the units researchers write: durations, CPU and memory quantities. */

/** A number or text, converted by `parse`; NaN or a negative result is reported with `expected`. */
function unit(parse: (v: string | number) => number, expected: string, description: string) {
  return z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const x = parse(v);
      if (!(x >= 0)) ctx.addIssue({ code: "custom", message: `expected ${expected}, found ${JSON.stringify(v)}` });
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

/** "2Gi", "512Mi", "1G" → MiB. A bare number is taken as bytes, as in Kubernetes. */
export const Memory = unit(
  memoryMiB,
  "a memory quantity like 512Mi, 2Gi or 1G",
  "memory as a Kubernetes quantity: 512Mi, 2Gi, 1G (a bare number is bytes)",
);
