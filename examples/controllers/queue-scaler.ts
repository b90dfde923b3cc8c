import type { Controller } from "@clustersim/engine";
import { z } from "zod";

/**
 * A user controller: scale a node group on the queue. Every `periodS` it orders one node per
 * `waitingPerNode` waiting tasks (up in `provisionS`), and removes one empty node when nothing waits.
 */
const Params = z.strictObject({
  group: z.string(),
  periodS: z.number().positive().default(30),
  waitingPerNode: z.number().positive().default(4),
  provisionS: z.number().nonnegative().default(60),
});

export const controller = {
  name: "queue-scaler",
  params: Params,
  create(p: z.output<typeof Params>): Controller {
    let ordered = 0; // nodes on their way, not up yet
    return {
      name: "queue-scaler",
      start(ctx) {
        ctx.every(p.periodS, () => {
          const more = Math.ceil(ctx.waiting / p.waitingPerNode) - ordered;
          if (more > 0) {
            ordered += more;
            ctx.after(p.provisionS, () => {
              ctx.addNodes(p.group, more);
              ordered -= more;
            });
          } else if (ctx.waiting === 0 && ordered === 0) ctx.removeNodes(p.group, 1);
        });
      },
    };
  },
};
