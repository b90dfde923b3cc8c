import type { CustomAutoscaler, ServiceView } from "@clustersim/engine";
import type { z } from "zod";
import { createFromPlugin } from "./plugin-entry.js";
import type { PluginWatchdog } from "./plugin-watchdog.js";

/** What `create(params)` of an autoscaler plug-in returns: the service's desired replicas now. */
export interface Autoscaler {
  desired(service: ServiceView, nowS: number): number;
}

/**
 * An autoscaler plug-in named by a service (`services[i].autoscaler.plugin`): the file exports
 * `autoscaler` (or a default export) with a `name`, optional zod `params`, and `create(params)`
 * returning an Autoscaler. Every `syncPeriodS` the run asks it for the service's desired replicas,
 * under `watchdog`'s time limit; what it returns is checked (a whole number ≥ 0) and held within the
 * service's bounds.
 */
export interface AutoscalerEntry<P = unknown> {
  name: string;
  params?: z.ZodType<P>;
  create(params: P): Autoscaler;
}

export async function loadUserAutoscaler(
  pluginPath: string,
  params: unknown,
  syncPeriodS: number,
  baseDir: string,
  where: string,
  watchdog: PluginWatchdog,
): Promise<CustomAutoscaler> {
  const { name, made } = await createFromPlugin<Autoscaler>({
    pluginPath,
    params,
    baseDir,
    where,
    watchdog,
    exportName: "autoscaler",
    returns: "an autoscaler with desired(service, nowS)",
    isValid: (a): a is Autoscaler => !!a && typeof (a as Autoscaler).desired === "function",
  });
  return watchdog.autoscaler({ name, syncPeriodS, desired: (s, t) => made.desired(s, t) }, `"${name}" (${pluginPath})`);
}
