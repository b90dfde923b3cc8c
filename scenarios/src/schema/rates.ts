import { z } from "zod";
import { Duration, PositiveDuration } from "./units.js";

const nonNegative = z.number().nonnegative();
const probability = z.number().min(0).max(1);

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
  z.strictObject({ type: z.literal("piecewise"), points: z.array(z.tuple([Duration, nonNegative])).min(1) }),
  z.strictObject({
    type: z.literal("surge"),
    at: Duration,
    multiplier: z.number().min(1),
    initialFraction: probability.default(1),
    peakAfter: Duration.default(0),
    decay: Duration,
  }),
]);
