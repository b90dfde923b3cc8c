import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The dependency direction of ../shared/DESIGN.md, enforced: a part may import only the parts listed
 * before it, and only through their package name (their index.ts), never a path into their files.
 */
const ROOT = new URL("..", import.meta.url).pathname;
/** What the run's parts below rl may import: each imports only parts listed before it here. */
const BELOW_ENGINE = ["sim-core", "hardware-models", "schedulers", "workloads", "replay"];
const BELOW_SCENARIOS = ["files", ...BELOW_ENGINE, "engine", "rl"];
const BELOW_CLI = [...BELOW_SCENARIOS, "scenarios", "experiments"];
const LAYERS: Record<string, string[]> = {
  files: [],
  "sim-core": [],
  "hardware-models": ["sim-core"],
  schedulers: ["sim-core", "hardware-models"],
  workloads: ["sim-core"],
  replay: [],
  engine: BELOW_ENGINE,
  rl: ["files", ...BELOW_ENGINE, "engine"],
  scenarios: BELOW_SCENARIOS,
  experiments: [...BELOW_SCENARIOS, "scenarios"],
  cli: BELOW_CLI,
  "web-viewer": ["replay"],
  bench: BELOW_CLI,
};

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) found.push(m[1] ?? m[2] ?? m[3]);
  return found;
}

describe("architecture", () => {
  for (const [part, allowed] of Object.entries(LAYERS)) {
    it(`${part} imports only ${allowed.length ? allowed.join(", ") : "nothing of ours"}`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(join(ROOT, part))) {
        for (const spec of imports(file)) {
          const where = relative(ROOT, file);
          const pkg = /^@clustersim\/([^/]+)(\/.*)?$/.exec(spec);
          if (pkg) {
            if (pkg[2]) violations.push(`${where}: imports into ${spec} (use the package's index)`);
            if (pkg[1] !== part && !allowed.includes(pkg[1])) violations.push(`${where}: imports ${spec}`);
          } else if (spec.startsWith(".")) {
            const target = relative(ROOT, join(file, "..", spec)).split("/")[0];
            if (target !== part) violations.push(`${where}: reaches into ../${target} by path (${spec})`);
          }
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it("has no import circle between files, type-only imports included", () => {
    const parts = Object.keys(LAYERS);
    const graph = new Map<string, string[]>();
    for (const part of parts) {
      for (const file of sourceFiles(join(ROOT, part, "src"))) {
        const local = imports(file)
          .filter((spec) => spec.startsWith("."))
          .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, ".ts"))
          .map((target) => (existsSync(target) ? target : target.replace(/\.ts$/, ".tsx")));
        graph.set(file, local);
      }
    }
    const circles = circlesOf(graph).map((c) => c.map((f) => relative(ROOT, f)).join(" → "));
    expect(circles).toEqual([]);
    // The check finds a circle where there is one.
    expect(
      circlesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]],
        ]),
      ),
    ).toHaveLength(1);
  });

  it("has no test that changes what other test files share (vitest runs them in one module graph per worker)", () => {
    // vitest.config.ts sets isolate: false, so a module mocked, a global stubbed, a timer faked, the
    // environment or the working directory changed would leak into the files run after it.
    const shared =
      /\bvi\.(mock|doMock|spyOn|stubGlobal|stubEnv|useFakeTimers)\(|process\.env\.\w+\s*=[^=]|process\.chdir\(/;
    const tests = [...Object.keys(LAYERS), "test"].flatMap((dir) =>
      sourceFiles(join(ROOT, dir)).filter((f) => f.endsWith(".test.ts")),
    );
    expect(tests.length).toBeGreaterThan(100);
    const offenders = tests.filter((f) => shared.test(readFileSync(f, "utf8"))).map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
    expect(shared.test(["vi", "spyOn(console, 'log')"].join("."))).toBe(true);
  });

  it("finds the imports it checks (the check itself works)", () => {
    const files = sourceFiles(join(ROOT, "cli"));
    expect(files.flatMap(imports)).toContain("@clustersim/scenarios");
  });
});

/** The strongly connected components of more than one file (Tarjan's algorithm): each is an import circle. */
function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) out.push(component.reverse());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}
