import { RandomStreams } from "@clustersim/sim-core";
import { type FgdData, sampleArrivals } from "../protocols/fgd-data.js";
import { PackingEnv, type PackingEpisode } from "./packing-env.js";

/**
 * One episode of FGD's protocol for a seed, as the reproduction runs it (../protocols/fgd-run.ts, runFgdOnce):
 * the nodes in a seeded order and the pods sampled until `load`. With `nodesPerEpisode` > 0 the
 * cluster is that many nodes drawn from the list first (a smaller cluster of the same mix: training
 * episodes short enough to learn from), and the pods are sampled for its GPUs.
 */
export function fgdEpisode(d: FgdData, load: number, nodesPerEpisode: number, seed: number): PackingEpisode {
  const streams = new RandomStreams(seed);
  let list = d.nodes;
  if (nodesPerEpisode > 0 && nodesPerEpisode < d.nodes.length) {
    list = streams
      .get("episode-nodes")
      .shuffle([...d.nodes])
      .slice(0, nodesPerEpisode);
    if (!list.some((n) => (n.gpus ?? 0) > 0)) list = [...list.slice(1), d.nodes.find((n) => (n.gpus ?? 0) > 0)!];
  }
  const nodes = streams.get("node-order").shuffle([...list]);
  const gpus = nodes.reduce((s, n) => s + (n.gpus ?? 0), 0);
  return { nodes, pods: sampleArrivals(d.pool, gpus, load, seed) };
}

/** The packing environment of FGD's protocol over the data. */
export function fgdPackingEnv(d: FgdData, load: number, nodesPerEpisode: number): PackingEnv {
  return new PackingEnv({ typical: d.typical, episode: (seed) => fgdEpisode(d, load, nodesPerEpisode, seed) });
}
