import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import Module, { createRequire, register } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { thrownText } from "@clustersim/sim-core";
import { SpecError } from "../schema/load-spec.js";
import { DEFAULT_PLUGIN_TIME_LIMIT_S } from "./plugin-watchdog.js";

/** Modules loaded so far, by absolute path: loading a file again returns the same module (per process, never changed). */
const loaded = new Map<string, Record<string, unknown>>();
let hooked = false;

/** Once per process: plug-ins anywhere resolve clustersim's packages (./resolve-from-project.ts). */
function resolveFromProject(): void {
  if (hooked) return;
  hooked = true;
  // ES modules: the built hook (from src or dist alike: both sit two folders below the package).
  register(new URL("../../dist/plugins/resolve-from-project.js", import.meta.url));
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
 * The file is first loaded in a worker thread that is terminated if it outlasts `limitS` (a module's
 * top level that never ends, or a top-level await that never settles), so that it cannot hang this one.
 */
export async function loadPluginModule(
  pluginPath: string,
  baseDir: string,
  where: string,
  limitS: number = DEFAULT_PLUGIN_TIME_LIMIT_S,
): Promise<{ file: string; mod: Record<string, unknown> }> {
  const file = isAbsolute(pluginPath) ? pluginPath : resolve(baseDir, pluginPath);
  if (!existsSync(file))
    throw new SpecError([`${where}: expected a readable plug-in file, found no such file: ${file}`]);
  let mod = loaded.get(file);
  if (!mod) {
    await probeLoad(file, where, limitS);
    try {
      mod = await importPlugin(file);
    } catch (err) {
      throw new SpecError([`${where}: ${file} could not be loaded: ${loadErrorMessage(err, file)}`]);
    }
    loaded.set(file, mod!);
  }
  return { file, mod: mod! };
}

/** Import a plug-in file in this thread (no time limit: see loadPluginModule). */
export async function importPlugin(file: string): Promise<Record<string, unknown>> {
  resolveFromProject();
  return /\.(c|m)?ts$/.test(file)
    ? // The TypeScript loader only when a TypeScript plug-in is loaded: it costs start-up time and
      // WebAssembly memory that runs without plug-ins need not pay.
      await (await import("tsx/esm/api")).tsImport(pathToFileURL(file).href, import.meta.url)
    : await import(pathToFileURL(file).href);
}

function firstLine(err: unknown): string {
  return err instanceof Error ? err.message.split("\n")[0]! : thrownText(err);
}

/**
 * Why `file` could not be loaded, with the line of a syntax error: the TypeScript compiler (esbuild,
 * through tsx) puts it on its message's second line; Node keeps a JavaScript module's out of the error,
 * so `node --check` is asked for it (only when loading failed with a syntax error).
 */
export function loadErrorMessage(err: unknown, file: string): string {
  if (!(err instanceof Error)) return thrownText(err);
  const [first, second] = err.message.split("\n");
  const esbuild = /^Transform failed/.test(first!) && second ? /:(\d+):(\d+): ERROR: (.*)$/.exec(second) : null;
  if (esbuild) return `line ${esbuild[1]}, column ${esbuild[2]}: ${esbuild[3]}`;
  if (err.name === "SyntaxError" && /\.(c|m)?js$/.test(file)) {
    const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8", timeout: 10_000 });
    const line = /:(\d+)\n/.exec(check.stderr ?? "");
    if (line) return `line ${line[1]}: ${first}`;
  }
  return first!;
}

/** Load `file` in a worker thread (./plugin-load-probe.ts) within `limitS`; refuse it if it does not load. */
async function probeLoad(file: string, where: string, limitS: number): Promise<void> {
  const probe = new Worker(new URL("../../dist/plugins/plugin-load-probe.js", import.meta.url), {
    workerData: { file },
    stdout: true, // what the file prints while loading shows once, when it loads in this thread
    stderr: true,
  });
  probe.stdout.resume();
  probe.stderr.resume();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<{ ok: boolean; message?: string }>((settle) => {
    // The limit runs from when the thread begins to load the file: starting a thread is not the plug-in's
    // time (on a busy machine it alone can take a second).
    probe.on("message", (m: { starting?: true; ok: boolean; message?: string }) => {
      if (m.starting) {
        timer = setTimeout(
          () => settle({ ok: false, message: `did not finish loading within ${limitS} s (--plugin-time-limit)` }),
          limitS * 1000,
        );
        return;
      }
      settle(m.ok ? m : { ok: false, message: `could not be loaded: ${m.message}` });
    });
    probe.once("error", (err) => settle({ ok: false, message: `could not be loaded: ${firstLine(err)}` }));
    probe.once("exit", (code) =>
      settle({
        ok: false,
        // 13: Node's exit code for a top-level await that can never settle.
        message:
          code === 13
            ? "never finished loading: a top-level await never settles"
            : `ended the process while loading (exit code ${code})`,
      }),
    );
  });
  clearTimeout(timer);
  await probe.terminate();
  if (!outcome.ok) throw new SpecError([`${where}: ${file} ${outcome.message}`]);
}
