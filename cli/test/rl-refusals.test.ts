import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Checkpoints and trainings that once gave a score, a NaN checkpoint or an internal error: each now
 * gets one line naming what is wrong, exit 2 for bad input, exit 1 for a training that stopped.
 */
const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;
const QUEUE_AGENT = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
const PLACEMENT_AGENT = new URL("../../examples/rl/ppo-placement-openb.json", import.meta.url).pathname;
const LUBLIN_WINDOW = new URL("../../examples/scenarios/lublin-window.yaml", import.meta.url).pathname;
const cli = (args: string[], o: { cwd?: string; input?: string } = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", ...o });

/** A refusal: exit 2, one line on stderr, no internal error or stack trace. */
function refused(r: ReturnType<typeof cli>): string {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  return r.stderr;
}

const dir = mkdtempSync(join(tmpdir(), "clustersim-rl-refuse-"));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
};
/** A queue environment file of 32-job episodes on Lublin-1 with the given training settings. */
const envFile = (name: string, train: string) =>
  write(name, `env: queue\ntrace: ${LUBLIN1}\nsequenceJobs: 32\ntrain: ${train}\n`);
const TINY = "epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1";

describe("train-rl stops a training whose numbers are not finite", () => {
  it("rewardScale 1e-320: exit 1 at epoch 1, naming the quantity, and no checkpoint", () => {
    const file = envFile("nan.yaml", `{ ${TINY}, rewardScale: 1e-320 }`);
    const out = join(dir, "nan-out");
    const r = cli(["train-rl", file, "--out", out, "--quiet"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^clustersim: train-rl: training stopped at epoch 1: the returns are not finite \(-Infinity at decision \d+ of \d+\): the rewards divided by train\.rewardScale \(1e-320\) overflow; no checkpoint was written\n$/,
    );
    expect(existsSync(join(out, "checkpoint.json"))).toBe(false);
  });
});

describe("eval-rl and a scenario's checkpoint refuse a corrupted checkpoint, naming the tensor", () => {
  const shipped = () => JSON.parse(readFileSync(QUEUE_AGENT, "utf8"));
  // Each variant as a file; "INF" stands for 1e999, which JSON cannot write but a file can hold.
  const variants: [string, () => unknown, RegExp][] = [
    [
      "one-short",
      () => ({ ...shipped(), params: shipped().params.slice(0, -1) }),
      /params: expected 12531 numbers \(actor 8-32-16-8-1: 961, critic\.kernel 8-32-16-8-1: 961, critic\.head 128-64-32-8-1: 10609\), found 12530: it ends inside critic\.head\.layer4\.bias \(0 of its 1 values\)/,
    ],
    [
      "1000-extra",
      () => ({ ...shipped(), params: [...shipped().params, ...new Array(1000).fill(0.1)] }),
      /params: expected 12531 numbers .*, found 13531: 1000 past the last tensor, critic\.head\.layer4\.bias/,
    ],
    [
      // Index 961 is the first of the critic's kernel.
      "1e999",
      () => {
        const c = shipped();
        c.params[961] = "INF";
        return c;
      },
      /params\[961\] \(critic\.kernel\.layer1\.weight\[0\]\[0\]\): expected a finite number, found Infinity\n/,
    ],
    [
      "all-null",
      () => ({ ...shipped(), params: shipped().params.map(() => null) }),
      /params\[0\] \(actor\.layer1\.weight\[0\]\[0\]\): expected a finite number, found null .*\(and 12530 more of the 12531 are not finite\)/,
    ],
    [
      "placement-as-queue",
      () => ({ ...JSON.parse(readFileSync(PLACEMENT_AGENT, "utf8")), task: "queue" }),
      /task: expected "placement", as its networks \(placement-kernel\) are, found "queue"/,
    ],
  ];
  const files = new Map(
    variants.map(([name, make]) => [name, write(`${name}.json`, JSON.stringify(make()).replace('"INF"', "1e999"))]),
  );

  it.each(variants)("eval-rl refuses %s with exit 2", (name, _, message) => {
    const file = files.get(name)!;
    expect(refused(cli(["eval-rl", file]))).toMatch(new RegExp(`^clustersim: ${file}: ${message.source}`));
  });

  it.each(variants.filter(([name]) => name !== "placement-as-queue"))(
    "a scenario's scheduler.params.checkpoint refuses %s with exit 2, before the run",
    (name, _, message) => {
      const file = files.get(name)!;
      const scenario = write(
        `run-${name}.yaml`,
        readFileSync(LUBLIN_WINDOW, "utf8")
          .replaceAll("../../../shared/traces/swf/lublin_256.swf", LUBLIN1)
          .replace("name: fcfs", "name: rl-kernel")
          .replace("params: { backfill: easy }", `params: { backfill: easy, checkpoint: ${file} }`),
      );
      const r = cli(["run", scenario, "--out", join(dir, `run-${name}-out`), "--quiet"]);
      expect(refused(r)).toMatch(
        new RegExp(`^clustersim: ${scenario}: scheduler\\.params\\.checkpoint \\(${file}\\): ${message.source}`),
      );
    },
  );

  it("refuses what is not a checkpoint file: missing, a directory, empty", () => {
    mkdirSync(join(dir, "a-folder"), { recursive: true });
    const empty = write("empty.json", "");
    expect(refused(cli(["eval-rl", join(dir, "missing.json")]))).toMatch(
      /missing\.json: expected a checkpoint file \(JSON\), found no such file\n$/,
    );
    expect(refused(cli(["eval-rl", join(dir, "a-folder")]))).toMatch(
      /a-folder: expected a checkpoint file, found a directory\n$/,
    );
    expect(refused(cli(["eval-rl", empty]))).toMatch(
      /empty\.json: expected a checkpoint \(JSON\), found an empty file/,
    );
  });
});

describe("eval-rl and a scenario's checkpoint refuse an agent whose scores overflow, naming the layer", () => {
  // Every parameter 1e300: finite, so the checkpoint check passes it, but the scores are not. Inputs are
  // shares in [0, 1], at most 10 of them: layer 1 gives at most 1e300 · 11, finite; layer 2 sums 32 of
  // those times 1e300, past the largest double (1.8e308): Infinity. This once scored, with exit 0.
  const huge = (agent: string, name: string) => {
    const c = JSON.parse(readFileSync(agent, "utf8"));
    return write(name, JSON.stringify({ ...c, params: c.params.map(() => 1e300) }));
  };
  const queue = huge(QUEUE_AGENT, "huge-queue.json");
  const placement = huge(PLACEMENT_AGENT, "huge-placement.json");
  const overflow = "actor\\.layer2: expected finite outputs, found Infinity \\(the checkpoint's weights overflow";
  const OPENB = new URL("../../../shared/traces/alibaba-gpu-v2023/", import.meta.url).pathname;

  it("eval-rl: a queue agent, and a placement agent, exit 2", () => {
    const q = cli(["eval-rl", queue, "--trace", LUBLIN1, "--starts", "0"]);
    expect(refused(q)).toMatch(new RegExp(`^clustersim: ${queue}: ${overflow}`));
    expect(q.stdout).toBe("");
    // 16 nodes of the openb list, so that the heuristics before the agent take little time.
    const nodes = write(
      "nodes16.csv",
      readFileSync(`${OPENB}openb_node_list_gpu_node.csv`, "utf8").split("\n").slice(0, 17).join("\n"),
    );
    const p = cli([
      "eval-rl",
      placement,
      "--pods",
      `${OPENB}openb_pod_list_default.csv`,
      "--nodes",
      nodes,
      "--seeds",
      "1",
    ]);
    expect(refused(p)).toMatch(new RegExp(`^clustersim: ${placement}: ${overflow}`));
  });

  it("a scenario's rl-kernel and rl-placement stop the run with exit 2", () => {
    const kernel = write(
      "run-huge-kernel.yaml",
      readFileSync(LUBLIN_WINDOW, "utf8")
        .replaceAll("../../../shared/traces/swf/lublin_256.swf", LUBLIN1)
        .replace("name: fcfs", "name: rl-kernel")
        .replace("params: { backfill: easy }", `params: { backfill: easy, checkpoint: ${queue} }`),
    );
    expect(refused(cli(["run", kernel, "--out", join(dir, "run-huge-kernel"), "--quiet"]))).toMatch(
      new RegExp(`^clustersim: ${kernel}: scheduler\\.params\\.checkpoint \\(${queue}\\): ${overflow}`),
    );
    const placer = write(
      "run-huge-placement.yaml",
      readFileSync(new URL("../../examples/scenarios/openb-fgd.yaml", import.meta.url), "utf8")
        .replaceAll("../../../shared/traces/alibaba-gpu-v2023/", OPENB)
        .replace("name: fgd", `name: rl-placement\n  params: { checkpoint: ${placement} }`),
    );
    expect(refused(cli(["run", placer, "--out", join(dir, "run-huge-placement"), "--quiet"]))).toMatch(
      new RegExp(`^clustersim: ${placer}: scheduler\\.params\\.checkpoint \\(${placement}\\): ${overflow}`),
    );
  });
});

describe("train-rl --resume refuses what it cannot resume from, with exit 2", () => {
  it.each([
    [
      "a placement agent to resume a queue training",
      () => envFile("resume-kind.yaml", `{ ${TINY} }`),
      ["--resume", PLACEMENT_AGENT],
      /--resume .*ppo-placement-openb\.json: expected a queue agent \(networks: rlscheduler-kernel\), found a placement agent/,
    ],
    [
      "a directory to resume from",
      () => envFile("resume-dir.yaml", `{ ${TINY} }`),
      ["--resume", dir],
      /--resume .*: expected a checkpoint file, found a directory/,
    ],
  ])("%s", (_, make, args, message) => {
    const file = make();
    expect(refused(cli(["train-rl", file, "--out", join(dir, "refused-out"), ...args]))).toMatch(message);
  });
});

describe("a checkpoint's trace path is kept relative to the checkpoint's folder", () => {
  it("resolves from the checkpoint, whatever the environment file's folder and the reader's working directory", () => {
    // The environment file names the trace relative to itself, two levels from the output directory.
    const envDir = join(dir, "envs");
    mkdirSync(envDir, { recursive: true });
    const file = write(
      "envs/rel.yaml",
      `env: queue\ntrace: ${relative(envDir, LUBLIN1)}\nsequenceJobs: 32\ntrain: { ${TINY} }\n`,
    );
    const out = join(dir, "results", "deep", "run");
    const t = cli(["train-rl", "envs/rel.yaml", "--out", "results/deep/run", "--quiet"], { cwd: dir });
    expect(t.stderr).toBe("");
    expect(t.status).toBe(0);
    const checkpoint = join(out, "checkpoint.json");
    const trace = JSON.parse(readFileSync(checkpoint, "utf8")).env.trace as string;
    expect(resolve(out, trace)).toBe(LUBLIN1);
    // Not the environment file's string, which would name another file from here.
    expect(trace).not.toBe(relative(envDir, LUBLIN1));
    // Resumed from another working directory: the same trace, so the same environment.
    const r = cli(
      ["train-rl", file, "--resume", checkpoint, "--epochs", "2", "--out", join(dir, "resumed"), "--quiet"],
      {
        cwd: tmpdir(),
      },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    // Copied where the path leads nowhere (deeper, so that its way up stops short of the root): eval-rl
    // says which field and how to go on.
    const moved = join(dir, "moved", "a", "b", "c", "d", "e", "f", "checkpoint.json");
    mkdirSync(dirname(moved), { recursive: true });
    cpSync(checkpoint, moved);
    expect(refused(cli(["eval-rl", moved], { cwd: tmpdir() }))).toMatch(
      /moved\/a\/b\/c\/d\/e\/f\/checkpoint\.json: env\.trace \(relative to the checkpoint's folder; or give --trace\): expected a readable SWF file, found no such file/,
    );
  });
});
