/// <reference lib="dom" />
/**
 * The viewer in a real browser (a Chromium found by browser.ts, driven by playwright-core) against the built
 * viewer as `clustersim view` serves it, on hand-made replays whose state at each time is known.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplayWriter } from "@clustersim/replay";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMPTY, FULL } from "../src/views/colors.js";
import { findBrowser, SKIP_BROWSER } from "./browser.js";
import { hostile } from "./hostile.js";

const BIN = new URL("../../cli/bin/clustersim.js", import.meta.url).pathname;
const INJECTION = "<img src=x onerror=alert(1)>";

/**
 * Three nodes of 4 cores: node 0 runs task 7 (4 cores) from 0 to 100 s; node 1 runs task 8 (2 cores)
 * from 10 s; node 2, of the group named INJECTION, is spare until it joins at 50 s. One service.
 */
function replay(
  dir: string,
  secondTaskCores = 2000,
  o: { serverless?: boolean; ratePerS?: number; clock?: boolean; graph?: boolean; forecast?: boolean } = {},
): string {
  const lines: string[] = [];
  const w = new ReplayWriter((l) => lines.push(l));
  w.header({
    // With `clock`, t = 0 is 23:58:20, so midnight comes at 100 s; a window named peak from 120 to 160 s.
    ...(o.clock && { clockStartS: 86_300, windows: [["peak", 120, 160]] as [string, number, number][] }),
    // With `serverless`, node 2 is a virtual node (present from the start; outside the cluster's capacity).
    ...(o.serverless && { virtual: [2] }),
    scenario: "hand-made",
    seed: 1,
    scheduler: "best-fit",
    durationS: 200,
    groups: ["web", INJECTION],
    nodes: [
      [0, 4000, 8192, 0, 1],
      [0, 4000, 8192, 0, 1],
      [1, 4000, 8192, 0, o.serverless ? 1 : 0],
    ],
    // With `graph`, api calls a second service, db, whose objective is 0.25 s.
    services: o.graph
      ? [
          ["api", 0.99, 0.5],
          ["db", 0.99, 0.25],
        ]
      : [["api", 0.99, 0.5]],
    ...(o.graph && { calls: [[0, 1]] as [number, number][] }),
    racks: [1, 0, 0],
    pools: [0, 0, -1],
    poolCapacityMiB: [10_000],
  });
  w.arrive(0, 7, 4000, 4096, 0);
  w.task(0, "s", 7, [0]);
  // With `serverless`, one of api's replicas is on the virtual node from 60 s, and the bill's serverless part is written.
  const off = (n: number) => (o.serverless ? n : undefined);
  w.service(0, 0, o.ratePerS ?? 10, 2, 0, Number.NaN, true, off(0));
  if (o.graph) w.service(0, 1, 10, 1, 0, Number.NaN, true, off(0));
  w.totals(0, 0, 0, off(0));
  w.arrive(10, 8, secondTaskCores, 1024, 0);
  w.task(10, "s", 8, [1]);
  if (o.serverless) {
    // A replica burst to the virtual node: 3 cores there from 12 s.
    w.arrive(12, 9, 3000, 1024, 0);
    w.task(12, "s", 9, [2]);
  }
  // At 15 s node 1 uses 1 of its 2 allocated cores; its CXL pool (nodes 0 and 1) holds 5,000 of 10,000 MiB.
  w.usage(15, 1, 1000);
  w.pool(15, 0, 5000);
  w.node(50, "+", 2);
  w.service(60, 0, 12, 2, 2, 0.3, false, off(1));
  // With `forecast`, api's predictive HPA forecast 11 requests/s for the minute to 60 s and 9 to 120 s.
  if (o.forecast) w.forecast(60, 0, 11);
  if (o.graph) w.service(60, 1, 12, 1, 1, 0.6, true, off(0));
  w.totals(60, 3, 1.5, off(0.5));
  w.task(100, "f", 7, [0]);
  w.service(120, 0, 8, 2, 2, 0.2, false, off(1));
  if (o.forecast) w.forecast(120, 0, 9);
  if (o.graph) w.service(120, 1, 8, 1, 1, 0.1, false, off(0));
  writeFileSync(join(dir, "replay.jsonl"), `${lines.join("\n")}\n`);
  // Task 7's placement as a run records it (outputs.decisions): one node rejected, two candidates scored.
  const decision = {
    timeS: 0,
    task: 7,
    pod: 7,
    node: 0,
    rejectedBy: { NodeResourcesFit: 1 },
    top: [
      { node: 0, total: 188, scores: { NodeResourcesLeastAllocated: 88, NodeResourcesBalancedAllocation: 100 } },
      { node: 1, total: 150, scores: { NodeResourcesLeastAllocated: 75, NodeResourcesBalancedAllocation: 75 } },
    ],
  };
  writeFileSync(join(dir, "decisions.jsonl"), `${JSON.stringify(decision)}\n`);
  return dir;
}

