import type { Controller } from "@clustersim/engine";
import { z } from "zod";

/**
 * A scheduled pre-scaler: peaks known in advance (a sale, a broadcast) each need enough replicas for
 * their forecast rate. `lead` seconds before a peak it raises the service's minimum to
 * ceil(rate ÷ perReplica), so that the replicas are ready when the traffic comes, and puts the minimum
 * back when the peak ends; the service's own autoscaler does the rest.
 */
const Params = z.strictObject({
  service: z.string(),
  perReplica: z.number().positive(),
  lead: z.number().nonnegative().default(300),
  peaks: z.array(z.strictObject({ from: z.number().nonnegative(), to: z.number().positive(), ratePerS: z.number() })),
});

export const controller = {
  name: "pre-scaler",
  params: Params,
  create(p: z.output<typeof Params>): Controller {
    return {
      name: "pre-scaler",
      start(ctx) {
        const service = ctx.service(p.service);
        if (!service) {
          const names = ctx.services.map((s) => s.name).join(", ");
          throw new Error(`no service "${p.service}" in this run (services: ${names || "none"})`);
        }
        const usual = service.minReplicas;
        for (const peak of p.peaks) {
          const needed = Math.min(service.maxReplicas, Math.ceil(peak.ratePerS / p.perReplica));
          ctx.at(Math.max(0, peak.from - p.lead), () => service.setBounds(needed, service.maxReplicas));
          ctx.at(peak.to, () => service.setBounds(usual, service.maxReplicas));
        }
      },
    };
  },
};
