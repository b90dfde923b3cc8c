/**
 * How the services' controller (./services-controller.ts) sets up the call graphs it simulates exactly
 * (every service of a connected graph per request, ./service-config.ts's perRequestGraphs): one
 * RequestGraph each (./latency/request-graph.ts), and each of its services a GraphMember, the latency
 * model the controller ticks. Apart from the controller because it is done once, as the run starts.
 */
import type { Rng } from "@clustersim/sim-core";
import { GraphMember } from "./latency/graph-member.js";
import type { LatencyParams } from "./latency/latency-model.js";
import { RequestGraph } from "./latency/request-graph.js";
import { perRequestGraphs, type ServiceConfig } from "./service-config.js";

/** A request graph and its services' indices among the run's. */
export interface WiredGraph {
  graph: RequestGraph;
  services: readonly number[];
}

/** A service's service-time draws, from the stream given. */
export const serviceTimeDraw = (s: ServiceConfig) => (r: Rng) => s.serviceTime.sample(r);

/**
 * The run's exact request graphs, and per service its place in one (undefined: in none). Each service's
 * requests draw from its stream `rngOf(name)`, taken graph by graph in the order of perRequestGraphs.
 */
export function wireRequestGraphs(
  services: readonly ServiceConfig[],
  params: readonly LatencyParams[],
  rngOf: (name: string) => Rng,
): { graphs: WiredGraph[]; members: (GraphMember | undefined)[] } {
  const graphs: WiredGraph[] = [];
  const members: (GraphMember | undefined)[] = services.map(() => undefined);
  for (const g of perRequestGraphs(services)) {
    const graph = new RequestGraph(
      g.map((i) => {
        const s = services[i];
        const rng = rngOf(`${s.name}/requests`);
        return { name: s.name, params: params[i], rng, serviceTimeS: serviceTimeDraw(s), calls: s.calls };
      }),
    );
    graphs.push({ graph, services: g });
    g.forEach((i, k) => {
      members[i] = new GraphMember(graph, k);
    });
  }
  return { graphs, members };
}
