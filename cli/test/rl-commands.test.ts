import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvalFigure } from "../src/commands/eval-rl.js";

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
    const rows = JSON.parse(e.stdout) as EvalFigure[];
    // Five heuristics and the agent, without and with backfilling, two metrics each, on the training
    // trace; then the agent's paired difference against each heuristic, without and with backfilling.
    expect(rows).toHaveLength(34);
    const paired = rows.filter((r) => r.metric === "boundedSlowdownDifference");
    expect(paired.map((r) => `${r.policy} − ${r.against}`)).toEqual(
      ["fcfs", "sjf", "wfp3", "uni", "f1"]
        .flatMap((h) => [`checkpoint − ${h}`])
        .concat(["fcfs", "sjf", "wfp3", "uni", "f1"].map((h) => `checkpoint+easy − ${h}+easy`)),
    );
    const figure = (p: string) => rows.find((r) => r.policy === p && r.metric === "boundedSlowdown")!;
    const vsF1 = paired.find((r) => r.against === "f1")!;
    // A mean of differences is the difference of means (to the figures' 4 decimals), inside its interval.
    expect(vsF1.value).toBeCloseTo(figure("checkpoint").value - figure("f1").value, 3);
    expect(vsF1.low! <= vsF1.value && vsF1.value <= vsF1.high!).toBe(true);
    expect(figure("f1").low! < figure("f1").value && figure("f1").value < figure("f1").high!).toBe(true);
    expect(new Set(rows.filter((r) => !r.against).map((r) => r.policy))).toEqual(
      new Set(["fcfs", "sjf", "wfp3", "uni", "f1", "checkpoint"].flatMap((p) => [p, `${p}+easy`])),
    );
    expect(rows.every((r) => r.task === "queue" && r.trace === "lublin_256.swf")).toBe(true);
    // The published heuristic figures (RLScheduler, SC'20, Table V): F1 258.37, SJF 277.35 on Lublin-1.
    const f1 = rows.find((r) => r.policy === "f1" && r.metric === "boundedSlowdown")!;
    expect(f1.value).toBeCloseTo(258.37, 2);

    // The table gives each mean its spread over the windows: a 95% interval around it, as wide as the
    // windows differ (F1's ten published windows of Lublin-1 range far apart, so it is wide).
    const text = cli(["eval-rl", join(out, "checkpoint.json")]);
    expect(text.status).toBe(0);
    const line = text.stdout.split("\n").find((l) => /^ {2}f1 /.test(l))!;
    const [mean, low, high] = /([\d.]+)\s+\[([\d.]+), ([\d.]+)\]/.exec(line)!.slice(1).map(Number);
    expect(mean).toBeCloseTo(258.37, 2);
    expect(low).toBeLessThan(mean);
    expect(high).toBeGreaterThan(mean);
    expect(high - low).toBeGreaterThan(10);
  });

  it("evaluates queue agents on the windows --starts names: the heuristics score there what repro rlscheduler scores", () => {
    const agent = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
    const e = cli(["eval-rl", agent, "--trace", LUBLIN1, "--starts", "0,95", "--json"]);
    expect(e.stderr).toBe("");
    const rows = (JSON.parse(e.stdout) as EvalFigure[]).filter((r) => r.metric === "boundedSlowdown");
    const repro = cli(["repro", "rlscheduler", "-t", LUBLIN1, "--starts", "0,95", "--json"]);
    const published = JSON.parse(repro.stdout) as {
      results: { policy: string; backfill: boolean; boundedSlowdown: number }[];
    };
    for (const r of published.results) {
      const policy = r.backfill ? `${r.policy}+easy` : r.policy;
      expect(rows.find((x) => x.policy === policy)?.value, policy).toBeCloseTo(r.boundedSlowdown, 3);
    }
    expect(rows.map((r) => r.policy)).toContain("ppo-queue-lublin1");
    const text = cli(["eval-rl", agent, "--trace", LUBLIN1, "--starts", "0,95"]).stdout;
    expect(text).toContain("over the windows at jobs 0,95 of 1024 jobs");
    expect(text).toMatch(/ppo-queue-lublin1 − f1 +-?\d+\.\d\d +\[/);
    // A window that would run past the trace's end, or what is not a job index in decimal digits
    // (Number() reads "0x10", "1e3" and " 5" as 16, 1000 and 5): exit 2, one line.
    for (const bad of ["8977", "1.5", "0,,95", "0x10", "1e3", " 5"]) {
      const r = cli(["eval-rl", agent, "--trace", LUBLIN1, "--starts", bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/^clustersim: --starts: expected comma-separated job indices from 0 to 8976 /);
    }
  });

  it("refuses a window given twice, and what is not a job index, in eval-rl and repro rlscheduler alike", () => {
    const agent = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
    // One window counted twice once printed a zero-width "95% interval".
    for (const command of [
      ["eval-rl", agent, "--trace", LUBLIN1],
      ["repro", "rlscheduler", "-t", LUBLIN1],
    ]) {
      const r = cli([...command, "--starts", "0,95,0"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe("clustersim: --starts: expected distinct job indices, found 0 twice\n");
    }
    for (const bad of ["0x10", "1e3", " 5", "-1", ""]) {
      const r = cli(["repro", "rlscheduler", "-t", LUBLIN1, "--starts", bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toBe(
        `clustersim: --starts: expected comma-separated job indices (whole numbers from 0, in decimal digits), found "${bad}"\n`,
      );
    }
  });

  it("gives no interval over one window: a dash in the table, null in JSON", () => {
    const agent = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
    const text = cli(["eval-rl", agent, "--trace", LUBLIN1, "--starts", "0"]);
    expect(text.status).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[1]).toBe('  no interval ("–"): one window gives none; give two or more --starts for one');
    expect(lines.find((l) => /^ {2}f1 /.test(l))).toMatch(/^ {2}f1 +\d+\.\d\d +–$/);
    expect(lines.find((l) => l.includes("ppo-queue-lublin1 − f1 "))).toMatch(/ -?\d+\.\d\d +–$/);
    expect(text.stdout).not.toMatch(/Infinity/);
    const rows = JSON.parse(
      cli(["eval-rl", agent, "--trace", LUBLIN1, "--starts", "0", "--json"]).stdout,
    ) as EvalFigure[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.low === null && r.high === null)).toBe(true);
  });

  it("refuses a file that is not a checkpoint, and a bad --epochs, with exit 2", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{}");
    const e = cli(["eval-rl", bad]);
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/expected a clustersim RL checkpoint/);
    // An option for the other kind of agent than the ones given.
    const queueAgent = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
    const p = cli(["eval-rl", queueAgent, "--pods", "x.csv"]);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--pods and --nodes: evaluate placement agents, and no checkpoint given is one/);
    const t = cli(["train-rl", file, "--epochs", "0"]);
    expect(t.status).toBe(2);
    expect(t.stderr).toMatch(/--epochs: expected an integer >= 1/);
  });

  it("evaluates the shipped placement agent under FGD's protocol beside FGD's heuristics, on a list it never saw", () => {
    const agent = new URL("../../examples/rl/ppo-placement-openb.json", import.meta.url).pathname;
    const e = cli(["eval-rl", agent, "--seeds", "2", "--json"]);
    expect(e.stderr).toBe("");
    expect(e.status).toBe(0);
    const rows = JSON.parse(e.stdout) as EvalFigure[];
    expect(rows.map((r) => r.policy)).toEqual([
      "random",
      "dot-product",
      "gpu-clustering",
      "gpu-packing",
      "gpu-best-fit",
      "fgd",
      "ppo-placement-openb",
    ]);
    expect(rows.every((r) => r.task === "placement" && r.trace === "openb_pod_list_default.csv")).toBe(true);
    expect(rows.every((r) => r.metric === "gpuAllocationPct")).toBe(true);
    const at = (p: string) => rows.find((r) => r.policy === p)!.value;
    // FGD (ATC'23) Fig. 7's means: BestFit 93.08, FGD 95.39 (two seeds here: within a point).
    expect(Math.abs(at("gpu-best-fit") - 93.08)).toBeLessThan(1);
    expect(Math.abs(at("fgd") - 95.39)).toBeLessThan(1);
    expect(at("ppo-placement-openb")).toBeGreaterThan(at("gpu-best-fit"));
  });

  it("trains a placement agent from an environment file (env: packing)", () => {
    const openb = new URL("../../../shared/traces/alibaba-gpu-v2023/", import.meta.url).pathname;
    const packing = join(dir, "packing.yaml");
    writeFileSync(
      packing,
      [
        "env: packing",
        `pods: ${openb}openb_pod_list_gpushare40.csv`,
        `nodes: ${openb}openb_node_list_gpu_node.csv`,
        "nodesPerEpisode: 16",
        "train: { epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1, validationSeeds: [1] }",
      ].join("\n"),
    );
    const out = join(dir, "packing-out");
    const t = cli(["train-rl", packing, "--out", out]);
    expect(t.stderr).toMatch(/^epoch 1: mean GPU allocation [\d.]+% over 2 episodes, [\d.]+% on the validation seeds/);
    expect(t.status).toBe(0);
    for (const f of ["checkpoint.json", "curve.csv", "curve.svg", "timing.json", "agent.json"])
      expect(existsSync(join(out, f))).toBe(true);
    // Bad input: each refused with a message and exit 2, before any training.
    const refused = (yaml: string, args: string[] = []) => {
      const f = join(dir, "bad-packing.yaml");
      writeFileSync(f, yaml);
      const r = cli(["train-rl", f, "--out", join(dir, "bad-out"), ...args]);
      expect(r.status, r.stderr).toBe(2);
      return r.stderr;
    };
    expect(refused("env: packing\npods: nowhere.csv\nnodes: nowhere.csv\n")).toMatch(
      /pods: expected a readable openb CSV file, found no such file/,
    );
    const cpuOnly = join(dir, "cpu-only.csv");
    writeFileSync(cpuOnly, "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,1024,0,0\n");
    const nodes = `nodes: ${openb}openb_node_list_gpu_node.csv\n`;
    expect(refused(`env: packing\npods: ${cpuOnly}\n${nodes}`)).toMatch(/expected pods that request GPUs, found none/);
    expect(refused(`env: packing\npods: ${openb}openb_pod_list_default.csv\n${nodes}`)).toMatch(
      /nodesPerEpisode: expected at most 512 nodes per training episode .*found 1213 \(0: the whole list\)/,
    );
    // An agent file has no optimiser state to resume from.
    expect(refused(readFileSync(packing, "utf8"), ["--resume", join(out, "agent.json")])).toMatch(
      /--resume .*agent\.json: adam: expected a training checkpoint \(checkpoint\.json/,
    );
  });
});
