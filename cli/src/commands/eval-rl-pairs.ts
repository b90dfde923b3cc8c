import { interval } from "@clustersim/experiments";

/** A queue policy's bounded slowdown on each evaluation window (its name carries "+easy" with EASY). */
export interface WindowFigures {
  trace: string;
  policy: string;
  windows: readonly number[];
}

/** An agent's paired difference against one heuristic, over the windows both ran. */
export interface PairedDifference {
  trace: string;
  agent: string;
  heuristic: string;
  mean: number;
  low: number;
  high: number;
}

/**
 * Each agent against each heuristic of the same trace and backfilling mode, paired window by window
 * (agent − heuristic: below zero the agent's slowdown is lower): the mean difference with its 95%
 * Student-t interval. The windows differ in load far more than the policies do, so pairing is what
 * shows a difference; two means' own intervals overlap even where one policy wins on every window.
 */
export function pairedDifferences(figures: readonly WindowFigures[], agents: readonly string[]): PairedDifference[] {
  const mode = (policy: string) => (policy.endsWith("+easy") ? "+easy" : "");
  const base = (policy: string) => policy.replace(/\+easy$/, "");
  const out: PairedDifference[] = [];
  for (const a of figures) {
    if (!agents.includes(base(a.policy))) continue;
    for (const h of figures) {
      if (h.trace !== a.trace || mode(h.policy) !== mode(a.policy) || agents.includes(base(h.policy))) continue;
      if (h.windows.length !== a.windows.length)
        throw new Error(`${a.trace}: ${a.policy} and ${h.policy} ran different windows`);
      const i = interval(a.windows.map((x, k) => x - h.windows[k]!));
      out.push({ trace: a.trace, agent: a.policy, heuristic: h.policy, mean: i.mean, low: i.low, high: i.high });
    }
  }
  return out;
}
