import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("clustersim train-rl and eval-rl", () => {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-rl-cli-"));
  const file = join(dir, "env.yaml");
  writeFileSync(
    file,
    `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 32\ntrain: { epochs: 2, trajectories: 2, trainPiIters: 2, trainVIters: 2 }\n`,
  );

  it("trains, writes the checkpoint and the learning curve, and evaluates the checkpoint beside the heuristics", () => {
    const out = join(dir, "out");
    const t = cli(["train-rl", file, "--out", out]);
    expect(t.stderr).toMatch(/^epoch 1: mean bounded slowdown [\d.]+ over 2 episodes/);
    expect(t.status).toBe(0);
    expect(t.stdout).toContain(`results in ${out}`);
    for (const f of ["checkpoint.json", "curve.csv", "curve.svg", "timing.json"])
      expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, "curve.svg"), "utf8")).toMatch(/^<svg [^>]*>[\s\S]*<path d="M/);

    const e = cli(["eval-rl", join(out, "checkpoint.json"), "--json"]);
    expect(e.status).toBe(0);
    const rows = JSON.parse(e.stdout) as {
      task: string;
      trace: string;
      policy: string;
      metric: string;
      value: number;
    }[];
    // Five heuristics and the agent, without and with backfilling, two metrics each, on the training trace.
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.policy))).toEqual(
      new Set(["fcfs", "sjf", "wfp3", "uni", "f1", "checkpoint"].flatMap((p) => [p, `${p}+easy`])),
    );
    expect(rows.every((r) => r.task === "queue" && r.trace === "lublin_256.swf")).toBe(true);
    // The published heuristic figures (RLScheduler, SC'20, Table V): F1 258.37, SJF 277.35 on Lublin-1.
    const f1 = rows.find((r) => r.policy === "f1" && r.metric === "boundedSlowdown")!;
    expect(f1.value).toBeCloseTo(258.37, 2);
  }, 120_000);

  it("refuses a file that is not a checkpoint, and a bad --epochs, with exit 2", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    const e = cli(["eval-rl", bad]);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/expected a clustersim RL checkpoint/);
    const t = cli(["train-rl", file, "--epochs", "0"]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/--epochs: expected an integer >= 1/);
  });
});
