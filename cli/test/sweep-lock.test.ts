import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The built command, run as a user runs it (npm test builds first).
const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const SWEEP = new URL("../../examples/sweep-quick.yaml", import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), "clustersim-lock-"));

describe("clustersim sweep into a locked directory", () => {
  it("exits 2 naming the sweep that holds it, and writes nothing", () => {
    const out = tmp();
    // This test's own process: alive, on this host, and not the command's.
    const holder = {
      pid: process.pid,
      tag: `${process.pid}.test`,
      host: hostname(),
      startedAt: "2024-05-01T12:00:00.000Z",
      sweep: "/elsewhere/big.yaml",
      command: "sweep",
    };
    writeFileSync(join(out, ".lock"), JSON.stringify(holder));
    const r = spawnSync(process.execPath, [BIN, "sweep", SWEEP, "--out", out, "--quiet"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `clustersim: --out ${out}: locked by a sweep of /elsewhere/big.yaml (pid ${process.pid}, since 2024-05-01T12:00:00.000Z): wait for it to finish or choose another --out; if it no longer runs, remove ${out}/.lock\n`,
    );
    expect(readdirSync(out)).toEqual([".lock"]);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("is unlocked when the sweep holding it ends on %s", async (signal) => {
    const out = join(tmp(), "out");
    const child = spawn(process.execPath, [BIN, "sweep", SWEEP, "--out", out, "--quiet"], { stdio: "ignore" });
    const ended = new Promise<NodeJS.Signals | null>((done) => child.once("exit", (_code, s) => done(s)));
    while (!existsSync(join(out, ".lock")) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode).toBe(null);
    child.kill(signal);
    // Ended by the signal, as without the lock: the handler removes the lock and raises it again.
    expect(await ended).toBe(signal);
    expect(existsSync(join(out, ".lock"))).toBe(false);
  });
});

describe("clustersim sweep into another sweep's directory", () => {
  it("exits 2 naming both sweeps; with --start-over replaces the other's files", () => {
    const out = tmp();
    mkdirSync(join(out, "runs"));
    writeFileSync(join(out, "sweep.json"), JSON.stringify({ file: "/elsewhere/other.yaml", spec: { name: "other" } }));
    const r = spawnSync(process.execPath, [BIN, "sweep", SWEEP, "--out", out, "--quiet"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `clustersim: --out ${out}: holds the results of /elsewhere/other.yaml, not of ${SWEEP}: choose another --out, or start over (--start-over) to replace them\n`,
    );
    const again = spawnSync(process.execPath, [
      BIN,
      "sweep",
      SWEEP,
      "--out",
      out,
      "--quiet",
      "--start-over",
      "-w",
      "2",
    ]);
    expect(again.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")).file).toBe(SWEEP);
    expect(readdirSync(join(out, "runs"))).toHaveLength(12);
  });
});
