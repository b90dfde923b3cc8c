#!/usr/bin/env node
// Writes docs/cli.md from the built command tree (npm run docs:cli).
import { writeFileSync } from "node:fs";
import { cliReference } from "../dist/cli-reference.js";

writeFileSync(new URL("../../docs/cli.md", import.meta.url), cliReference());
