import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SCENARIO = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;

// A full disk: a 256 KiB tmpfs, which mounting needs root for (as the CI machine is).
const mountPoint = mkdtempSync(join(tmpdir(), "clustersim-full-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]).status === 0;
afterAll(() => {
  if (mounted) spawnSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe("a full disk", () => {
  it.runIf(mounted)("is reported as such, exit 1, with no partial files left (needs root to mount a tmpfs)", () => {
    const out = join(mountPoint, "run");
    const r = spawnSync(process.execPath, [BIN, "run", SCENARIO, "--out", out], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^clustersim: no space left on the device.*\(ENOSPC\)/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
  });
});
