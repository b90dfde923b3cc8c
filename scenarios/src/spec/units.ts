import { z } from "zod";
import { cpuMilli, memoryMiB } from "../units/quantity.js";
import { parseDuration } from "../units/duration.js";

/** Zod types for the units researchers write: durations, CPU and memory quantities. */

/** "90s", "2h", "1h30m" or a number of seconds → seconds. */
export const Duration = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const s = parseDuration(v);
    if (Number.isNaN(s)) ctx.addIssue({ code: "custom", message: `expected a duration like 90s, 2h or 1h30m (or seconds), found ${JSON.stringify(v)}` });
    return s;
  })
  .meta({ description: "duration: a number of seconds or text like 500ms, 90s, 10m, 2h, 1d, 1h30m" });

/** "500m", "2", 4 → millicores. */
export const Cpu = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const m = cpuMilli(v);
    if (!(m >= 0)) ctx.addIssue({ code: "custom", message: `expected a CPU quantity like 500m, 2 or 0.5, found ${JSON.stringify(v)}` });
    return m;
  })
  .meta({ description: "CPU as a Kubernetes quantity: 500m, 2, 0.5 (cores)" });

/** "2Gi", "512Mi", "1G" → MiB. A bare number is taken as bytes, as in Kubernetes. */
export const Memory = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const m = memoryMiB(v);
    if (!(m >= 0)) ctx.addIssue({ code: "custom", message: `expected a memory quantity like 512Mi, 2Gi or 1G, found ${JSON.stringify(v)}` });
    return m;
  })
  .meta({ description: "memory as a Kubernetes quantity: 512Mi, 2Gi, 1G (a bare number is bytes)" });
