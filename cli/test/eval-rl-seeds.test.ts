import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvalFigure } from "../src/commands/eval-rl.js";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;
const SHIPPED = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;

describe("eval-rl on a temporal split, with training seeds pooled", () => {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-rl-seeds-"));
  const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: dir });
  const file = join(dir, "split.yaml");
  // Lublin-1's 10,000 jobs: test = jobs 6,928 to 9,999 (3 windows of 1,024), validation = 4,880 to
  // 6,927, training = the 4,880 jobs before.
  writeFileSync(
    file,
    `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 32\nsplit: { validationWindows: 2, testWindows: 3 }\ntrain: { epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1 }\n`,
  );
  const seed = (n: number) => {
    const t = cli(["train-rl", file, "--seed", String(n), "-q"]);
    expect(t.status, t.stderr).toBe(0);
    // Another seed gets a folder of its own by default.
    const agent = join(dir, "results", `rl-split-seed${n}`, "agent.json");
    expect(existsSync(agent)).toBe(true);
    return agent;
  };

  it("evaluates on the split's test windows by default and pools the seeds over seeds × windows", () => {
    const [a, b] = [seed(1), seed(2)];
    const e = cli(["eval-rl", a, b, "--pool", "ppo", "--json"]);
    expect(e.status, e.stderr).toBe(0);
    const rows = JSON.parse(e.stdout) as EvalFigure[];
    const get = (policy: string, metric = "boundedSlowdown", against?: string) =>
      rows.find((r) => r.policy === policy && r.metric === metric && r.against === against)!;
    // The heuristics on the test windows are repro rlscheduler's on the same starts.
    const repro = cli(["repro", "rlscheduler", "-t", LUBLIN1, "--starts", "6928,7952,8976", "--json"]);
    const f1 = JSON.parse(repro.stdout).results.find(
      (x: { policy: string; backfill: boolean }) => x.policy === "f1" && !x.backfill,
    );
    expect(get("f1").value).toBeCloseTo(f1.boundedSlowdown, 3);
    expect(get("f1").windows).toBe(3);
    // No test window holds a job either seed trained on.
    for (const r of rows.filter((x) => x.windowsTrainedOn !== undefined)) expect(r.windowsTrainedOn).toBe(0);
    expect(rows.filter((x) => x.windowsTrainedOn === 0)).toHaveLength(8); // 2 seeds × 2 modes × 2 metrics
    // Both files are agent.json: each is named by its folder too. The pool's mean is the mean of their
    // two means (each over the same three windows), inside its interval; seeds and windows are said.
    const members = ["rl-split-seed1/agent", "rl-split-seed2/agent"].map((p) => get(p));
    const pooled = get("ppo");
    expect(pooled.value).toBeCloseTo((members[0]!.value + members[1]!.value) / 2, 3);
    expect(pooled).toMatchObject({ seeds: 2, windows: 3 });
    expect(pooled.low! < pooled.value && pooled.value < pooled.high!).toBe(true);
    // Against F1: the pool's mean less F1's, with an interval over seeds × windows.
    const vsF1 = get("ppo", "boundedSlowdownDifference", "f1");
    expect(vsF1.value).toBeCloseTo(pooled.value - get("f1").value, 3);
    expect(vsF1).toMatchObject({ seeds: 2, windows: 3 });
    expect(get("ppo+easy", "boundedSlowdownDifference", "f1+easy").seeds).toBe(2);

    // The paper's ten windows on demand, six of which (1,981 to 4,299) lie in the training jobs.
    const published = cli(["eval-rl", a, "--windows", "published"]);
    expect(published.stdout).toContain("over the ten published windows of 1024 jobs");
    // Before the test windows (job 6,928) are seven of the ten: 1,981 to 4,299 train, 5,228 validates.
    expect(published.stdout).toContain("  agent: 7 of these 10 windows hold jobs it trained or was validated on");
    // Back to back over the whole trace: nine windows of 1,024.
    const tiled = JSON.parse(cli(["eval-rl", a, "--windows", "tiled", "--json"]).stdout) as EvalFigure[];
    expect(tiled.find((r) => r.policy === "f1")!.windows).toBe(9);

    // Refused: a pool of one, a seed twice, a checkpoint of other settings, test windows of an agent
    // trained on the whole trace, an unknown kind, and --windows beside --starts.
    const refused = (args: string[], why: RegExp) => {
      const r = cli(["eval-rl", ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(why);
    };
    refused([a, "--pool", "ppo"], /--pool: .*expected 2 or more queue checkpoints, found 1/);
    refused([a, a, "--pool", "ppo"], /expected checkpoints of distinct names, found rl-split-seed1\/agent twice/);
    const again = join(dir, "results", "rl-split-seed1", "again.json");
    copyFileSync(a, again);
    refused(
      [a, again, "--pool", "ppo"],
      /--pool: expected distinct training seeds, found seed 1 in .*agent\.json and .*again\.json/,
    );
    refused(
      [a, SHIPPED, "--pool", "ppo"],
      /--pool: expected training seeds of one agent, found .* \(only train\.seed may differ\)/,
    );
    refused([SHIPPED, "--windows", "test"], /--windows test: .*ppo-queue-lublin1\.json trained without a split/);
    // A split agent beside one without: test windows by default, and refused.
    refused([a, SHIPPED], /--windows test: .*ppo-queue-lublin1\.json trained without a split/);
    refused([a, b, "--pool", "ppo", "--starts", "0,95"], /--pool: expected 3 or more windows .* found 2/);
    refused([a, b, "--pool", "f1"], /--pool: expected a name no heuristic or agent has, found "f1"/);
    const sjf = join(dir, "results", "rl-split-seed1", "sjf.json");
    copyFileSync(a, sjf);
    refused([sjf], /an agent named "sjf" would be read as the heuristic of that name/);
    // An agent of the engine's physics is evaluated there, heuristics too, and never beside the paper's.
    const engine = join(dir, "engine.yaml");
    writeFileSync(
      engine,
      `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 32\nsemantics: engine\ntrain: { epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1 }\n`,
    );
    expect(cli(["train-rl", engine, "-q", "--out", join(dir, "engine")]).status).toBe(0);
    const inEngine = cli(["eval-rl", join(dir, "engine", "checkpoint.json"), "--starts", "0,1024"]);
    expect(inEngine.stdout).toContain("over the windows at jobs 0,1024 of 1024 jobs, in the engine's batch queue");
    refused(
      [a, join(dir, "engine", "checkpoint.json")],
      /trained in the engine semantics and .* in the compat: evaluate them apart/,
    );
    refused([a, "--windows", "last"], /--windows: expected one of published, test, tiled, found "last"/);
    refused([a, "--windows", "test", "--starts", "0,95"], /--starts and --windows: give one/);
  });

  it("refuses a seed that is not a whole number", () => {
    const t = cli(["train-rl", file, "--seed", "1.5"]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/--seed: expected a whole number from 0, found "1\.5"/);
  });
});

