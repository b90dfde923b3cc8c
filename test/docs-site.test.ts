/**
 * The documentation: README.md and the VitePress site built from docs/. The site's build fails on a dead
 * link between pages; the other tests check what the pages tell a reader to type or open: every
 * `clustersim` command, every `npm run` script, every repository path and link, and every #anchor.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;
const DOCS = join(ROOT, "docs");
const DIST = join(DOCS, ".vitepress", "dist");
const CLI = join(ROOT, "cli", "bin", "clustersim.js");

const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });

/** Of these repository-relative paths, those git ignores: outputs of a build, a run or a benchmark. */
function ignoredByGit(paths: string[]): Set<string> {
  if (paths.length === 0) return new Set();
  const r = spawnSync("git", ["check-ignore", "--stdin"], { cwd: ROOT, input: paths.join("\n"), encoding: "utf8" });
  return new Set(r.stdout.split("\n").filter(Boolean));
}

/** README.md and every Markdown page of the site (docs/, without VitePress's own folders, its public
 * folder, which the config excludes from pages, or anything git ignores). */
function markdownPages(): string[] {
  const pages = ["README.md"];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      const path = `${dir}/${name}`;
      if (name.startsWith(".") || path === "docs/public") continue;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (name.endsWith(".md")) pages.push(path);
    }
  };
  walk("docs");
  const ignored = ignoredByGit(pages);
  return pages.filter((p) => !ignored.has(p));
}

const PAGES = markdownPages();
const read = (page: string) => readFileSync(join(ROOT, page), "utf8");

/** The text inside fenced code blocks and inline code spans of a Markdown page. */
function codeOf(text: string): string[] {
  const code: string[] = [];
  const prose = text.replace(/^(```|~~~)[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm, (_m, _fence, body: string) => {
    code.push(body);
    return "";
  });
  for (const m of prose.matchAll(/(`+)([\s\S]+?)\1/g)) code.push(m[2]!);
  return code;
}

