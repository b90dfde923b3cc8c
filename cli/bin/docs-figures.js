#!/usr/bin/env node
// Rewrites the figures the docs quote from fresh runs of the commands they come from (npm run docs:figures).
import { updateFigures } from "../dist/docs/update-figures.js";

const changed = updateFigures();
process.stdout.write(changed.length > 0 ? `updated: ${changed.join(", ")}\n` : "every figure is up to date\n");
