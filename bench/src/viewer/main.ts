/// <reference lib="dom" />
/**
 * bench/viewer: the viewer on the largest replay, in headless chromium, against the targets of a
 * replay of 10,000 nodes and 1,000,000 pods: interactive ≤ 3 s after opening (page load to the
 * heatmap drawn), a seek to any time ≤ 100 ms, playing at ≥ 30 frames/s, ≤ 1 GiB of memory in the page
 * (the renderer process's resident set). The replay is generated (./generate.ts) into
 * bench/out/ and served by `clustersim view`, as a user would open it.
 *
 * Usage: npm run -s bench:viewer -- [--json] [--nodes N] [--pods M]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { benchArgs } from "../lib/args.js";
import { generateReplay } from "./generate.js";

const { values } = benchArgs("viewer", {
  options: {
    json: { type: "boolean", default: false },
    nodes: { type: "string", default: "10000" },
    pods: { type: "string", default: "1000000" },
  },
});
const nodes = Number(values.nodes);
const pods = Number(values.pods);
const BIN = fileURLToPath(new URL("../../../cli/bin/clustersim.js", import.meta.url));
const dir = fileURLToPath(new URL(`../../out/viewer-${nodes}-${pods}/`, import.meta.url));
if (!existsSync(`${dir}replay.jsonl`)) {
  mkdirSync(dir, { recursive: true });
  await generateReplay(`${dir}replay.jsonl`, nodes, pods);
}

const server = spawn(process.execPath, [BIN, "view", dir], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise<string>((ok) => {
  let out = "";
  server.stdout!.on("data", (b) => {
    out += b;
    const m = /at (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/)/.exec(out);
    if (m) ok(m[1]);
  });
});
const browser = await chromium.launch({
  executablePath: process.env.CLUSTERSIM_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  type Viewer = { ready: boolean; seek(t: number): void; timeS: number };
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { viewer: Viewer }).viewer?.ready === true, undefined, {
    timeout: 120_000,
    polling: 20,
  });
  const openS = (Date.now() - t0) / 1000;
  // Seeks to 20 times spread over the day, each timed in the page (state and heatmap drawn).
  const seeks = await page.evaluate(() => {
    const v = (window as unknown as { viewer: Viewer }).viewer;
    const ms: number[] = [];
    for (let k = 0; k < 20; k++) {
      const t = ((k * 7919) % 20) * 4300 + 137;
      const a = performance.now();
      v.seek(t);
      ms.push(performance.now() - a);
    }
    return ms;
  });
  const seekMs = Math.max(...seeks);
  // Frames drawn per second while playing at 600× for 3 s.
  await page.selectOption("#speed", "600");
  await page.click("#play");
  const fps = await page.evaluate(
    () =>
      new Promise<number>((done) => {
        let frames = 0;
        const start = performance.now();
        const tick = () => {
          frames++;
          if (performance.now() - start < 3000) requestAnimationFrame(tick);
          else done((frames * 1000) / (performance.now() - start));
        };
        requestAnimationFrame(tick);
      }),
  );
  await page.click("#play");
  // The page's memory: its renderer process's resident set (typed arrays live outside the JavaScript
  // heap, so the heap alone would understate it). This bench runs the only chromium on the machine.
  const ps = spawnSync("ps", ["-eo", "rss=,args="], { encoding: "utf8" }).stdout;
  const renderers = ps.split("\n").filter((l) => l.includes("chromium") && l.includes("--type=renderer"));
  const pageMiB = renderers.reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0]), 0) / 1024;
  const result = { nodes, pods, openS, seekMs, fps, pageMiB };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `viewer on ${nodes.toLocaleString("en")} nodes and ${pods.toLocaleString("en")} pods: open ${openS.toFixed(2)} s (target ≤ 3), seek ≤ ${seekMs.toFixed(1)} ms (≤ 100), ${fps.toFixed(0)} frames/s playing (≥ 30), ${pageMiB.toFixed(0)} MiB in the page's renderer (≤ 1024)\n`,
    );
  }
} finally {
  await browser.close();
  server.kill();
}
