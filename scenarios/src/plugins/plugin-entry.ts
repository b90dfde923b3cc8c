import { thrownText } from "@clustersim/sim-core";
import { z } from "zod";
import { SpecError } from "../schema/load-spec.js";
import { loadPluginModule } from "./plugin-module.js";
import { PluginTimeout, type PluginWatchdog } from "./plugin-watchdog.js";

/**
 * What a controller or autoscaler plug-in file exports (as `controller`, `autoscaler`, or its default
 * export): a `name`, optional zod `params`, and `create(params)` making the object the run calls.
 */
export interface PluginEntry<P, T> {
  name: string;
  params?: z.ZodType<P>;
  create(params: P): T;
}

export interface EntryRequest<T> {
  pluginPath: string;
  params: unknown;
  baseDir: string;
  /** The scenario field, for messages (e.g. "s.yaml: controllers[0]"). */
  where: string;
  watchdog: PluginWatchdog;
  /** The export looked for, and what `create` must return (for messages) and how to check it. */
  exportName: string;
  returns: string;
  isValid(made: unknown): made is T;
}

/** Load the file, check its export and `params`, and call `create` under the time limit. */
export async function createFromPlugin<T>(r: EntryRequest<T>): Promise<{ name: string; made: T; file: string }> {
  const { where, watchdog } = r;
  const { file, mod } = await loadPluginModule(r.pluginPath, r.baseDir, `${where}.plugin`, watchdog.limitS);
  const raw = (mod[r.exportName] ?? mod.default) as Partial<PluginEntry<unknown, unknown>> | undefined;
  if (!raw || typeof raw !== "object" || typeof raw.name !== "string" || typeof raw.create !== "function") {
    throw new SpecError([
      `${where}.plugin: expected ${file} to export \`${r.exportName}\` with a name and a create(params) function, found ${raw === undefined ? "no such export" : "something else"}`,
    ]);
  }
  const schema = raw.params ?? z.record(z.string(), z.unknown());
  const parsed = schema.safeParse(r.params);
  if (!parsed.success) {
    throw new SpecError(
      parsed.error.issues.map((i) => `${where}.params${i.path.map((p) => `.${String(p)}`).join("")}: ${i.message}`),
    );
  }
  const create = raw.create;
  let made: unknown;
  try {
    made = watchdog.within(() => create(parsed.data));
  } catch (err) {
    if (err instanceof PluginTimeout)
      throw new SpecError([
        `${where}.plugin: ${file}: create() did not return within ${watchdog.limitS} s (--plugin-time-limit)`,
      ]);
    throw new SpecError([`${where}.plugin: ${file}: create() threw: ${thrownText(err)}`]);
  }
  if (!r.isValid(made)) {
    throw new SpecError([`${where}.plugin: ${file}: expected create() to return ${r.returns}, found ${typeof made}`]);
  }
  return { name: raw.name, made, file };
}
