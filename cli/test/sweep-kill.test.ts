import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SWEEP = new URL("../../examples/sweep-quick.yaml", import.meta.url).pathname;
/** The outputs that hold results (timing.csv holds wall-clock times, which differ from run to run). */
const RESULTS = ["results.csv", "report.json", "report.md", "sweep.json"];

const recorded = (out: string) =>
  existsSync(join(out, "runs")) ? readdirSync(join(out, "runs")).filter((f) => f.endsWith(".json")).length : 0;

/** Start the sweep into `out` and SIGKILL it once `runs` run records exist (0: as soon as it started). */
async function killAfter(out: string, runs: number): Promise<void> {
  const child = spawn(process.execPath, [BIN, "sweep", SWEEP, "--out", out, "--quiet"], { stdio: "ignore" });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  for (;;) {
    if (child.exitCode !== null) break;
    if (recorded(out) >= runs) {
      child.kill("SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await exited;
}

describe("a sweep killed with SIGKILL, then run again", () => {
  it("resumes to outputs byte-identical to an uninterrupted sweep's, losing only the runs under way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-kill-"));
    const whole = join(dir, "whole");
    expect(spawnSync(process.execPath, [BIN, "sweep", SWEEP, "--out", whole, "--quiet"]).status).toBe(0);

    const killed = join(dir, "killed");
    // Killed at three moments: while starting, and after 3 and 9 of its 12 runs were recorded.
    const seen: number[] = [];
    for (const runs of [0, 3, 9]) {
      await killAfter(killed, runs);
      seen.push(recorded(killed));
    }
    // Each kill lost at most the run under way: what was recorded stays recorded.
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThanOrEqual(seen[k - 1]!);
    const resumed = spawnSync(process.execPath, [BIN, "sweep", SWEEP, "--out", killed], { encoding: "utf8" });
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`${seen.at(-1)} already done`));
    for (const f of RESULTS) {
      expect(readFileSync(join(killed, f), "utf8"), f).toBe(readFileSync(join(whole, f), "utf8"));
    }
    // Nothing of the killed processes is left behind: no temporary files, no journal.
    const left = readdirSync(killed, { recursive: true }).map(String);
    expect(left.filter((f) => /\.tmp|journal/.test(f))).toEqual([]);
  });
});
