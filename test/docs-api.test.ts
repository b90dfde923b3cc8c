/**
 * The guide's lists of the plug-in API match the code: between `<!--api NAME-->` and `<!--/api-->` a
 * page names every member of the exported type NAME (docs/plugin-api.ts, the entry of the generated
 * reference), and every name it writes as code — `member` or `member(args)` — is a member of NAME or
 * of one of NAME's members' types. A member added, renamed or removed in the code fails here until the
 * page says so.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;
const DOCS = join(ROOT, "docs");

/** Each exported type of the plug-in API by name: its members, and the members of their types. */
function apiMembers(): Map<string, { own: Set<string>; nested: Set<string> }> {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(DOCS, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  )!;
  const program = ts.createProgram(config.fileNames, config.options);
  const checker = program.getTypeChecker();
  const entry = checker.getSymbolAtLocation(program.getSourceFile(join(DOCS, "plugin-api.ts"))!)!;
  const out = new Map<string, { own: Set<string>; nested: Set<string> }>();
  for (const exported of checker.getExportsOfModule(entry)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol));
    const nested = new Set<string>();
    for (const m of members) {
      const declaration = m.valueDeclaration ?? m.declarations?.[0];
      if (!declaration) continue;
      const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(m, declaration));
      for (const p of checker.getPropertiesOfType(type)) nested.add(p.name);
    }
    out.set(exported.name, { own: new Set(members.map((m) => m.name)), nested });
  }
  return out;
}

/** Every `<!--api NAME-->…<!--/api-->` span of the guide, with the names it writes as code. */
function spans(): { page: string; type: string; names: string[] }[] {
  const guide = join(DOCS, "guide");
  return readdirSync(guide)
    .filter((f) => f.endsWith(".md"))
    .flatMap((f) => {
      const text = readFileSync(join(guide, f), "utf8");
      return [...text.matchAll(/<!--api (\w+)-->([\s\S]*?)<!--\/api-->/g)].map((m) => ({
        page: relative(ROOT, join(guide, f)),
        type: m[1]!,
        names: [...m[2]!.matchAll(/`([A-Za-z_$][\w$]*)(?:\([^`]*\))?`/g)].map((c) => c[1]!),
      }));
    });
}

describe("the guide's lists of the plug-in API", () => {
  const api = apiMembers();
  const marked = spans();

  it("are marked where the guide lists a type's members", () => {
    expect(marked.map((s) => `${s.page} ${s.type}`)).toEqual(
      expect.arrayContaining(["docs/guide/controllers.md ControllerContext", "docs/guide/controllers.md ServiceView"]),
    );
  });

  it("name every member of the type, and no name that is not one", () => {
    for (const { page, type, names } of marked) {
      const members = api.get(type);
      expect(members, `${page}: ${type} is not exported by docs/plugin-api.ts`).toBeDefined();
      const missing = [...members!.own].filter((m) => !names.includes(m)).sort();
      expect(missing, `${page}: members of ${type} the page does not name`).toEqual([]);
      const unknown = names.filter((n) => !members!.own.has(n) && !members!.nested.has(n));
      expect(unknown, `${page}: names the page gives ${type} that the code does not have`).toEqual([]);
    }
  });

  it("finds a member missing from a list, and a name that is not a member (the check itself works)", () => {
    const context = api.get("ControllerContext")!;
    expect(context.own.has("addNodes")).toBe(true);
    expect(context.own.has("addNode")).toBe(false);
    expect(context.nested.has("freeCpuMilli")).toBe(true); // cluster's
  });
});
