import type { NodeShape, Sized } from "./binpacking-estimator.js";

/**
 * The Cluster Autoscaler's expanders (--expander; cluster-autoscaler/expander/, v1.33): given one
 * scale-up option per node group that can help the pending pods, each keeps the options it prefers.
 * A list is a chain, as upstream's factory builds it (expander/factory/chain.go): each expander
 * filters what the previous one kept, the first to leave a single option decides, and ties left at
 * the end are broken at random.
 */
export const EXPANDER_NAMES = ["least-waste", "most-pods", "priority", "random"] as const;
export type ExpanderName = (typeof EXPANDER_NAMES)[number];

/** --expander's default: least-waste since cluster-autoscaler v1.33.0 (random before; config/flags/flags.go, FAQ). */
export const DEFAULT_EXPANDER: readonly ExpanderName[] = ["least-waste"];

/** One node group's scale-up option (upstream's expander.Option). */
export interface ExpansionOption<P extends Sized = Sized> {
  /** The node group's index. */
  group: number;
  /** New nodes the binpacking estimator needs, and the pods they would hold. */
  nodeCount: number;
  pods: readonly P[];
  /** The group's template node. */
  shape: NodeShape;
  /** The group's priority for the priority expander; undefined when it has none. */
  priority?: number;
}

/** Where the random expander and the final tie-break draw from (a seeded stream). */
export interface Draw {
  int(lo: number, hi: number): number;
}

/**
 * Why a chain is not one upstream accepts (expander/factory/expander_factory.go: no expander twice;
 * random decides alone, so nothing may follow it), or undefined.
 */
export function expanderChainProblem(chain: readonly string[]): string | undefined {
  const twice = chain.find((e, i) => chain.indexOf(e) !== i);
  if (twice) return `each expander at most once, found "${twice}" twice`;
  const r = chain.indexOf("random");
  if (r >= 0 && r < chain.length - 1)
    return `random last (it always leaves one option), found it before "${chain[r + 1]}"`;
  return undefined;
}

/** The option the chain picks, or undefined when there is none. */
export function chooseOption<O extends ExpansionOption>(
  options: readonly O[],
  chain: readonly ExpanderName[],
  draw: Draw,
): O | undefined {
  let kept: readonly O[] = options;
  for (const name of chain) {
    kept = keep(name, kept, draw);
    if (kept.length === 1) return kept[0];
  }
  return kept.length === 0 ? undefined : kept[draw.int(0, kept.length - 1)];
}

function keep<O extends ExpansionOption>(name: ExpanderName, options: readonly O[], draw: Draw): readonly O[] {
  if (options.length === 0) return options;
  switch (name) {
    case "least-waste":
      return leastWaste(options);
    case "most-pods":
      return best(options, (o) => o.pods.length);
    case "priority":
      return highestPriority(options);
    case "random":
      return [options[draw.int(0, options.length - 1)]];
  }
}

/** The options of the highest score, ties kept. */
function best<O>(options: readonly O[], score: (o: O) => number): O[] {
  let top = Number.NEGATIVE_INFINITY;
  let kept: O[] = [];
  for (const o of options) {
    const s = score(o);
    if (s > top) {
      top = s;
      kept = [o];
    } else if (s === top) kept.push(o);
  }
  return kept;
}

/**
 * least-waste (expander/waste/waste.go): the share of the new nodes' CPU the option's pods leave
 * idle plus the share of their memory, each of the nodes' total (node count × the template's); the
 * lowest sum wins, and equal sums are kept for the next expander or the random tie-break. (The FAQ
 * says memory breaks CPU ties; the code adds the two, as here.) Upstream reads the nodes' capacity;
 * here allocatable, the same but for overcommit. GPUs are not counted, as upstream.
 */
export function wasteScore(o: ExpansionOption): number {
  let cpu = 0;
  let mem = 0;
  for (const p of o.pods) {
    cpu += p.cpuMilli;
    mem += p.memoryMiB;
  }
  const availCpu = o.shape.cpuMilli * o.nodeCount;
  const availMem = o.shape.memoryMiB * o.nodeCount;
  return (availCpu - cpu) / availCpu + (availMem - mem) / availMem;
}

function leastWaste<O extends ExpansionOption>(options: readonly O[]): O[] {
  return best(options, (o) => -wasteScore(o));
}

/**
 * priority (expander/priority/priority.go): the options of the groups with the highest priority. A
 * group given no priority is left out while any option has one; when none has, all are kept.
 */
function highestPriority<O extends ExpansionOption>(options: readonly O[]): readonly O[] {
  const ranked = options.filter((o) => o.priority !== undefined);
  return ranked.length === 0 ? options : best(ranked, (o) => o.priority!);
}
