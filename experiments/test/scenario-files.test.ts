import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scenarioFiles } from "@clustersim/experiments";
import { fileFields, loadScenarioFile, missingFiles, scenarioJsonSchema } from "@clustersim/scenarios";
import { strategy, strategyNames } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tmp } from "./sweep-fixtures.js";

type Schema = Record<string, unknown>;

/**
 * The fields of a JSON Schema that name a file, as `services[].rate[].path`: string properties named
 * path, plugin, checkpoint or file, or described as a file or a directory.
 */
function fileFieldsOfSchema(schema: Schema, root: Schema = schema, at = "", out = new Set<string>()): Set<string> {
  const visit = (s: unknown, path: string, seen: Set<unknown>) => {
    if (!s || typeof s !== "object" || seen.has(s)) return;
    const node = s as Schema;
    const inner = new Set(seen).add(s);
    if (typeof node.$ref === "string") {
      const target = node.$ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<unknown>((o, k) => (o as Schema | undefined)?.[k], root);
      visit(target, path, inner);
    }
    for (const k of ["anyOf", "oneOf", "allOf"]) for (const b of (node[k] as unknown[]) ?? []) visit(b, path, inner);
    if (node.items) visit(node.items, `${path}[]`, inner);
    for (const [key, prop] of Object.entries((node.properties as Schema) ?? {})) {
      const p = path ? `${path}.${key}` : key;
      const { type, description } = prop as Schema;
      const named = /^(path|plugin|checkpoint|file)$/.test(key);
      const described = typeof description === "string" && /\bfile\b|director/i.test(description);
      if (type === "string" && (named || described)) out.add(p);
      visit(prop, p, inner);
    }
  };
  visit(schema, at, new Set());
  return out;
}

describe("the files a scenario reads", () => {
  it("are all listed: every field of the schema (and of a strategy's parameters) that names a file", () => {
    const fromSchema = fileFieldsOfSchema(scenarioJsonSchema() as Schema);
    for (const name of strategyNames()) {
      const params = z.toJSONSchema(strategy(name)!.params as z.ZodType, { io: "input", unrepresentable: "any" });
      for (const f of fileFieldsOfSchema(params as Schema, params as Schema, "scheduler.params")) fromSchema.add(f);
    }
    // A scenario with every one of them set (a strategy's plug-in and a checkpoint at once: the schema
    // checks a plug-in's parameters only when it loads).
    const dir = tmp();
    const file = join(dir, "all.yaml");
    writeFileSync(
      file,
      [
        "duration: 1h",
        "cluster: { fromTrace: { format: openb-nodes, path: nodes.csv } }",
        "workloads:",
        "  - { type: trace, format: swf, path: jobs.swf }",
        "  - { type: trace, format: azure-functions, path: azure }",
        "services:",
        "  - name: api",
        "    replica: { cpu: 500m, memory: 512Mi }",
        "    serviceTime: 50ms",
        "    cpuPerRequest: 0.01",
        "    slo: { target: 500ms }",
        "    rate: [{ type: constant, ratePerS: 1 }, { type: trace, format: azure-llm, path: llm.csv }]",
        "    autoscaler: { plugin: scaler.ts }",
        "  - name: db",
        "    replica: { cpu: 500m, memory: 512Mi }",
        "    serviceTime: 50ms",
        "    cpuPerRequest: 0.01",
        "    slo: { target: 500ms }",
        "    rate: [{ type: constant, ratePerS: 1 }]",
        "    autoscaler:",
        "      type: hpa",
        "      metric: { type: offeredRps, targetPerReplica: 1 }",
        "      predictive: { season: 1h, history: { path: past/services.csv } }",
        "scheduler: { name: mine, plugin: plugins/strategy.ts, params: { checkpoint: agent.json } }",
        "controllers: [{ plugin: controller.mjs }]",
      ].join("\n"),
    );
    const spec = loadScenarioFile(file);
    const listed = new Set(fileFields(spec).map((f) => f.field.replace(/\[\d+\]/g, "[]")));
    expect([...listed].sort()).toEqual([...fromSchema].sort());

    // The files themselves, with what plug-ins import (not packages, not types), each once.
    const write = (rel: string, text = "") => {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    for (const f of ["nodes.csv", "jobs.swf", "llm.csv", "agent.json", "past/services.csv"]) write(f);
    for (const f of ["invocations.csv", "durations.csv", "memory.csv"]) write(`azure/${f}`);
    write("scaler.ts", 'import { step } from "./lib/step.js";\nexport const autoscaler = { step };\n');
    write("lib/step.ts", 'export { shared as step } from "../shared.mjs";\n');
    write("shared.mjs", "export const shared = 1;\n");
    write(
      "plugins/strategy.ts",
      [
        'import type { Pod } from "@clustersim/schedulers";',
        'import { z } from "zod";',
        'import type { Knobs } from "./types.js";',
        'import { pick } from "./pick.ts";',
        "export const strategy = { z, pick, knobs: {} as Knobs, pod: undefined as Pod | undefined };",
      ].join("\n"),
    );
    write("plugins/types.ts", "export interface Knobs { a: number }\n");
    write("plugins/pick.ts", 'import data from "./weights.json" with { type: "json" };\nexport const pick = data;\n');
    write("plugins/weights.json", "{}\n");
    write("controller.mjs", 'import { shared } from "./shared.mjs";\nexport const controller = { shared };\n');
    expect(missingFiles(spec, file)).toEqual([]);
    expect(scenarioFiles(spec, file)).toEqual(
      [
        "agent.json",
        "azure/durations.csv",
        "azure/invocations.csv",
        "azure/memory.csv",
        "controller.mjs",
        "jobs.swf",
        "lib/step.ts",
        "llm.csv",
        "nodes.csv",
        "past/services.csv",
        "plugins/pick.ts",
        "plugins/strategy.ts",
        "plugins/weights.json",
        "scaler.ts",
        "shared.mjs",
      ].map((f) => join(dir, f)),
    );
  });

  it("name a missing autoscaler plug-in as missing", () => {
    const dir = tmp();
    const file = join(dir, "s.yaml");
    writeFileSync(
      file,
      [
        "duration: 1h",
        "cluster: { nodeGroups: [{ name: w, count: 1, cpu: '4', memory: 8Gi }] }",
        "services:",
        "  - { name: api, replica: { cpu: 1, memory: 1Gi }, serviceTime: 1s, cpuPerRequest: 0, slo: { target: 2s },",
        "      rate: [{ type: constant, ratePerS: 1 }], autoscaler: { plugin: gone.ts } }",
        "scheduler: { name: first-fit }",
      ].join("\n"),
    );
    expect(missingFiles(loadScenarioFile(file), file)).toEqual([
      `${file}: services[0].autoscaler.plugin: expected an existing file, found nothing at ${join(dir, "gone.ts")}`,
    ]);
  });
});
