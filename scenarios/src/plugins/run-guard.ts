import { type AdvanceStatus, type Run, StrategyError } from "@clustersim/engine";
import { thrownText } from "@clustersim/sim-core";
import { PluginFailure, type PluginWatchdog } from "./plugin-watchdog.js";

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
    watchdog.check();
    if (status === "input") await run.refill();
    else if (status !== "max-events") {
      // A turn of the event loop through its timers: a promise a plug-in left rejected, or a callback
      // it set on the real clock that was due, is reported by now (guardProcess's listeners, or the
      // watchdog's handler on a promise a hook returned). Later ones are not the run's.
      // Only at the end: a run stepped to many times (stepS) would pay a timer turn per step.
      if (status === "ended") await new Promise<void>((settle) => setTimeout(settle, 0));
      watchdog.check();
      return status;
    }
  }
}

/** Runs with plug-ins under way in this thread, their watchdogs, and the process.exit they replaced. */
const active = new Set<PluginWatchdog>();
let realExit: typeof process.exit | undefined;

/** A rejection nothing handled, or an exception thrown by code a plug-in scheduled on the real clock. */
function escaped(kind: string) {
  return (err: unknown) => {
    const failure = new PluginFailure(`a plug-in ${kind} during the run: ${thrownText(err)}`);
    for (const w of active) w.fail(failure);
  };
}
const onRejection = escaped("left a promise rejected with nothing to handle it");
const onException = escaped("threw from a callback of its own (a timer, an event)");

/**
 * While any run with plug-ins is under way (`delta` 1 when one starts, -1 when it ends):
 * - process.exit throws a StrategyError instead of ending the process;
 * - an unhandled promise rejection or an uncaught exception (code a plug-in left to run later) becomes
 *   a PluginFailure of every such run, which its driver throws at its next check, instead of ending
 *   the process with a raw stack.
 * Counted by watchdog, so that overlapping runs restore the process's own handling when the last ends.
 */
export function guardProcess(watchdog: PluginWatchdog, delta: 1 | -1): void {
  if (delta > 0) {
    if (active.size === 0) {
      realExit = process.exit;
      process.exit = ((code?: number) => {
        throw new StrategyError(
          `a plug-in called process.exit(${code ?? ""}) during the run: plug-ins may not end the process`,
        );
      }) as typeof process.exit;
      process.on("unhandledRejection", onRejection);
      process.on("uncaughtException", onException);
    }
    active.add(watchdog);
  } else if (active.delete(watchdog) && active.size === 0) {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
    if (realExit) process.exit = realExit;
    realExit = undefined;
  }
}
