/**
 * The viewer's tests find a browser without system packages where npm has one: the order of
 * browser.ts, and the npm Chromium actually starting and drawing on this machine.
 */
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { findBrowser, npmChromium } from "./browser.js";

const NPM_PLATFORM = process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");

describe("which browser the viewer's tests drive", () => {
  it("takes CLUSTERSIM_CHROMIUM first, and refuses one that does not exist", async () => {
    await expect(findBrowser({ CLUSTERSIM_CHROMIUM: "/nowhere/chromium" })).rejects.toThrow(
      "CLUSTERSIM_CHROMIUM names /nowhere/chromium, which does not exist",
    );
    expect((await findBrowser({ CLUSTERSIM_CHROMIUM: process.execPath })).executablePath).toBe(process.execPath);
  });

  it("takes a system browser before npm's", async () => {
    const found = await findBrowser({}, ["/nowhere/chromium", process.execPath]);
    expect(found).toMatchObject({ executablePath: process.execPath, source: "the system's" });
  });

  it.runIf(NPM_PLATFORM)(
    "falls back to the Chromium npm installed, which starts here and draws on a canvas",
    async () => {
      const found = await findBrowser({}, ["/nowhere/chromium"]);
      expect(found.source).toBe("@sparticuz/chromium's");
      expect(found.executablePath).toBe(await npmChromium());
      const browser = await chromium.launch({ executablePath: found.executablePath, args: found.args });
      try {
        const page = await browser.newPage({ locale: "en-US" });
        await page.setContent("<canvas width=4 height=4></canvas>");
        const red = await page.evaluate(() => {
          const c = document.querySelector("canvas")!.getContext("2d")!;
          c.fillStyle = "rgb(200, 10, 20)";
          c.fillRect(0, 0, 4, 4);
          return [...c.getImageData(1, 1, 1, 1).data];
        });
        expect(red).toEqual([200, 10, 20, 255]);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );

  it.runIf(!NPM_PLATFORM)("fails naming the command that installs one where npm has none", async () => {
    await expect(findBrowser({}, [])).rejects.toThrow("apt-get install chromium");
  });
});
