import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { fuzz } from "../src/fuzz/fuzz.js";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const FIXTURES = new URL("./fixtures/fuzz/", import.meta.url).pathname;

describe("fuzzing the command's inputs", () => {
  it.each([
    [
      "empty.yaml",
      ["--set", "duration=60s"],
      /empty\.yaml: expected a scenario \(a mapping of fields\) to apply --set to, found an empty document/,
    ],
    ["alias-before-anchor.yaml", [], /alias-before-anchor\.yaml: expected valid YAML or JSON, found Unresolved alias/],
  ])("an input that once failed, %s, gets one line and exit code 2", (file, extra, message) => {
    const r = spawnSync(process.execPath, [BIN, "run", FIXTURES + file, "--out", "/nonexistent/x", ...extra], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it("a short run on mutated examples and trace heads: every input ends with exit 0 or 2, no internal error", async () => {
    // A count of inputs, not a time: a busy machine feeds the same ones, only later.
    const report = await fuzz({ seconds: 3600, inputs: 12, seed: 7, parallel: 2, timeoutMs: 60_000 });
    expect(report.inputs).toBe(12);
    expect(report.findings.map((f) => `${f.target}: ${f.why}\n${f.stderr}`)).toEqual([]);
  });
});
