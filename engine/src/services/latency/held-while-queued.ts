import type { Hold } from "./latency-model.js";

/**
 * The calls' mean time in a tick whose requests queue, for a caller whose calls' time depends on how
 * many it sends (`meanAt`: its callees' backlogs grow with them). The servers finish x requests a
 * second, each holding its server for its own time and its calls' at x; x less that rate increases
 * with x, so one x solves it, found by bisection, at most `demandPerS` (all that waits or arrives).
 * Taking the callees' time at the calls this tick sends, rather than at last tick's, is what keeps a
 * backlogged caller from sending its idle callee a flood and then almost nothing, tick after tick.
 */
export function heldWhileQueued(hold: Hold, ownS: number, servers: number, demandPerS: number): number {
  if (!(servers > 0 && demandPerS > 0) || !hold.meanAt) return hold.mean();
  const most = hold.meanAt(demandPerS);
  if (servers / (ownS + most) >= demandPerS) return most;
  // Non-decreasing in x: the same at both ends, the same throughout (callees that tell no change).
  if (hold.meanAt(0) === most) return most;
  let lo = 0;
  let hi = demandPerS;
  for (let k = 0; k < 40 && hi - lo > 1e-6 * demandPerS; k++) {
    const x = (lo + hi) / 2;
    if (servers / (ownS + hold.meanAt(x)) >= x) lo = x;
    else hi = x;
  }
  return hold.meanAt(lo);
}
