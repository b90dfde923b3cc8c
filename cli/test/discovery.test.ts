import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const clustersim = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("what a new user can ask the command", () => {
  it("lists every strategy and queue policy with its parameters and their defaults", () => {
    const r = clustersim("schedulers", "--json");
    expect(r.status).toBe(0);
    const all = JSON.parse(r.stdout) as { name: string; kind: string; params: { name: string; default?: unknown }[] }[];
    const fcfs = all.find((s) => s.name === "fcfs")!;
    expect(fcfs.kind).toBe("queue");
    expect(fcfs.params).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "backfill", default: "none" }),
        expect.objectContaining({ name: "placement", default: "first-fit" }),
      ]),
    );
    expect(all.find((s) => s.name === "fgd")!.params.map((p) => p.name)).toContain("coverage");
    const text = clustersim("schedulers").stdout;
    expect(text).toMatch(/^best-fit \(placement strategy\): /m);
  });

  it("prints the JSON Schema of sweep files beside the scenario files' one", () => {
    const r = clustersim("schema", "--sweep");
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["scenarios", "schedulers", "seeds", "parameters"]),
    );
    const scenario = JSON.parse(clustersim("schema").stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(scenario.properties)).toContain("workloads");
  });

  it("runs a scenario with its invariants checked after every event (--check)", () => {
    const rack = new URL("../../examples/hardware/rack-outage.yaml", import.meta.url).pathname;
    const out = mkdtempSync(join(tmpdir(), "clustersim-check-"));
    const r = clustersim("run", rack, "--check", "--quiet", "--out", out, "--set", "duration=1h");
    expect(r.status, r.stderr).toBe(0);
  });
});

describe("commands load only what they use", () => {
  it("answer --version, validate and schedulers under a 4 GB address-space limit (no WebAssembly loaded)", () => {
    const scenario = new URL("../../examples/scenarios/poisson-small.yaml", import.meta.url).pathname;
    const run = (args: string) =>
      spawnSync("sh", ["-c", `ulimit -v 4000000 && "${process.execPath}" "${BIN}" ${args}`], { encoding: "utf8" });
    expect(run("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const v = run(`validate "${scenario}"`);
    expect(v.status, v.stderr).toBe(0);
    expect(run("schedulers").status).toBe(0);
    // A run writes Parquet through WebAssembly, whose memory V8 cannot reserve under that limit: said so.
    const out = mkdtempSync(join(tmpdir(), "clustersim-ulimit-"));
    const r = run(`run "${scenario}" --quiet --out "${out}"`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^clustersim: out of address space for WebAssembly .*ulimit -v.*\n$/);
    expect(existsSync(join(out, "summary.json"))).toBe(false);
  });
});

describe("sweep workers", () => {
  it("are capped at the machine's cores unless --oversubscribe asks for more", () => {
    const cores = availableParallelism();
    const sweep = new URL("../../examples/sweep-quick.yaml", import.meta.url).pathname;
    const out = mkdtempSync(join(tmpdir(), "clustersim-workers-"));
    const r = spawnSync(process.execPath, [BIN, "sweep", sweep, "--out", out, "--workers", String(cores + 6)], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`--workers ${cores + 6} capped at ${cores}`);
    expect(r.stdout).toContain(`${cores} worker(s)`);
    rmSync(out, { recursive: true, force: true });
  });
});
