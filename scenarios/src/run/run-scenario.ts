import { assembleRun, Run, type RunSinks, StrategyError, UnknownRuntimeError } from "@clustersim/engine";
import { type CompileOptions, compileScenario } from "../compile/compile-scenario.js";
import { PluginTimeout } from "../plugins/plugin-watchdog.js";
import { driveWithin, guardProcess } from "../plugins/run-guard.js";
import { SpecError } from "../schema/load-spec.js";
import type { ScenarioSpec } from "../schema/schema.js";

/**
 * How a scenario runs: its seed and plug-in time limit (CompileOptions), where its outputs go
 * (RunSinks), and whether to step it.
 */
export interface ScenarioRunOptions extends CompileOptions, RunSinks {
  /**
   * Step the run in slices of this many simulated seconds instead of in one go (the results are the
   * same: a check of the steppable run, and a way to interleave other work).
   */
  stepS?: number;
}

export interface ScenarioRunResult {
  summary: Record<string, unknown>;
  events: number;
  wallS: number;
}

/**
 * A scenario file run end to end: compiled into a run plan (../compile), assembled into a run by the
 * engine (its loops, controllers, effects and observers), driven to its duration, summarised. Output
 * lines go to the sinks as they happen, so the caller can stream them to files. Plug-ins run under
 * their time limit, and may not end the process; what they leave failing (a rejected promise, a timer
 * that throws) stops the run as a PluginFailure.
 */
export async function runScenario(
  spec: ScenarioSpec,
  file: string,
  o: ScenarioRunOptions = {},
): Promise<ScenarioRunResult> {
  const { plan, watchdog } = await compileScenario(spec, file, o);
  if (watchdog) guardProcess(watchdog, 1);
  try {
    // Controllers start when the run is made: under the time limit too.
    const sinks = watchdog ? { ...o, lastPluginCall: () => watchdog.lastCall() } : o;
    const { run, summary } = assembleRun(
      plan,
      sinks,
      watchdog && ((options) => watchdog.within(() => new Run(options))),
    );
    const until = (t?: number) => (watchdog ? driveWithin(run, watchdog, t) : run.runUntil(t));
    if (o.stepS !== undefined && o.stepS > 0) {
      for (let t = o.stepS; !run.isEnded; t += o.stepS) await until(t);
    } else await until();
    return { summary: summary(), events: run.sim.eventsProcessed, wallS: run.wallSeconds };
  } catch (err) {
    if (err instanceof UnknownRuntimeError || err instanceof StrategyError || err instanceof PluginTimeout)
      throw new SpecError([`${file}: ${err.message}`]);
    throw err;
  } finally {
    if (watchdog) guardProcess(watchdog, -1);
  }
}

/**
 * Everything a run of the scenario does before its first event, without running it: compiled (plug-ins
 * loaded, files read, cross-references checked) and assembled (loops, controllers started, observers).
 * What `clustersim validate` runs, so that it passes only what `run` would start.
 */
export async function checkScenario(spec: ScenarioSpec, file: string, o: CompileOptions = {}): Promise<void> {
  const { plan, watchdog } = await compileScenario(spec, file, o);
  if (watchdog) guardProcess(watchdog, 1);
  try {
    const sinks = watchdog ? { lastPluginCall: () => watchdog.lastCall() } : {};
    assembleRun(plan, sinks, watchdog && ((options) => watchdog.within(() => new Run(options))));
  } catch (err) {
    if (err instanceof UnknownRuntimeError || err instanceof StrategyError || err instanceof PluginTimeout)
      throw new SpecError([`${file}: ${err.message}`]);
    throw err;
  } finally {
    if (watchdog) guardProcess(watchdog, -1);
  }
}
