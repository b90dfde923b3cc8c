import type { Controller } from "@clustersim/engine";
import type { z } from "zod";
import { createFromPlugin } from "./plugin-entry.js";
import { PluginWatchdog } from "./plugin-watchdog.js";

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
  const { name, made } = await createFromPlugin<Controller>({
    pluginPath,
    params,
    baseDir,
    where,
    watchdog,
    exportName: "controller",
    returns: "a controller with start(ctx)",
    isValid: (c): c is Controller => !!c && typeof (c as Controller).start === "function",
  });
  return watchdog.controller(made, `"${name}" (${pluginPath})`);
}
