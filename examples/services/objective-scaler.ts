import type { ServiceView } from "@clustersim/engine";
import { z } from "zod";

/**
 * A user's autoscaler on the objective itself: when the last tick's objective percentile is over its
 * target (or requests wait), grow by `step`; when it is under `low` × the target with nobody waiting,
 * shrink by one; otherwise hold. The run asks it every sync period and keeps its answer within the
 * service's bounds.
 */
const Params = z.strictObject({
  step: z.number().gt(1).default(1.5),
  low: z.number().gt(0).lt(1).default(0.6),
});

export const autoscaler = {
  name: "objective-scaler",
  params: Params,
  create(p: z.output<typeof Params>) {
    return {
      desired(s: ServiceView): number {
        const n = s.replicas.desired;
        const q = s.latencyQuantileS(s.slo.quantile);
        if (s.queued >= 1 || q > s.slo.targetS) return Math.ceil(n * p.step);
        if (q < p.low * s.slo.targetS) return n - 1;
        return n; // no request served last tick (NaN), or within the band
      },
    };
  },
};
