import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { FIGURE_SOURCES } from "./figure-sources.js";
import { figuresIn, rewritten } from "./figures.js";

const ROOT = new URL("../../../", import.meta.url).pathname;

/** README.md and the docs' Markdown pages (not VitePress's own folders or its build). */
export function markdownPages(): string[] {
  const pages = [join(ROOT, "README.md")];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (name.startsWith(".") || name === "node_modules") continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".md")) pages.push(path);
    }
  };
  walk(join(ROOT, "docs"));
  return pages;
}

/** The sources the pages' figures name, each run once. */
export function runSources(names: Iterable<string>): Map<string, unknown> {
  const results = new Map<string, unknown>();
  for (const name of new Set(names)) {
    const source = FIGURE_SOURCES[name];
    if (!source) throw new RangeError(`a figure names the source "${name}", which docs/figures does not know`);
    results.set(name, source.run());
  }
  return results;
}

/** Rewrite every page's marked figures from fresh runs; returns the pages changed (relative paths). */
export function updateFigures(): string[] {
  const pages = markdownPages().map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const results = runSources(pages.flatMap((p) => figuresIn(p.text).map((f) => f.source)));
  const changed: string[] = [];
  for (const p of pages) {
    const next = rewritten(p.text, results);
    if (next !== p.text) {
      writeFileSync(p.path, next);
      changed.push(relative(ROOT, p.path));
    }
  }
  return changed;
}
