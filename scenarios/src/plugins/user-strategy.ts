import { strategy as registered, type StrategyEntry } from "@clustersim/schedulers";
import { z } from "zod";
import { SpecError } from "../schema/load-spec.js";
import { loadPluginModule } from "./plugin-module.js";

/**
 * A user strategy from a file named in a scenario (`scheduler.plugin`): TypeScript (.ts, .mts,
 * compiled on the fly) or JavaScript. The file exports `strategy` (or a default export) with `name`,
 * optional `summary` and zod `params`, and `create(params, ctx)` returning a PlacementStrategy. It is
 * used by its name, so the scenario's `scheduler.name` must match it (and differ from the built-in ones).
 */
export async function loadUserStrategy(
  pluginPath: string,
  baseDir: string,
  scenarioFile: string,
  expectedName: string,
  limitS?: number,
): Promise<StrategyEntry> {
  const where = `${scenarioFile}: scheduler.plugin`;
  const { file, mod } = await loadPluginModule(pluginPath, baseDir, where, limitS);
  const raw = (mod.strategy ?? mod.default) as Partial<StrategyEntry> | undefined;
  if (!raw || typeof raw !== "object" || typeof raw.name !== "string" || typeof raw.create !== "function") {
    throw new SpecError([
      `${where}: expected ${file} to export \`strategy\` with a name and a create(params, ctx) function, found ${raw === undefined ? "no such export" : "something else"}`,
    ]);
  }
  if (raw.name !== expectedName) {
    // Typically `--set scheduler.name=best-fit` on a scenario with a plug-in: say how to switch.
    const hint = registered(expectedName)
      ? `; to run the built-in "${expectedName}" instead, replace the whole section: --set 'scheduler={ name: ${expectedName} }'`
      : "";
    throw new SpecError([
      `${where}: the file's strategy is called "${raw.name}", but scheduler.name is "${expectedName}"${hint}`,
    ]);
  }
  if (registered(raw.name)) {
    throw new SpecError([`${where}: the file's strategy "${raw.name}" has the name of a built-in strategy: rename it`]);
  }
  const entry: StrategyEntry = {
    name: raw.name,
    kind: "placement",
    summary: raw.summary ?? `user strategy from ${file}`,
    params: raw.params ?? z.record(z.string(), z.unknown()),
    create: raw.create,
  };
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
