import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;

describe("the plug-in API pages (npm run docs)", () => {
  it("document the strategy and controller interfaces with their members and comments", () => {
    const out = mkdtempSync(join(tmpdir(), "clustersim-docs-"));
    const bin = join(ROOT, "node_modules", "typedoc", "bin", "typedoc");
    const r = spawnSync(process.execPath, [bin, "--options", "docs/typedoc.json", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const page = (name: string) => readFileSync(join(out, "interfaces", `${name}.html`), "utf8");
    expect(page("PlacementStrategy")).toContain("decide");
    expect(page("ControllerContext")).toContain("addNodes");
    expect(page("ControllerContext")).toContain("Make up to");
    expect(page("RunEvents")).toContain("preempt");
  });
});
