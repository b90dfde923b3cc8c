import { basename, dirname, resolve } from "node:path";
import { type RlCheckpoint, resolveCheckpointPath } from "@clustersim/rl";
import { BATCH_POLICIES } from "@clustersim/schedulers";
import { UserError } from "../errors.js";

// eval-rl's agents: their names in the figures, and which checkpoints may pool as seeds of one agent.

/**
 * Agents are named by file ("agent" for agent.json); where two share a name (seeds' agent.json files in
 * folders of their own), each is named by its folder too, and two that still share one are refused.
 */
export function uniqueNames<A extends { file: string; name: string }>(agents: A[]): A[] {
  const count = (xs: A[], n: string) => xs.filter((x) => x.name === n).length;
  const named = agents.map((a) =>
    count(agents, a.name) > 1 ? { ...a, name: `${basename(dirname(resolve(a.file)))}/${a.name}` } : a,
  );
  for (const a of named) {
    if (count(named, a.name) > 1)
      throw new UserError(
        `expected checkpoints of distinct names, found ${a.name} twice (${a.file}): copy one under another name`,
      );
    if (HEURISTICS.includes(a.name))
      throw new UserError(
        `${a.file}: an agent named "${a.name}" would be read as the heuristic of that name: copy it under another name`,
      );
  }
  return named;
}

/** The heuristics' names in the figures (and the random policy's), which no agent or pool may take. */
const HEURISTICS: readonly string[] = [...BATCH_POLICIES, "random"];

/**
 * `--pool NAME`: the queue checkpoints must be one training run with different seeds (the same
 * environment, split and settings but `train.seed`, and no seed twice), or the pool mixes agents.
 */
export function checkPool(name: string, agents: { file: string; name: string; checkpoint: RlCheckpoint }[]): void {
  if (!/^[\w.-]+$/.test(name))
    throw new UserError(`--pool: expected a name of letters, digits, '.', '_' or '-', found "${name}"`);
  if (HEURISTICS.includes(name) || agents.some((a) => a.name === name))
    throw new UserError(`--pool: expected a name no heuristic or agent has, found "${name}"`);
  if (agents.length < 2)
    throw new UserError(
      `--pool: pools training seeds of one agent: expected 2 or more queue checkpoints, found ${agents.length}`,
    );
  const training = (a: (typeof agents)[number]) => {
    const { seed: _, ...train } = a.checkpoint.train as unknown as Record<string, unknown>;
    const env = { ...a.checkpoint.env, trace: resolveCheckpointPath(a.file, a.checkpoint.env.trace) };
    return JSON.stringify({ env, train, normalisers: a.checkpoint.normalisers });
  };
  const seeds = new Map<number, string>();
  for (const a of agents) {
    if (training(a) !== training(agents[0]!))
      throw new UserError(
        `--pool: expected training seeds of one agent, found ${a.file} trained with another environment or other settings than ${agents[0]!.file} (only train.seed may differ)`,
      );
    const seed = (a.checkpoint.train as unknown as { seed: number }).seed;
    const twice = seeds.get(seed);
    if (twice !== undefined)
      throw new UserError(`--pool: expected distinct training seeds, found seed ${seed} in ${twice} and ${a.file}`);
    seeds.set(seed, a.file);
  }
}
