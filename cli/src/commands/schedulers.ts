import { strategy, strategyNames } from "@clustersim/schedulers";
import { z } from "zod";

interface ParamDoc {
  name: string;
  type: string;
  default?: unknown;
  description?: string;
}

/** A strategy's parameters from its zod schema: name, type, default, description. */
function params(schema: z.ZodType): ParamDoc[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string; enum?: unknown[]; default?: unknown; description?: string }>;
  };
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({
    name,
    type: p.enum ? p.enum.map((v) => JSON.stringify(v)).join(" | ") : (p.type ?? "any"),
    ...(p.default !== undefined && { default: p.default }),
    ...(p.description !== undefined && { description: p.description }),
  }));
}

/** `clustersim schedulers [--json]`: every registered strategy and queue policy with its parameters. */
export function schedulersCommand(o: { json?: boolean }, print: (line: string) => void): void {
  const all = strategyNames().map((name) => {
    const e = strategy(name)!;
    return { name, kind: e.kind, summary: e.summary, params: params(e.params) };
  });
  if (o.json) {
    print(JSON.stringify(all, null, 2));
    return;
  }
  for (const s of all) {
    print(`${s.name} (${s.kind === "queue" ? "batch queue policy" : "placement strategy"}): ${s.summary}`);
    for (const p of s.params) {
      const def = p.default === undefined ? "" : `, default ${JSON.stringify(p.default)}`;
      print(`    ${p.name}: ${p.type}${def}${p.description ? ` — ${p.description}` : ""}`);
    }
  }
}
