import { existsSync } from "node:fs";
import Module, { createRequire, register } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SpecError } from "../spec/load-spec.js";

/** Modules loaded so far, by absolute path: loading a file again returns the same module (per process, never changed). */
const loaded = new Map<string, Record<string, unknown>>();
let hooked = false;

/** Once per process: plug-ins anywhere resolve clustersim's packages (./resolve-from-project.ts). */
function resolveFromProject(): void {
  if (hooked) return;
  hooked = true;
  // ES modules: the built hook (from src or dist alike: both sit two folders below the package).
  register(new URL("../../dist/compose/resolve-from-project.js", import.meta.url));
  // A .ts plug-in outside any "type": "module" package is compiled to CommonJS, whose require() the
  // hook above does not see (Node 20 has no CommonJS hooks): retry its bare requires from here too,
  // through CommonJS's resolver (Module._resolveFilename, long stable though not documented).
  const fromProject = createRequire(import.meta.url);
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (request: string, ...rest: unknown[]): string {
    try {
      return original.call(this, request, ...rest);
    } catch (err) {
      const bare = !request.startsWith(".") && !request.startsWith("/") && !/^[a-z]+:/i.test(request);
      if (!bare || (err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
      return fromProject.resolve(request);
    }
  };
}

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
    resolveFromProject();
    try {
      mod = /\.(c|m)?ts$/.test(file)
        ? // The TypeScript loader only when a TypeScript plug-in is loaded: it costs start-up time and
          // WebAssembly memory that runs without plug-ins need not pay.
          await (await import("tsx/esm/api")).tsImport(pathToFileURL(file).href, import.meta.url)
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
