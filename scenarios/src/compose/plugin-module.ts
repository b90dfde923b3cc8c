import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { SpecError } from "../spec/load-spec.js";

/** Modules loaded so far, by absolute path: loading a file again returns the same module (per process, never changed). */
const loaded = new Map<string, Record<string, unknown>>();

/**
 * A user plug-in file named in a scenario (a strategy, a controller): TypeScript (.ts, .mts, compiled on
 * load) or JavaScript, resolved against the scenario's directory. `where` names the field, for messages.
 */
export async function loadPluginModule(
  pluginPath: string,
  baseDir: string,
  where: string,
): Promise<{ file: string; mod: Record<string, unknown> }> {
  const file = isAbsolute(pluginPath) ? pluginPath : resolve(baseDir, pluginPath);
  if (!existsSync(file))
    throw new SpecError([`${where}: expected a readable plug-in file, found no such file: ${file}`]);
  let mod = loaded.get(file);
  if (!mod) {
    try {
      mod = /\.(c|m)?ts$/.test(file)
        ? await tsImport(pathToFileURL(file).href, import.meta.url)
        : await import(pathToFileURL(file).href);
    } catch (err) {
      throw new SpecError([
        `${where}: ${file} could not be loaded: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      ]);
    }
    loaded.set(file, mod!);
  }
  return { file, mod: mod! };
}