function view(dirs: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, "view", ...dirs], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((ok, fail) => {
    let out = "";
    child.stdout!.on("data", (b) => {
      out += b;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/)/.exec(out);
      if (m) ok({ url: m[1], child });
    });
    child.on("exit", (code) => fail(new Error(`clustersim view exited ${code}`)));
  });
}

/**
 * The page's language, set rather than inherited: a headless shell started under LANG=C reports
 * `en-US@posix`, a tag Intl refuses, and the charting library formats numbers by the page's language.
 */
const LOCALE = "en-US";
/** How long a wait in the page may take before it counts as hung: a guard, not a speed test. */
const HANG_GUARD_MS = 120_000;

let browser: Browser;
let tmp: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "clustersim-viewer-"));
  // Fail saying what is missing, never skip silently: the viewer is tested in a real browser or
  // skipped only when CLUSTERSIM_SKIP_BROWSER says so (browser.ts).
  if (SKIP_BROWSER) return;
  const found = await findBrowser();
  browser = await chromium.launch({ executablePath: found.executablePath, args: found.args });
});
afterAll(async () => {
  await browser?.close();
  for (const c of children) c.kill();
  rmSync(tmp, { recursive: true, force: true });
});

async function open(dirs: string[]): Promise<{ page: Page; url: string; dialogs: string[] }> {
  const served = await view(dirs);
  children.push(served.child);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: LOCALE });
  page.setDefaultTimeout(HANG_GUARD_MS);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(served.url);
  await page.waitForFunction(() => (window as unknown as { viewer: { ready: boolean } }).viewer?.ready === true);
  return { page, url: served.url, dialogs };
}

/** The colour of a node's cell in a run's heatmap, as [r, g, b]. */
function pixel(page: Page, run: number, node: number): Promise<number[]> {
  return page.evaluate(
    ([r, n]) => {
      const v = (window as unknown as { viewer: { cellCentre(r: number, n: number): [number, number] } }).viewer;
      const [x, y] = v.cellCentre(r, n);
      const c = document.querySelector(`canvas[data-run="${r}"]`) as HTMLCanvasElement;
      return [...c.getContext("2d")!.getImageData(Math.floor(x), Math.floor(y), 1, 1).data].slice(0, 3);
    },
    [run, node],
  );
}

