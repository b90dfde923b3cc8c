#!/usr/bin/env node
// Entry point of the `clustersim` command: the compiled CLI lives in ../dist (built by `npm ci`).
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv);
