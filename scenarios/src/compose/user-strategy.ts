import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { strategy as registered, registerStrategy, type StrategyEntry } from "@clustersim/schedulers";
import { tsImport } from "tsx/esm/api";
import { z } from "zod";
import { SpecError } from "../spec/load-spec.js";

/**
 * A user strategy from a file named in a scenario (`scheduler.plugin`): TypeScript (.ts, .mts,
 * compiled on the fly) or JavaScript. The file exports `strategy` (or a default export) with `name`,
 * optional `summary` and zod `params`, and `create(params, ctx)` returning a PlacementStrategy. It is
 * registered under its name, so the scenario's `scheduler.name` must match it.
 */
/** Files loaded so far: loading a file again returns its entry (tsImport would give a fresh module). */
const loaded = new Map<string, StrategyEntry>();

export async function loadUserStrategy(
  pluginPath: string,
  baseDir: string,
  scenarioFile: string,
  expectedName: string,
): Promise<StrategyEntry> {
  const file = isAbsolute(pluginPath) ? pluginPath : resolve(baseDir, pluginPath);
  const where = `${scenarioFile}: scheduler.plugin`;
  if (!existsSync(file))
    throw new SpecError([`${where}: expected a readable strategy file, found no such file: ${file}`]);
  const known = loaded.get(file);
  if (known) {
    if (known.name !== expectedName)
      throw new SpecError([
        `${where}: the file's strategy is called "${known.name}", but scheduler.name is "${expectedName}"`,
      ]);
    return known;
  }
  let mod: Record<string, unknown>;
  try {
    mod = /\.(c|m)?ts$/.test(file)
      ? await tsImport(pathToFileURL(file).href, import.meta.url)
      : await import(pathToFileURL(file).href);
  } catch (err) {
    throw new SpecError([
      `${where}: ${file} could not be loaded: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
    ]);
  }
  const raw = (mod.strategy ?? mod.default) as Partial<StrategyEntry> | undefined;
  if (!raw || typeof raw !== "object" || typeof raw.name !== "string" || typeof raw.create !== "function") {
    throw new SpecError([
      `${where}: expected ${file} to export \`strategy\` with a name and a create(params, ctx) function, found ${raw === undefined ? "no such export" : "something else"}`,
    ]);
  }
  if (raw.name !== expectedName) {
    throw new SpecError([
      `${where}: the file's strategy is called "${raw.name}", but scheduler.name is "${expectedName}"`,
    ]);
  }
  if (registered(raw.name)) throw new SpecError([`${where}: a strategy called "${raw.name}" is already registered`]);
  const entry: StrategyEntry = {
    name: raw.name,
    kind: "placement",
    summary: raw.summary ?? `user strategy from ${file}`,
    params: raw.params ?? z.record(z.string(), z.unknown()),
    create: raw.create,
  };
  registerStrategy(entry);
  loaded.set(file, entry);
  return entry;
}

/** Check a scenario's scheduler parameters against a loaded user strategy's schema. */
export function checkUserParams(entry: StrategyEntry, params: unknown, scenarioFile: string): void {
  const r = entry.params.safeParse(params);
  if (!r.success) {
    throw new SpecError(
      r.error.issues.map(
        (i) => `${scenarioFile}: scheduler.params${i.path.map((p) => `.${String(p)}`).join("")}: ${i.message}`,
      ),
    );
  }
}
