import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cliReference } from "../src/cli-reference.js";

describe("docs/cli.md", () => {
  it("is the command's own help, up to date (regenerate with npm run docs:cli)", () => {
    const file = new URL("../../docs/cli.md", import.meta.url);
    expect(readFileSync(file, "utf8")).toBe(cliReference());
    // Every command and its options are there: spot-check ones added recently.
    expect(cliReference()).toContain("--run-timeout <seconds>");
    expect(cliReference()).toContain("--check");
    expect(cliReference()).toContain("## `clustersim repro fgd`");
    expect(cliReference()).toContain("## `clustersim search`");
    expect(cliReference()).toContain("--objective <expr>");
  });
});