describe("the five agents trained under the split (examples/rl/ppo-split), as docs/guide/rl.md reports them", () => {
  const root = new URL("../../", import.meta.url).pathname;
  const agents = [1, 2, 3, 4, 5].map((s) => `${root}examples/rl/ppo-split/seed${s}/agent.json`);
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, "eval-rl", ...agents, "--pool", "ppo", "--json", ...args], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as EvalFigure[];
    return (policy: string, against?: string) =>
      rows.find(
        (x) =>
          x.policy === policy &&
          x.against === against &&
          x.metric === (against ? "boundedSlowdownDifference" : "boundedSlowdown"),
      )!;
  };

  /** A figure as the JSON gives it (4 decimals), against the docs' (2). */
  const near = (f: EvalFigure, want: Record<string, number>) => {
    for (const [k, v] of Object.entries(want)) expect((f as unknown as Record<string, number>)[k], k).toBeCloseTo(v, 2);
  };

  it("show no lead over SJF or F1 on Lublin-1's test windows, and lose to SJF with EASY on Lublin-2", () => {
    const l1 = run([]);
    near(l1("ppo"), { value: 280.42, low: 137.47, high: 423.37, seeds: 5, windows: 3 });
    expect(l1("f1").value).toBeCloseTo(240.53, 2);
    expect(l1("sjf").value).toBeCloseTo(272.48, 2);
    near(l1("ppo", "f1"), { value: 39.89, low: -64.53, high: 144.31 });
    near(l1("ppo", "sjf"), { value: 7.94, low: -23.76, high: 39.64 });
    near(l1("ppo+easy", "sjf+easy"), { value: -3.49, low: -35.9, high: 28.91 });
    near(l1("ppo+easy", "f1+easy"), { value: 8.38, low: -45.01, high: 61.77 });
    const l2 = run(["--trace", `${root}../shared/traces/swf/lublin_256_new2.swf`, "--windows", "tiled"]);
    near(l2("ppo"), { value: 706.62, seeds: 5, windows: 9 });
    near(l2("ppo", "f1"), { value: -77.69, low: -442.49, high: 287.11 });
    near(l2("ppo+easy", "sjf+easy"), { value: 82.04, low: 11.15, high: 152.92 });
  });
});
