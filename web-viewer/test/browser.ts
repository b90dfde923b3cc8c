/**
 * Which Chromium the viewer's tests drive. A machine needs no system package: in order,
 *  1. the binary named by CLUSTERSIM_CHROMIUM;
 *  2. a system Chromium or Chrome (Debian's `chromium`, which `.ci/run` installs);
 *  3. the Chromium that `@sparticuz/chromium` (a dev dependency) unpacks, on x64 or arm64 Linux — a
 *     headless build linked only against libc, libgcc and libexpat, so `npm ci` alone is enough there.
 * With none of them the tests fail with the one command that installs one. CLUSTERSIM_SKIP_BROWSER=1
 * skips them instead, and the suite's name says so.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

/** Flags for a headless run in a container: no sandbox (root), no GPU, nothing fetched. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const SYSTEM = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

export const SKIP_BROWSER = process.env.CLUSTERSIM_SKIP_BROWSER === "1";

export interface FoundBrowser {
  executablePath: string;
  args: string[];
  /** Where it came from, for the message of a failing launch. */
  source: string;
}

/** The browser to drive, or an error saying how to get one. */
export async function findBrowser(
  env: NodeJS.ProcessEnv = process.env,
  systemPaths: readonly string[] = SYSTEM,
): Promise<FoundBrowser> {
  const named = env.CLUSTERSIM_CHROMIUM;
  if (named) {
    if (!existsSync(named)) throw new Error(`CLUSTERSIM_CHROMIUM names ${named}, which does not exist`);
    return { executablePath: named, args: FLAGS, source: "CLUSTERSIM_CHROMIUM" };
  }
  const system = systemPaths.find((p) => existsSync(p));
  if (system) return { executablePath: system, args: FLAGS, source: "the system's" };
  if (process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64")) {
    const fromNpm = await npmChromium();
    if (fromNpm) return { executablePath: fromNpm, args: FLAGS, source: "@sparticuz/chromium's" };
  }
  throw new Error(
    "the viewer's tests need a Chromium and found none (no CLUSTERSIM_CHROMIUM, no system chromium or " +
      "chrome, no @sparticuz/chromium for this platform): install one with `apt-get install chromium`, " +
      "or skip these tests with CLUSTERSIM_SKIP_BROWSER=1",
  );
}

/** The npm package's binary, unpacked on first use (into the system's temporary folder). */
export async function npmChromium(): Promise<string | undefined> {
  let specifier: string;
  try {
    specifier = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  } catch {
    return undefined;
  }
  const mod = (await import(specifier)) as { default: { executablePath(): Promise<string> } };
  return mod.default.executablePath();
}
