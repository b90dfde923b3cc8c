#!/usr/bin/env node
// Rewrites the figures the docs quote from fresh runs of the commands they come from (npm run docs:figures
// [-- --only SOURCE,…]).
import { updateFigures } from "../dist/docs/update-figures.js";

// `--only SOURCE[,SOURCE…]`: rerun those sources alone (their marks rewritten, the others kept).
const at = process.argv.indexOf("--only");
const only = at > 0 ? (process.argv[at + 1] ?? "").split(",").filter((s) => s !== "") : undefined;
let changed;
try {
  changed = updateFigures(only);
} catch (e) {
  process.stderr.write(`docs:figures: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
process.stdout.write(changed.length > 0 ? `updated: ${changed.join(", ")}\n` : "every figure is up to date\n");