/** Drop a file of `content` named `name` on the page, as a user would. */
const drop = (page: Page, name: string, content: string) =>
  page.evaluate(
    ([n, c]) => {
      const data = new DataTransfer();
      data.items.add(new File([c], n));
      document.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    [name, content],
  );

/** The page's uncaught exceptions from now on (the viewer shows its errors; it throws none). */
function uncaught(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Use the page as a user would after opening: seek, step, play, recolour, regroup. */
async function poke(page: Page): Promise<void> {
  for (const key of ["End", "ArrowLeft", "Home", "Shift+ArrowRight", " ", " "]) await page.keyboard.press(key);
  for (const [id, values] of [
    ["mode", ["usage", "mem", "gpu", "pool", "cpu"]],
    ["group", ["rack", "pool", "group"]],
  ] as const) {
    for (const v of values) await page.selectOption(`#${id}`, v);
  }
}

const seek = (page: Page, t: number) =>
  page.evaluate((s) => (window as unknown as { viewer: { seek(s: number): void } }).viewer.seek(s), t);

describe.skipIf(SKIP_BROWSER)(
  SKIP_BROWSER ? "the viewer, in chromium (skipped: CLUSTERSIM_SKIP_BROWSER=1)" : "the viewer, in chromium",
  () => {
    it("opens a replay and colours each node by its allocation at the time shown; seeks and scrubs", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "a-")))]);
      await seek(page, 20);
      // Node 0 full (4 of 4 cores), node 1 at half (2 of 4), node 2 not yet in the cluster.
      expect(await pixel(page, 0, 0)).toEqual([...FULL]);
      const half = EMPTY.map((e, i) => Math.round(e + (FULL[i] - e) * 0.5));
      expect(await pixel(page, 0, 1)).toEqual(half);
      expect(await pixel(page, 0, 2)).toEqual([255, 255, 255]);
      // After task 7 finishes at 100 s node 0 is empty; node 2 joined at 50 s, empty.
      await seek(page, 150);
      expect(await pixel(page, 0, 0)).toEqual([...EMPTY]);
      expect(await pixel(page, 0, 2)).toEqual([...EMPTY]);
      expect(await page.textContent("#clock")).toBe("0:02:30");
      // Scrubbing the slider to 0:00:20 shows node 0 full again.
      await page.$eval("#time", (e) => {
        const input = e as HTMLInputElement;
        input.value = "20";
        input.dispatchEvent(new Event("input"));
      });
      expect(await pixel(page, 0, 0)).toEqual([...FULL]);
      await page.close();
    });

    it("lists the latest events: a task by its id and the node it started on; the boxes filter by kind", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "l-")))]);
      await seek(page, 150);
      const items = () => page.$$eval("#log li", (li) => li.map((e) => e.textContent ?? ""));
      const all = await items();
      expect(all).toContain("0:01:40 task 7 finished on node 0");
      expect(all).toContain("0:00:10 task 8 started on node 1");
      expect(all).toContain("0:00:00 task 7 started on node 0");
      expect(all.some((l) => l.startsWith("0:00:50 node 2 node joined"))).toBe(true);
      // Starts unticked: the starts go, finishes and node events stay.
      await page.click('#events input[data-code="s"]');
      const left = await items();
      expect(left.some((l) => l.includes("started"))).toBe(false);
      expect(left).toContain("0:01:40 task 7 finished on node 0");
      expect(left.some((l) => l.startsWith("0:00:50 node 2 node joined"))).toBe(true);
      await page.close();
    });

    it("groups the cells by rack on request: node 0 (rack 1) moves after nodes 1 and 2 (rack 0)", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "g-")))]);
      await seek(page, 20);
      const first = () =>
        page.evaluate(() => {
          const c = document.querySelector('canvas[data-run="0"]') as HTMLCanvasElement;
          return [...c.getContext("2d")!.getImageData(1, 1, 1, 1).data].slice(0, 3);
        });
      // By node group the first cell is node 0 (full); by rack it is node 1 (half).
      expect(await first()).toEqual([...FULL]);
      await page.selectOption("#group", "rack");
      const half = EMPTY.map((e, i) => Math.round(e + (FULL[i] - e) * 0.5));
      expect(await first()).toEqual(half);
      expect(await pixel(page, 0, 0)).toEqual([...FULL]);
      await page.close();
    });

    it("colours by CPU in use where the run recorded it (else as allocated), and by CXL pool use", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "u-")))]);
      await seek(page, 20);
      const share = (f: number) => EMPTY.map((e, i) => Math.round(e + (FULL[i] - e) * f));
      await page.selectOption("#mode", "usage");
      expect(await pixel(page, 0, 1)).toEqual(share(0.25));
      expect(await pixel(page, 0, 0)).toEqual([...FULL]);
      await page.selectOption("#mode", "pool");
      expect(await pixel(page, 0, 0)).toEqual(share(0.5));
      expect(await pixel(page, 0, 1)).toEqual(share(0.5));
      await page.close();
    });

    it("plays: time moves forward, and stops at the end", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "p-")))]);
      await page.selectOption("#speed", "600");
      await page.click("#play");
      await page.waitForFunction(
        () => (window as unknown as { viewer: { timeS: number } }).viewer.timeS >= 200,
        undefined,
        {
          timeout: HANG_GUARD_MS,
        },
      );
      expect(await page.textContent("#play")).toBe("play");
      await page.close();
    });

    it("inspects a node: its allocation and tasks at the time shown, and why each task was placed there", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "i-")))]);
      await seek(page, 20);
      const [x, y] = await page.evaluate(() =>
        (window as unknown as { viewer: { cellCentre(r: number, n: number): [number, number] } }).viewer.cellCentre(
          0,
          0,
        ),
      );
      const box = (await page.$('canvas[data-run="0"]'))!;
      const rect = (await box.boundingBox())!;
      const scale = rect.width / (await box.evaluate((c) => (c as HTMLCanvasElement).width));
      await page.mouse.click(rect.x + x * scale, rect.y + y * scale);
      expect(await page.textContent('#inspector [data-field="cpu"]')).toBe("4000 of 4000 m");
      expect(await page.textContent('#inspector [data-field="mem"]')).toBe("4096 of 8192 MiB");
      expect(await page.textContent("#inspector table")).toContain("7");
      expect(await page.textContent("#inspector h3")).toBe("1 task");
      // Why task 7 is on node 0: the run's decision record, as recorded.
      const why = await page.textContent('#inspector [data-field="decisions"]');
      expect(why).toContain("task 7: placed at 0.0 s, score 188");
      expect(why).toContain("filters rejected: NodeResourcesFit 1 node");
      expect(why).toContain("node 0: total 188 (NodeResourcesLeastAllocated 88, NodeResourcesBalancedAllocation 100)");
      expect(why).toContain("node 1: total 150");
      await page.close();
    });

    it("shows names from the run as text only: a group named like an HTML tag is those characters", async () => {
      const { page, dialogs } = await open([replay(mkdtempSync(join(tmp, "x-")))]);
      await seek(page, 60);
      const [x, y] = await page.evaluate(() =>
        (window as unknown as { viewer: { cellCentre(r: number, n: number): [number, number] } }).viewer.cellCentre(
          0,
          2,
        ),
      );
      const box = (await page.$('canvas[data-run="0"]'))!;
      const rect = (await box.boundingBox())!;
      const scale = rect.width / (await box.evaluate((c) => (c as HTMLCanvasElement).width));
      await page.mouse.click(rect.x + x * scale, rect.y + y * scale);
      expect(await page.textContent('#inspector [data-field="group"]')).toBe(INJECTION);
      expect(await page.$$("img")).toHaveLength(0);
      expect(dialogs).toEqual([]);
      await page.close();
    });

    it("compares two runs on one timeline, with the difference of their allocation", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "c1-"))), replay(mkdtempSync(join(tmp, "c2-")), 4000)]);
      await seek(page, 20);
      expect(await page.$$("canvas[data-run]")).toHaveLength(2);
      // Run 2's task 8 takes all 4 cores of node 1: full there, half in run 1.
      expect(await pixel(page, 1, 1)).toEqual([...FULL]);
      expect(await pixel(page, 0, 1)).not.toEqual([...FULL]);
      expect(await page.textContent("#charts")).toContain("difference");
      expect(await page.textContent("#charts")).toContain("cost (so far)");
      expect(await page.textContent("#charts")).toContain("sandbox cold starts (so far)");
      await page.close();
    });

    it("draws a predictive HPA's forecast beside the rate that came, for the run that has one", async () => {
      const { page } = await open([
        replay(mkdtempSync(join(tmp, "f1-")), 2000, { forecast: true }),
        replay(mkdtempSync(join(tmp, "f2-"))),
      ]);
      type Charts = { title: string; labels: string[]; data: (number | null)[][] }[];
      const charts = await page.evaluate(() => (window as unknown as { viewer: { charts: Charts } }).viewer.charts);
      const rate = charts.find((c) => c.title === "api: requests per second")!;
      const names = await page.$$eval("#runs h2", (hs) => hs.map((h) => h.textContent));
      expect(rate.labels).toEqual([`${names[0]} rate/s`, `${names[1]} rate/s`, `${names[0]} forecast/s`]);
      // Samples at 0, 60 and 120 s: no forecast at 0; 11 and 9 against the 12 and 8 that came.
      expect(rate.data[0]).toEqual([0, 60, 120]);
      expect(rate.data[1]).toEqual([10, 12, 8]);
      expect(rate.data[3]).toEqual([null, 11, 9]);
      await page.close();
    });

    it("shows the run's clock on its charts, and each service once, the compared runs' lines overlaid and named", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "o1-"))), replay(mkdtempSync(join(tmp, "o2-")))]);
      await seek(page, 150);
      type Charts = { title: string; labels: string[]; data: (number | null)[][] }[];
      const charts = await page.evaluate(() => (window as unknown as { viewer: { charts: Charts } }).viewer.charts);
      const rate = charts.filter((c) => c.title.startsWith("api: requests per second"));
      expect(rate).toHaveLength(1);
      expect(rate[0].labels).toHaveLength(2);
      const names = await page.$$eval("#runs h2", (hs) => hs.map((h) => h.textContent));
      expect(rate[0].labels).toEqual(names.map((n) => `${n} rate/s`));
      // The legends read the cursor's time as the run's clock, not a calendar date: 150 s on the allocation
      // chart (300 points), the sample nearest it on a service's (one a minute).
      const legendTimes = await page.$$eval(".u-legend .u-series:first-child .u-value", (v) =>
        v.map((e) => e.textContent),
      );
      expect(legendTimes[0]).toBe("0:02:30");
      for (const text of legendTimes) expect(text).toMatch(/^\d+:\d\d:\d\d$/);
      await page.close();
    });

    it("reads the scenario's clock: the time shown as the time of day, midnight drawn, the named window shaded", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "m-")), 2000, { clock: true })]);
      await seek(page, 150);
      expect(await page.textContent("#clock")).toBe("00:00:50");
      expect(await page.textContent("#log")).toContain("23:58:30");
      const colourAt = (s: number) =>
        page.evaluate(
          ([title, at]) => {
            type V = { chartPoint(t: string, s: number): [number, number] };
            const [x, y] = (window as unknown as { viewer: V }).viewer.chartPoint(title as string, at as number);
            const box = document.querySelector(`#charts .chart[data-title="${title}"]`);
            const canvas = box?.querySelector("canvas") as HTMLCanvasElement;
            return [...canvas.getContext("2d")!.getImageData(Math.round(x), Math.round(y), 1, 1).data];
          },
          ["tasks waiting", s],
        );
      // The midnight line (#4e342e, opaque), the window's amber shade, and nothing drawn before either.
      expect((await colourAt(100)).slice(0, 3)).toEqual([0x4e, 0x34, 0x2e]);
      const shaded = await colourAt(137);
      expect(shaded[3]).toBeGreaterThan(0);
      expect(shaded[0]).toBeGreaterThan(shaded[2]);
      expect((await colourAt(67))[3]).toBe(0);
      await page.close();
    });

    it("tells the story at the time shown: the figures' strip, the call graph coloured by latency, the legend", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "g-")), 2000, { graph: true, serverless: true })]);
      await seek(page, 70);
      const field = (name: string) => page.textContent(`#now [data-field="${name}"]`);
      expect(await field("clock")).toBe("0:01:10");
      // api is the entry (db is called): its rate and p99 at the 60 s sample; 0.3 s of a 0.5 s objective is amber.
      expect(await field("rate-api")).toBe("12");
      expect(await field("latency-api")).toBe("0.300 s");
      expect(await page.$eval('#now [data-field="latency-api"]', (e) => (e as HTMLElement).style.color)).toBe(
        "rgb(255, 179, 0)",
      );
      expect(await page.$$('#now [data-field="rate-db"]')).toHaveLength(0);
      // Replicas: api's 2 (one on the serverless node) and db's 1: 2 on nodes, 1 serverless.
      expect(await field("replicas-nodes")).toBe("2");
      expect(await field("replicas-serverless")).toBe("1");
      expect(await field("cost")).toBe("1.50");
      expect(await field("cost-serverless")).toBe("0.50");
      const fill = (name: string) =>
        page.$eval(`#callgraph g[data-service="${name}"] rect`, (r) => r.getAttribute("fill"));
      // db at 0.6 s of its 0.25 s objective is red; after 120 s, 0.1 s is within half of it: green.
      expect(await fill("db")).toBe("#e53935");
      expect(await fill("api")).toBe("#ffb300");
      expect(await page.$$('#callgraph line[data-call="api→db"]')).toHaveLength(1);
      await seek(page, 130);
      expect(await fill("db")).toBe("#43a047");
      expect(await page.textContent("#legend")).toContain("100% of CPU allocated");
      await page.selectOption("#mode", "mem");
      expect(await page.textContent("#legend")).toContain("100% of memory allocated");
      expect(await page.textContent("#legend")).toContain("not in the cluster");
      // The replicas chart counts api's serverless replica; the cost chart its serverless part.
      type Charts = { title: string; labels: string[] }[];
      const charts = await page.evaluate(() => (window as unknown as { viewer: { charts: Charts } }).viewer.charts);
      expect(charts.find((c) => c.title === "api: replicas")?.labels).toContain("on serverless");
      expect(charts.find((c) => c.title === "cost (so far)")?.labels.some((l) => l.endsWith("serverless"))).toBe(true);
      await page.close();
    });

    it("keeps serverless containers apart from the cluster's share, as the run does, and gives wide axis labels room", async () => {
      const { page } = await open([
        replay(mkdtempSync(join(tmp, "v-")), 2000, { serverless: true, ratePerS: 123_456 }),
      ]);
      type Charts = { title: string; labels: string[]; data: (number | null)[][] }[];
      const charts = await page.evaluate(() => (window as unknown as { viewer: { charts: Charts } }).viewer.charts);
      const at = (title: string, timeS: number) => {
        const c = charts.find((x) => x.title === title)!;
        const k = c.data[0].findIndex((x) => (x ?? 0) >= timeS);
        return c.data[1][k];
      };
      // At 20 s: nodes 0 and 1 hold 4 + 2 of their 8 cores; the virtual node's 3 cores count apart.
      expect(at("cluster CPU allocated (share)", 20)).toBeCloseTo(6 / 8, 9);
      expect(at("serverless containers: cores allocated", 20)).toBe(3);
      // The rate axis's labels (six digits) are measured: its axis is wider than uPlot's default 50 px.
      const width = await page.evaluate(() => {
        const box = document.querySelector('#charts .chart[data-title="api: requests per second"]');
        const over = box ? (box.querySelector(".u-over") as HTMLElement | null) : null;
        return over ? over.offsetLeft : -1;
      });
      expect(width).toBeGreaterThan(60);
      await page.close();
    });

    it("answers keys: space plays and pauses, arrows step by 1% (10% with shift), + and − change the speed", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "k-")))]);
      const state = () =>
        page.evaluate(() => {
          const v = (window as unknown as { viewer: { timeS: number; playing: boolean } }).viewer;
          return {
            t: v.timeS,
            playing: v.playing,
            speed: (document.querySelector("#speed") as HTMLSelectElement).value,
          };
        });
      await page.click("#title");
      await page.keyboard.press("ArrowRight");
      expect((await state()).t).toBeCloseTo(2, 9); // 1% of the 200 s run
      await page.keyboard.press("Shift+ArrowRight");
      expect((await state()).t).toBeCloseTo(22, 9);
      await page.keyboard.press("ArrowLeft");
      expect((await state()).t).toBeCloseTo(20, 9);
      await page.keyboard.press("+");
      expect((await state()).speed).toBe("600");
      await page.keyboard.press("-");
      await page.keyboard.press("-");
      expect((await state()).speed).toBe("10");
      await page.keyboard.press("End");
      expect((await state()).t).toBe(200);
      await page.keyboard.press("Home");
      await page.keyboard.press(" ");
      expect((await state()).playing).toBe(true);
      await page.keyboard.press(" ");
      expect((await state()).playing).toBe(false);
      await page.close();
    });

    it("opens a replay by URL (?replay=), and a replay file dropped on the page", async () => {
      const served = await view([replay(mkdtempSync(join(tmp, "d-")))]);
      children.push(served.child);
      const page = await browser.newPage({ locale: LOCALE });
      page.setDefaultTimeout(HANG_GUARD_MS);
      await page.goto(`${served.url}?replay=runs/0/replay.jsonl`);
      await page.waitForFunction(() => (window as unknown as { viewer: { ready: boolean } }).viewer?.ready === true);
      expect(await page.textContent("#title")).toBe("0/replay.jsonl");
      // A dropped file replaces it: a replay of 3 nodes named by its file.
      const text = readFileSync(join(replay(mkdtempSync(join(tmp, "e-")), 4000), "replay.jsonl"), "utf8");
      await page.evaluate((content) => {
        const data = new DataTransfer();
        data.items.add(new File([content], "dropped.jsonl"));
        document.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
      }, text);
      await page.waitForFunction(() => document.querySelector("#title")?.textContent === "dropped.jsonl");
      await seek(page, 20);
      expect(await pixel(page, 0, 1)).toEqual([...FULL]);
      await page.close();
    });

    it("shows 10 MB names cut to a few hundred characters, as text, and stays usable", async () => {
      const huge = "n".repeat(10 * 2 ** 20);
      const dir = mkdtempSync(join(tmp, "h-"));
      const text = hostile(
        {
          scenario: INJECTION + huge,
          scheduler: huge,
          groups: [huge],
          services: [[INJECTION + huge, 0.99, 0.5]],
          windows: [[huge, 0, 10]],
          clockStartS: 0,
        },
        '[0,"a",1,1000,100,0]',
        '[1,"s",1,0]',
        '[2,"v",0,5,1,1,0.2,0]',
        '[3,"c",1,2]',
      );
      writeFileSync(join(dir, "replay.jsonl"), text);
      const { page, dialogs } = await open([dir]);
      const errors = uncaught(page);
      const meta = (await page.textContent(".run .meta"))!;
      expect(meta.startsWith(`${INJECTION}nnn`)).toBe(true);
      expect(meta).toContain("… · nnn");
      expect(meta.length).toBeLessThan(1000);
      // Every name on the page is cut: its whole text is far from the 50 MB of names in the file.
      expect((await page.textContent("body"))!.length).toBeLessThan(20_000);
      expect(await page.$$("img")).toHaveLength(0);
      await poke(page);
      await seek(page, 2);
      expect(await page.textContent("#callgraph [data-service] text")).toBe(`${INJECTION.slice(0, 15)}…`);
      // A dropped file's name is cut too.
      await drop(page, `${"f".repeat(2 ** 20)}.jsonl`, text);
      await page.waitForFunction(() => document.querySelector("#title")?.textContent?.startsWith("fff"));
      expect((await page.textContent("#title"))!.length).toBe(301);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      await page.close();
      // Two such runs side by side: each panel within its share of the page (a name is one long word).
      const two = await open([dir, dir]);
      const overflow = await two.page.evaluate(
        () =>
          new Promise<number>((settle) =>
            requestAnimationFrame(() => settle(document.documentElement.scrollWidth - window.innerWidth)),
          ),
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await two.page.close();
    });

    it("refuses a replay's wrong times and indexes with the line and the field, and throws nothing after", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "v-")))]);
      const errors = uncaught(page);
      const a = '[0,"a",1,1000,100,0]';
      const cases: [string, string][] = [
        [hostile({}, a, "", '[1,"s",1,99]'), "line 4: node: expected an index from 0 to 1, found 99"],
        [hostile({}, a, '[1e308,"s",1,0]'), "line 3: timeS: expected seconds from 0 to 1e12, found 1e+308"],
        [hostile({}, '[5,"a",1,1000,100,0]', '[1,"s",1,0]'), "line 3: timeS: expected events in time order"],
        [hostile({}, a, '[1,"v",7,1,1,1,0.1,0]'), "line 3: service: expected an index from 0 to 0, found 7"],
        [hostile({}, '[0,"a",1e999,1,1,0]'), "line 2: task: expected a task id, found Infinity"],
        [hostile({ durationS: -1 }), "line 1: durationS: expected seconds from 0 to 1e12, found -1"],
        [hostile({ calls: 5 }), "line 1: calls: expected an array, found 5"],
        [hostile({ nodes: [[4, 1, 1, 0]] }), "line 1: nodes[0][0] (group): expected an index of groups, 0 to 0"],
      ];
      for (const [text, message] of cases) {
        await drop(page, "hostile.jsonl", text);
        await page.waitForFunction((m) => document.querySelector("#title")?.textContent?.includes(m), message);
        expect(await page.textContent("#title")).toMatch(/^could not read the dropped file: line \d+: /);
        // Nothing half drawn is left behind, and the page still answers.
        expect(await page.evaluate(() => (window as unknown as { viewer: { runs: unknown[] } }).viewer.runs)).toEqual(
          [],
        );
        expect(await page.$$("canvas[data-run]")).toHaveLength(0);
        await poke(page);
      }
      expect(errors).toEqual([]);
      await page.close();
    });

    it("draws out-of-range quantities clamped: a 1e308 request fills its node, a 1e308 capacity shows empty", async () => {
      const { page } = await open([replay(mkdtempSync(join(tmp, "q-")))]);
      const errors = uncaught(page);
      const text = hostile(
        {
          nodes: [
            [0, 4000, 8192, 0, 1],
            [0, 1e308, 1e308, 1e308, 1],
          ],
          // A clock over a span of 3,000 years: no line per midnight; a window past both ends.
          clockStartS: 0,
          durationS: 1e11,
          windows: [["all", -1e308, 1e308]],
        },
        '[0,"a",1,1e308,1e308,1e308]',
        '[0,"a",2,1000,1e999,0]',
        '[1,"s",1,0]',
        '[1,"s",2,1]',
        '[2,"v",0,1e308,1e308,-5,1e308,1]',
        '[2,"n",1,1e999]',
        '[2,"c",1e308,1e308,1e308]',
      );
      await drop(page, "clamped.jsonl", text);
      await page.waitForFunction(() => document.querySelector("#title")?.textContent === "clamped.jsonl");
      await seek(page, 5);
      expect(await pixel(page, 0, 0)).toEqual([...FULL]);
      expect(await pixel(page, 0, 1)).toEqual([...EMPTY]);
      await poke(page);
      const charts = await page.evaluate(
        () => (window as unknown as { viewer: { charts: { data: (number | null)[][] }[] } }).viewer.charts,
      );
      for (const c of charts)
        for (const column of c.data) for (const v of column) expect(v === null || Number.isFinite(v)).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("refuses a replay too long for one string by its size, before reading it: served (630 MB) or dropped", async () => {
      // A sparse file: 630 MB as the server sees it (its Content-Length), no disk written.
      const dir = mkdtempSync(join(tmp, "big-"));
      writeFileSync(join(dir, "replay.jsonl"), "");
      truncateSync(join(dir, "replay.jsonl"), 630e6);
      const served = await view([dir]);
      children.push(served.child);
      const page = await browser.newPage({ locale: LOCALE });
      page.setDefaultTimeout(HANG_GUARD_MS);
      const errors = uncaught(page);
      await page.goto(served.url);
      await page.waitForFunction(() => document.querySelector("#title")?.textContent?.startsWith("could not"));
      expect(await page.textContent("#title")).toBe(
        "could not open the replay: runs/0/replay.jsonl is 630 MB; the viewer opens replays up to 537 MB " +
          "(V8's string limit): open a shorter run, or its start (head -n 1000000 replay.jsonl)",
      );
      // A dropped file's size is checked the same way; a limit lowered for the test stands for V8's.
      const small = await browser.newPage({ locale: LOCALE });
      small.setDefaultTimeout(HANG_GUARD_MS);
      await small.addInitScript(() => {
        (window as unknown as { clustersimMaxReplayBytes: number }).clustersimMaxReplayBytes = 1000;
      });
      const smallErrors = uncaught(small);
      await small.goto(served.url);
      await small.waitForFunction(() => document.querySelector("#title")?.textContent?.includes("up to 1000 bytes"));
      await drop(small, "dropped.jsonl", hostile({}, ...Array.from({ length: 100 }, (_, i) => `[${i},"d",0]`)));
      await small.waitForFunction(() => document.querySelector("#title")?.textContent?.includes("dropped.jsonl is"));
      expect(await small.textContent("#title")).toMatch(
        /^could not read the dropped file: dropped\.jsonl is \d{4} bytes; the viewer opens replays up to 1000 bytes/,
      );
      expect([...errors, ...smallErrors]).toEqual([]);
      await page.close();
      await small.close();
    });

    it("serves no link out of the run directory and no FIFO: a result file that is either is 404", async () => {
      const dir = replay(mkdtempSync(join(tmp, "l-")));
      const outside = join(mkdtempSync(join(tmp, "secret-")), "secret.csv");
      writeFileSync(outside, "not for the viewer\n");
      symlinkSync(outside, join(dir, "timeseries.csv"));
      execFileSync("mkfifo", [join(dir, "services.csv")]);
      const { url } = await view([dir]).then((v) => {
        children.push(v.child);
        return v;
      });
      expect((await fetch(`${url}runs/0/replay.jsonl`)).status).toBe(200);
      expect((await fetch(`${url}runs/0/timeseries.csv`)).status).toBe(404);
      expect((await fetch(`${url}runs/0/services.csv`)).status).toBe(404);
      // The server still answers after the FIFO (it never opened it).
      expect((await fetch(`${url}runs/0/replay.jsonl`)).status).toBe(200);
    });

    it("answers only the viewer's and the runs' files, under the token it printed: a .. path is 404", async () => {
      const { url } = await view([replay(mkdtempSync(join(tmp, "s-")))]).then((v) => {
        children.push(v.child);
        return v;
      });
      expect((await fetch(`${url}runs/0/replay.jsonl`)).status).toBe(200);
      for (const path of [
        "runs/0/../../../etc/passwd",
        "runs/0/%2e%2e/replay.jsonl",
        "runs/1/replay.jsonl",
        "../package.json",
        "runs/0/secret.txt",
      ]) {
        const r = await fetch(url + path);
        expect(r.status, path).toBe(404);
      }
      expect(new URL(url).hostname).toBe("127.0.0.1");
      const port = new URL(url).port;
      // Without the server's token, or with another, nothing: someone else on the machine who finds the port.
      expect((await fetch(`http://127.0.0.1:${port}/runs/0/replay.jsonl`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/${"0".repeat(32)}/runs/0/replay.jsonl`)).status).toBe(404);
      // Another Host (a name rebound to 127.0.0.1 by a page elsewhere) gets nothing, token or not.
      const path = `${new URL(url).pathname}runs/0/replay.jsonl`;
      const rebound = await new Promise<number>((ok) =>
        request({ host: "127.0.0.1", port, path, headers: { host: `evil.example:${port}` } }, (r) => {
          r.resume();
          ok(r.statusCode ?? 0);
        }).end(),
      );
      expect(rebound).toBe(404);
    });
  },
);
