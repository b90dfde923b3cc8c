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

/** Some figures could not be printed: they kept their text; the pages in `changed` were written. */
export class FiguresLeft extends Error {
  constructor(
    readonly changed: string[],
    readonly problems: string[],
  ) {
    super(
      `${problems.length} figure(s) kept their text: ${problems.join("; ")}` +
        (changed.length > 0 ? ` (the others were written: ${changed.join(", ")})` : ""),
    );
  }
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

/**
 * Rewrite every page's marked figures from fresh runs, or with `only` those of the sources it names
 * (the others keep their text); returns the pages changed (relative paths).
 */
export function updateFigures(only?: readonly string[]): string[] {
  if (only?.length === 0) throw new RangeError("--only: expected figure sources, found none");
  for (const name of only ?? []) {
    if (!FIGURE_SOURCES[name]) {
      throw new RangeError(
        `--only: expected figure sources (${Object.keys(FIGURE_SOURCES).join(", ")}), found "${name}"`,
      );
    }
  }
  const read = () => markdownPages().map((path) => ({ path, text: readFileSync(path, "utf8") }));
  const named = read().flatMap((p) => figuresIn(p.text).map((f) => f.source));
  const results = runSources(only ? named.filter((s) => only.includes(s)) : named);
  const changed: string[] = [];
  const problems: string[] = [];
  // The pages as they are now: the runs take minutes, and edits made meanwhile are kept (a figure
  // of a source named only meanwhile keeps its text too). A figure that cannot be printed keeps its
  // text and is reported after the others are written, so that the runs are not lost to it.
  for (const p of read()) {
    const next = rewritten(p.text, results, true, problems);
    if (next !== p.text) {
      writeFileSync(p.path, next);
      changed.push(relative(ROOT, p.path));
    }
  }
  if (problems.length > 0) throw new FiguresLeft(changed, problems);
  return changed;
}
