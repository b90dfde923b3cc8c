#!/usr/bin/env node
// Rewrites the figures the docs quote from fresh runs of the commands they come from (npm run docs:figures
// [-- --only SOURCE,…]).
import { updateFigures } from "../dist/docs/update-figures.js";

// `--only SOURCE[,SOURCE…]`: rerun those sources alone (their marks rewritten, the others kept).
const args = process.argv.slice(2);
const at = args.findIndex((a) => a === "--only" || a.startsWith("--only="));
const list = at < 0 ? undefined : args[at].startsWith("--only=") ? args[at].slice(7) : (args[at + 1] ?? "");
const only = list?.split(",").filter((s) => s !== "");
let changed;
try {
  changed = updateFigures(only);
} catch (e) {
  // FiguresLeft: the pages were written but for the figures named.
  process.stderr.write(`docs:figures: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
process.stdout.write(changed.length > 0 ? `updated: ${changed.join(", ")}\n` : "every figure is up to date\n");
