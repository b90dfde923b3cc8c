import type { Controller } from "@clustersim/engine";
import { z } from "zod";
import { SpecError } from "../schema/load-spec.js";
import { loadPluginModule } from "./plugin-module.js";
import { PluginTimeout, PluginWatchdog } from "./plugin-watchdog.js";

/**
 * A user controller from a file named in a scenario (`controllers[i].plugin`): the file exports
 * `controller` (or a default export) with a `name`, optional zod `params`, and `create(params)`
 * returning a Controller (engine's interface: `start(ctx)` with the run's context). Its calls run under
 * `watchdog`'s time limit when the run is driven through it.
 */
export interface ControllerEntry<P = unknown> {
  name: string;
  params?: z.ZodType<P>;
  create(params: P): Controller;
}

export async function loadUserController(
  pluginPath: string,
  params: unknown,
  baseDir: string,
  where: string,
  watchdog: PluginWatchdog = new PluginWatchdog(),
): Promise<Controller> {
  const { file, mod } = await loadPluginModule(pluginPath, baseDir, `${where}.plugin`, watchdog.limitS);
  const raw = (mod.controller ?? mod.default) as Partial<ControllerEntry> | undefined;
  if (!raw || typeof raw !== "object" || typeof raw.name !== "string" || typeof raw.create !== "function") {
    throw new SpecError([
      `${where}.plugin: expected ${file} to export \`controller\` with a name and a create(params) function, found ${raw === undefined ? "no such export" : "something else"}`,
    ]);
  }
  const schema = raw.params ?? z.record(z.string(), z.unknown());
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new SpecError(
      parsed.error.issues.map((i) => `${where}.params${i.path.map((p) => `.${String(p)}`).join("")}: ${i.message}`),
    );
  }
  const create = raw.create;
  let created: Controller;
  try {
    created = watchdog.within(() => create(parsed.data));
  } catch (err) {
    if (err instanceof PluginTimeout)
      throw new SpecError([
        `${where}.plugin: ${file}: create() did not return within ${watchdog.limitS} s (--plugin-time-limit)`,
      ]);
    throw new SpecError([
      `${where}.plugin: ${file}: create() threw: ${err instanceof Error ? err.message : String(err)}`,
    ]);
  }
  if (!created || typeof created.start !== "function") {
    throw new SpecError([
      `${where}.plugin: ${file}: expected create() to return a controller with start(ctx), found ${typeof created}`,
    ]);
  }
  return watchdog.controller(created, `"${raw.name}" (${pluginPath})`);
}
