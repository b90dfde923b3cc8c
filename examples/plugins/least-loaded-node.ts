/**
 * An example user strategy, loaded from a scenario by `scheduler: { name: least-loaded-node, plugin:
 * ../plugins/least-loaded-node.ts }`. It places each task on the feasible node with the fewest running
 * placements, ties to the lowest index: a spreading policy in a few lines.
 *
 * A plugin file exports `strategy`: a name, a zod schema for its parameters (optional) and `create`,
 * which returns a PlacementStrategy (see schedulers/src/framework/types.ts).
 */

import type { ClusterView } from "@clustersim/hardware-models";
import type { Decision, PlacementStrategy, Pod, StrategyContext } from "@clustersim/schedulers";
import { z } from "zod";

const Params = z.strictObject({ maxPerNode: z.number().int().positive().default(1_000_000) });

export const strategy = {
  name: "least-loaded-node",
  summary: "feasible node with the fewest running placements",
  params: Params,
  create(params: z.output<typeof Params>, _ctx: StrategyContext): PlacementStrategy {
    const running: number[] = [];
    return {
      name: "least-loaded-node",
      decide(view: ClusterView, pod: Pod): Decision | null {
        let best = -1;
        for (let node = 0; node < view.nodeCount; node++) {
          const load = running[node] ?? 0;
          if (load >= params.maxPerNode || !view.fits(node, pod)) continue;
          if (best < 0 || load < (running[best] ?? 0)) best = node;
        }
        return best < 0 ? null : { node: best };
      },
      bound: (_view, _pod, d) => void (running[d.node] = (running[d.node] ?? 0) + 1),
      released: (_view, _pod, node) => void (running[node] -= 1),
    };
  },
};
