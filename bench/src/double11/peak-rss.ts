/**
 * Preloaded into the measured command (`node --import …/peak-rss.js`): at exit it writes the process's
 * peak resident set, KiB, to the file named by CLUSTERSIM_PEAK_RSS_FILE. The command runs as a user runs
 * it; only this line is added.
 */
import { writeFileSync } from "node:fs";

const file = process.env.CLUSTERSIM_PEAK_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