/** Markdown link targets of a page (not images' alt text; `[text](target)` and `[text](target "title")`). */
function linksOf(text: string): string[] {
  const prose = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** Subcommands listed under "Commands:" in a help text. */
function commandsIn(help: string): Set<string> {
  const section = help.split(/^Commands:\s*$/m)[1] ?? "";
  return new Set([...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!));
}

describe("the documentation site (npm run docs:site)", () => {
  it("builds with VitePress, no dead link between pages, the plug-in API pages included", () => {
    const r = spawnSync("npm", ["run", "-s", "docs:site"], { cwd: ROOT, encoding: "utf8", timeout: 900_000 });
    expect(r.error, "npm run docs:site did not finish").toBeUndefined();
    expect(r.status, `npm run docs:site failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
    expect(existsSync(join(DIST, "api", "index.html")), "the plug-in API pages are not in the site").toBe(true);
    for (const page of PAGES.filter((p) => p.startsWith("docs/"))) {
      const html = join(DIST, relative(DOCS, join(ROOT, page)).replace(/\.md$/, ".html"));
      expect(existsSync(html), `${page} was not built into ${relative(ROOT, html)}`).toBe(true);
    }
  });

  it("links only to anchors that the built pages have", () => {
    const problems: string[] = [];
    for (const page of PAGES.filter((p) => p.startsWith("docs/"))) {
      for (const link of linksOf(read(page))) {
        const hash = link.indexOf("#");
        if (hash < 0 || /^[a-z]+:/i.test(link) || link.startsWith("/")) continue;
        const target = link.slice(0, hash) === "" ? page : join(dirname(page), link.slice(0, hash));
        const html = join(DIST, relative("docs", target).replace(/\.md$/, ".html"));
        if (!existsSync(html)) continue; // a missing page is the build's dead link, reported above
        const id = decodeURIComponent(link.slice(hash + 1));
        if (!readFileSync(html, "utf8").includes(`id="${id}"`)) problems.push(`${page}: ${link}: no such anchor`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});

describe("what the README and the docs pages tell a reader to type", () => {
  it("names only clustersim commands that exist", () => {
    const help = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, "--help"], { encoding: "utf8" });
    const top = commandsIn(help().stdout);
    expect(top.size, "no commands in clustersim --help").toBeGreaterThan(5);
    const nested = new Map<string, Set<string>>();
    const subcommands = (command: string) => {
      if (!nested.has(command)) nested.set(command, commandsIn(help(command).stdout));
      return nested.get(command)!;
    };
    const problems: string[] = [];
    let seen = 0;
    for (const page of PAGES) {
      const text = read(page);
      const uses = [
        ...[...text.matchAll(/\bnpx\s+clustersim\s+([a-z][\w-]*)(?:[ \t]+([a-z][\w-]*))?/g)],
        ...codeOf(text).flatMap((code) => [
          ...code.matchAll(/(?<![\w@/-])clustersim\s+([a-z][\w-]*)(?:[ \t]+([a-z][\w-]*))?/g),
        ]),
      ];
      for (const [shown, command, sub] of uses) {
        seen++;
        if (!top.has(command!)) {
          problems.push(`${page}: "${shown}": no command "${command}" in clustersim --help`);
          continue;
        }
        const subs = subcommands(command!);
        if (subs.size > 0 && sub !== undefined && !subs.has(sub))
          problems.push(`${page}: "${shown}": no command "${sub}" in clustersim ${command} --help`);
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect([...new Set(problems)]).toEqual([]);
  });

  it("names only npm scripts that package.json defines", () => {
    const scripts = (dir: string): Record<string, string> | undefined => {
      const file = join(ROOT, dir, "package.json");
      return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")).scripts ?? {}) : undefined;
    };
    const problems: string[] = [];
    let seen = 0;
    for (const page of PAGES) {
      const text = read(page);
      for (const m of text.matchAll(
        /\bnpm\s+(?:run(?:\s+(?:-s|--silent))?\s+([\w:.-]+)(?:\s+-w\s+([\w@/.-]+))?|(start|test)\b)/g,
      )) {
        seen++;
        const name = m[1] ?? m[3]!;
        const workspace = m[2] ?? ".";
        const defined = scripts(workspace);
        if (defined === undefined) problems.push(`${page}: "${m[0]}": no workspace ${workspace}`);
        else if (!(name in defined))
          problems.push(`${page}: "${m[0]}": no script "${name}" in ${join(workspace, "package.json")}`);
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect([...new Set(problems)]).toEqual([]);
  });

  it("shows only repository paths and links that exist in the checkout (or beside it, ../shared)", () => {
    const tracked = git("ls-files").stdout.split("\n");
    const topDirs = new Set(tracked.filter((f) => f.includes("/")).map((f) => f.slice(0, f.indexOf("/"))));
    expect(topDirs.has("docs")).toBe(true);
    const isRepoPath = (token: string) =>
      token.startsWith("../shared/") || (token.includes("/") && topDirs.has(token.slice(0, token.indexOf("/"))));
    // A path with a placeholder (NAME, ID, *) names a family of files: at least one must exist.
    const exists = (path: string): boolean => {
      const abs = resolve(ROOT, path);
      if (existsSync(abs)) return true;
      if (!/\*|\b[A-Z][A-Z0-9_]+\b/.test(path)) return false;
      const segments = abs.split("/").filter(Boolean);
      const match = (dir: string, rest: string[]): boolean => {
        if (rest.length === 0) return true;
        const [head, ...tail] = rest;
        if (!/\*|\b[A-Z][A-Z0-9_]+\b/.test(head!)) return existsSync(join(dir, head!)) && match(join(dir, head!), tail);
        const pattern = new RegExp(
          `^${head!.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*|\b[A-Z][A-Z0-9_]+\b/g, ".+")}$`,
        );
        if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
        return readdirSync(dir).some((name) => pattern.test(name) && match(join(dir, name), tail));
      };
      return match("/", segments);
    };
    const shown: { page: string; path: string; how: string }[] = [];
    for (const page of PAGES) {
      const text = read(page);
      for (const code of codeOf(text)) {
        for (const raw of code.split(/[\s,;()"'=<>[\]{}|`]+/)) {
          const token = raw.replace(/[.:,;]+$/, "");
          if (isRepoPath(token)) shown.push({ page, path: token, how: "shown" });
        }
      }
      for (const link of linksOf(text)) {
        if (/^[a-z]+:/i.test(link) || link.startsWith("#") || link.startsWith("/")) continue;
        const path = relative(ROOT, resolve(ROOT, dirname(page), link.replace(/[?#].*$/, "")));
        shown.push({ page, path, how: "linked" });
      }
    }
    expect(shown.length).toBeGreaterThan(50);
    const generated = ignoredByGit(shown.map((s) => s.path).filter((p) => !p.startsWith("..")));
    const problems = shown
      .filter(({ path }) => !generated.has(path) && !exists(path))
      .map(({ page, path, how }) => `${page}: ${how} ${path}: no such file or folder`);
    expect([...new Set(problems)]).toEqual([]);
  });
});
