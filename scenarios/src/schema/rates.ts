import { z } from "zod";
import { nonNegative, probability } from "./numbers.js";
import { Duration, PositiveDuration } from "./units.js";

/**
 * A piecewise rate's points, [time, rate per second], in time order (two at one time make a step).
 * Out of order they would be read as another curve: refused with the point.
 */
const Points = z
  .array(z.tuple([Duration, nonNegative]))
  .min(1)
  .superRefine((points, ctx) => {
    for (let i = 1; i < points.length; i++) {
      if (points[i][0] >= points[i - 1][0]) continue;
      ctx.addIssue({
        code: "custom",
        path: [i, 0],
        message: `expected times in order (a step repeats a time), found ${points[i][0]} s after ${points[i - 1][0]} s`,
      });
    }
  });

/** Arrival-rate curves as scenario files write them (components multiply; workloads/src/generators/rate-curves.ts). */
export const RateSpec = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("constant"), ratePerS: nonNegative }),
  z.strictObject({
    type: z.literal("diurnal"),
    meanRatePerS: nonNegative,
    amplitude: probability,
    period: PositiveDuration.default(86400),
    peakAt: Duration.default(14 * 3600),
  }),
  z.strictObject({ type: z.literal("piecewise"), points: Points }),
  z.strictObject({
    type: z.literal("surge"),
    at: Duration,
    multiplier: z.number().min(1),
    initialFraction: probability.default(1),
    peakAfter: Duration.default(0),
    decay: Duration,
  }),
]);
