import { type AdvanceStatus, type Run, StrategyError } from "@clustersim/engine";
import type { PluginWatchdog } from "./plugin-watchdog.js";

/**
 * Run to `untilS` (default: the end) in slices of events, each under the watchdog's time limit. The
 * slices start at one event and double while they take under 10 ms (up to 4,096 events), halving when one
 * takes over 50 ms: arming the limit then costs little per event, and a slow event runs alone, so that
 * the limit holds per event. Sliced or not, a run gives the same events (Run.advance).
 */
export async function driveWithin(run: Run, watchdog: PluginWatchdog, untilS?: number): Promise<AdvanceStatus> {
  let slice = 1;
  const now = () => run.nowS;
  for (;;) {
    const t0 = performance.now();
    const status = watchdog.within(() => run.advance({ untilS, maxEvents: slice }), now);
    const ms = performance.now() - t0;
    if (ms < 10) slice = Math.min(4096, slice * 2);
    else if (ms > 50) slice = Math.max(1, slice >> 1);
    if (status === "input") await run.refill();
    else if (status !== "max-events") return status;
  }
}

/** Runs with plug-ins under way in this thread, and the process.exit they replaced. */
let guarded = 0;
let realExit: typeof process.exit | undefined;

/**
 * While any run with plug-ins is under way, process.exit throws a StrategyError instead of ending the
 * process (counted, so that overlapping runs restore the real one only when the last ends).
 */
export function guardExit(delta: 1 | -1): void {
  if (delta > 0 && guarded++ === 0) {
    realExit = process.exit;
    process.exit = ((code?: number) => {
      throw new StrategyError(
        `a plug-in called process.exit(${code ?? ""}) during the run: plug-ins may not end the process`,
      );
    }) as typeof process.exit;
  } else if (delta < 0 && --guarded === 0 && realExit) {
    process.exit = realExit;
    realExit = undefined;
  }
}
