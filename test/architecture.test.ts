import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The dependency direction of ../shared/DESIGN.md, enforced: a part may import only the parts listed
 * before it, and only through their package name (their index.ts), never a path into their files.
 */
const ROOT = new URL("..", import.meta.url).pathname;
const LAYERS: Record<string, string[]> = {
  "sim-core": [],
  "hardware-models": ["sim-core"],
  schedulers: ["sim-core", "hardware-models"],
  workloads: ["sim-core"],
  replay: [],
  engine: ["sim-core", "hardware-models", "schedulers", "workloads", "replay"],
  scenarios: ["sim-core", "hardware-models", "schedulers", "workloads", "replay", "engine"],
  experiments: ["sim-core", "hardware-models", "schedulers", "workloads", "replay", "engine", "scenarios"],
  cli: ["sim-core", "hardware-models", "schedulers", "workloads", "replay", "engine", "scenarios", "experiments"],
  "web-viewer": ["replay"],
  bench: ["sim-core", "hardware-models", "schedulers", "workloads", "replay", "engine", "scenarios", "experiments"],
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

  it("finds the imports it checks (the check itself works)", () => {
    const files = sourceFiles(join(ROOT, "cli"));
    expect(files.flatMap(imports)).toContain("@clustersim/scenarios");
  });
});
